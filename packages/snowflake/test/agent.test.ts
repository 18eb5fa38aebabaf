import { type AgentError, Phase, isAgentError, toLiteralMap, fromLiteralMap, StructuredDatasetRef } from "@flyte-agent/core";
import { simpleType } from "@flyte-agent/testing";
import { SnowflakeAgent, type SnowflakeAgentOptions, type SnowflakeQueryMeta } from "../src";
import { type FakeSnowflake, type FakeStatementStep, generateTestKeyPair, startFakeSnowflake } from "../src/testing";
import { ACCOUNT, USER, captureLogger, createContext, snowflakeTemplate, taskContext } from "./helpers";

const keys = generateTestKeyPair();
const PASSPHRASE = "s3cret-passphrase-for-tests";
const encryptedKeys = generateTestKeyPair(PASSPHRASE);
const KEY_BODY = keys.privateKeyPem.split("\n")[1]!;

let fake: FakeSnowflake;
let steps: readonly FakeStatementStep[] | undefined;
const agents: SnowflakeAgent[] = [];

beforeEach(async () => {
  steps = undefined;
  fake = await startFakeSnowflake({
    publicKey: keys.publicKeyPem,
    account: "MYORG-ANALYTICS",
    user: USER,
    stepsFor: () => steps ?? [{ state: "running" }, { state: "success", numRows: 3 }],
  });
});
afterEach(async () => {
  for (const a of agents.splice(0)) a.close();
  await fake.close();
});

function agent(
  options: SnowflakeAgentOptions = {},
  env: NodeJS.ProcessEnv = { _FSEC_SNOWFLAKE_PRIVATE_KEY: keys.privateKeyPem },
): SnowflakeAgent {
  const a = new SnowflakeAgent({
    endpoint: fake.url,
    env,
    secrets: { dir: "/nonexistent" },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  agents.push(a);
  return a;
}

async function rejection(p: Promise<unknown>): Promise<AgentError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentError(err)) throw new Error(`expected an AgentError, got ${String(err)}`);
  return err;
}

async function pollToEnd(a: SnowflakeAgent, meta: SnowflakeQueryMeta) {
  const seen: Array<[Phase, string | undefined]> = [];
  for (let i = 0; i < 10; i++) {
    const r = await a.get(meta, taskContext());
    seen.push([r.phase, r.message]);
    if (r.phase !== Phase.RUNNING && r.phase !== Phase.QUEUED) return { last: r, seen };
  }
  throw new Error(`no terminal phase after 10 reads: ${JSON.stringify(seen)}`);
}

test("create submits one statement: resource_meta holds what GetTask needs, never the key or a JWT", async () => {
  const a = agent();
  const log = captureLogger();
  const template = snowflakeTemplate("SELECT * FROM orders WHERE region = %(region)s AND n > %(n)s", {
    inputs: { region: "string", n: "integer" },
    outputs: { results: simpleType("struct") },
    config: { role: "ANALYST", timeout: "600" },
  });
  const inputs = toLiteralMap({ region: "emea", n: 5n }, template.interface!.inputs);
  const meta = await a.create(createContext(template, { inputs, log }));
  expect(meta).toEqual({
    account: ACCOUNT,
    user: USER,
    database: "ANALYTICS",
    schema: "PUBLIC",
    warehouse: "COMPUTE_WH",
    handle: expect.stringMatching(/^[0-9a-f]{8}-/),
    hasOutputs: true,
  });
  const statement = fake.statements.get(meta.handle)!;
  expect(statement.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(statement.request).toEqual({
    statement: "SELECT * FROM orders WHERE region = ? AND n > ?",
    database: "ANALYTICS",
    schema: "PUBLIC",
    warehouse: "COMPUTE_WH",
    role: "ANALYST",
    timeout: 600,
    bindings: { "1": { type: "TEXT", value: "emea" }, "2": { type: "FIXED", value: "5" } },
  });
  const encoded = Buffer.from(a.metaCodec.encode(meta)).toString("utf8");
  for (const token of fake.tokensSeen) {
    expect(encoded).not.toContain(token);
    expect(log.lines.join("\n")).not.toContain(token);
  }
  expect(encoded).not.toContain(KEY_BODY);
  expect(log.lines.join("\n")).not.toContain(KEY_BODY);
});

test("a repeated create for the same attempt finds the submitted statement; the next attempt gets a new one", async () => {
  const a = agent();
  const template = snowflakeTemplate();
  const first = await a.create(createContext(template, { execution: "exec-7", attempt: 0 }));
  const again = await a.create(createContext(template, { execution: "exec-7", attempt: 0 }));
  const retry = await a.create(createContext(template, { execution: "exec-7", attempt: 1 }));
  expect(again).toEqual(first);
  expect(retry.handle).not.toBe(first.handle);
  expect(fake.statements.size).toBe(2);
  expect(fake.statements.get(first.handle)!.submissions).toBe(2);
  expect(fake.stats.submits).toBe(3);
});

test("get follows running -> success, returns results as a snowflake:// dataset and links the query in Snowsight", async () => {
  const a = agent();
  const meta = await a.create(createContext(snowflakeTemplate("SELECT 1", { outputs: { results: simpleType("struct") } })));
  const { last, seen } = await pollToEnd(a, meta);
  expect(seen.map(([p]) => p)).toEqual([Phase.RUNNING, Phase.SUCCEEDED]);
  expect(seen[0]![1]).toMatch(/^Asynchronous execution in progress/);
  expect(last.message).toBe("Statement executed successfully.");
  expect(last.customInfo).toEqual({ statementHandle: meta.handle, sqlState: "00000", numRows: 3 });
  expect(last.logLinks).toEqual([
    {
      name: "Snowflake Query Details",
      uri: `https://app.snowflake.com/myorg/analytics/#/compute/history/queries/${meta.handle}/detail`,
    },
  ]);
  const outputs = fromLiteralMap(last.outputs);
  expect(outputs.results).toEqual(
    new StructuredDatasetRef(`snowflake://${USER}:${ACCOUNT}/COMPUTE_WH/ANALYTICS/PUBLIC/${meta.handle}`),
  );
});

test("a task without outputs succeeds without outputs; a queued statement is QUEUED", async () => {
  steps = [{ state: "queued" }, { state: "success" }];
  const a = agent();
  const meta = await a.create(createContext(snowflakeTemplate()));
  const { last, seen } = await pollToEnd(a, meta);
  expect(seen.map(([p]) => p)).toEqual([Phase.QUEUED, Phase.SUCCEEDED]);
  expect(last.outputs).toBeUndefined();
});

test("a failed query is FAILED with Snowflake's message and SQL state", async () => {
  steps = [
    {
      state: "failed",
      message: "SQL compilation error: Object 'NOPE' does not exist or not authorized.",
      sqlState: "42S02",
      code: "002003",
    },
  ];
  const a = agent();
  const meta = await a.create(createContext(snowflakeTemplate("SELECT * FROM nope")));
  const { last } = await pollToEnd(a, meta);
  expect(last.phase).toBe(Phase.FAILED);
  expect(last.message).toBe(
    "the query failed: SQL compilation error: Object 'NOPE' does not exist or not authorized. (SQL state 42S02, code 002003)",
  );
  expect(last.customInfo).toMatchObject({ sqlState: "42S02" });
});

test("delete cancels the query (ABORTED afterwards) and is fine for finished or unknown statements", async () => {
  steps = [{ state: "running" }];
  const a = agent();
  const meta = await a.create(createContext(snowflakeTemplate()));
  expect((await a.get(meta, taskContext())).phase).toBe(Phase.RUNNING);
  await a.delete(meta, taskContext());
  expect(fake.statements.get(meta.handle)!.cancelCalls).toBe(1);
  const after = await a.get(meta, taskContext());
  expect(after.phase).toBe(Phase.ABORTED);
  expect(after.message).toBe("the query was cancelled: SQL execution canceled (SQL state 57014, code 000604)");
  await a.delete(meta, taskContext());
  await a.delete({ ...meta, handle: "01b00000-0000-0000-0000-000000000000" }, taskContext());
  expect(fake.stats.cancels).toBe(2);
});

test("a 429 burst is retried after Retry-After and the task still succeeds", async () => {
  const a = agent({ retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 2_000 } });
  fake.failNext("submit", { status: 429, retryAfter: "1", times: 1 });
  fake.failNext("submit", { status: 429, times: 2 });
  const started = Date.now();
  const meta = await a.create(createContext(snowflakeTemplate()));
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  expect(fake.statements.size).toBe(1);
  expect(fake.stats.requests).toBe(4);
  fake.failNext("status", { status: 429, retryAfter: "0", times: 3 });
  expect((await pollToEnd(a, meta)).last.phase).toBe(Phase.SUCCEEDED);
});

test("a Retry-After beyond the bound is not waited for: GetTask answers RUNNING saying why", async () => {
  const a = agent({ retry: { maxRetryAfterMs: 1_000 } });
  const meta = await a.create(createContext(snowflakeTemplate()));
  fake.failNext("status", { status: 429, retryAfter: "30" });
  const started = Date.now();
  const r = await a.get(meta, taskContext());
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(r.phase).toBe(Phase.RUNNING);
  expect(r.message).toBe(
    `cannot read statement ${meta.handle} yet: rate limited by Snowflake (HTTP 429, retry after 30 s) (after 1 attempt)`,
  );
});

test("5xx answers are retried; a submission that outlasts the retries is UNAVAILABLE", async () => {
  const a = agent({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
  fake.failNext("submit", { status: 503, times: 2 });
  const meta = await a.create(createContext(snowflakeTemplate()));
  expect(fake.statements.get(meta.handle)!.submissions).toBe(1);
  fake.failNext("submit", { status: 500, times: 3 });
  const err = await rejection(a.create(createContext(snowflakeTemplate(), { execution: "exec-500" })));
  expect(err.code).toBe(14);
  expect(err.message).toBe(
    `cannot submit the statement to Snowflake account ${ACCOUNT}: Snowflake answered HTTP 500: injected HTTP 500 (code 390100) (after 3 attempts)`,
  );
});

test("a key the user does not have is 401: the message names account and user, never the key or the JWT", async () => {
  const other = generateTestKeyPair();
  const a = agent({}, { _FSEC_SNOWFLAKE_PRIVATE_KEY: other.privateKeyPem });
  const err = await rejection(a.create(createContext(snowflakeTemplate())));
  expect(err.code).toBe(16);
  expect(err.message).toMatch(
    new RegExp(
      `^Snowflake rejected key-pair authentication of user ${USER} in account ${ACCOUNT} \\(HTTP 401: JWT token is invalid. \\(code 390144\\)\\): check that the user's RSA_PUBLIC_KEY is the public key of snowflake_private_key \\(SHA256:`,
    ),
  );
  expect(fake.lastAuthFailure).toBe("bad signature");
  expect(err.message).not.toContain(other.privateKeyPem.split("\n")[1]!);
  expect(fake.stats.unauthorized).toBe(1);
});

test("401 and 403 during GetTask are FAILED with a message naming account and user", async () => {
  const a = agent();
  const meta = await a.create(createContext(snowflakeTemplate()));
  fake.failNext("status", { status: 403, body: { code: "390102", message: "Role ANALYST is not authorized." } });
  const r = await a.get(meta, taskContext());
  expect(r.phase).toBe(Phase.FAILED);
  expect(r.message).toBe(
    `user ${USER} in account ${ACCOUNT} may not run this (HTTP 403: Role ANALYST is not authorized. (code 390102)): check the role's privileges on the warehouse, database and schema`,
  );
  fake.failNext("status", { status: 401, body: { code: "390144", message: "JWT token is invalid." } });
  expect((await a.get(meta, taskContext())).message).toMatch(
    /^Snowflake rejected key-pair authentication of user flyte_runner in account myorg-analytics/,
  );
});

test("JWTs are reused across calls and signed by an encrypted key with its passphrase", async () => {
  await fake.close();
  fake = await startFakeSnowflake({ publicKey: encryptedKeys.publicKeyPem, account: "MYORG-ANALYTICS", user: USER });
  const a = agent(
    {},
    { _FSEC_SNOWFLAKE_PRIVATE_KEY: encryptedKeys.privateKeyPem, _FSEC_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: PASSPHRASE },
  );
  const meta = await a.create(createContext(snowflakeTemplate()));
  await pollToEnd(a, meta);
  expect(fake.stats.unauthorized).toBe(0);
  expect(fake.tokensSeen.size).toBe(1);
  expect(a.tokensIssued).toBe(1);
});

test("a key that does not match its passphrase is INVALID_ARGUMENT on create and FAILED on get, naming the secret", async () => {
  const a = agent(
    {},
    { _FSEC_SNOWFLAKE_PRIVATE_KEY: encryptedKeys.privateKeyPem, _FSEC_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: "nope-nope" },
  );
  const err = await rejection(a.create(createContext(snowflakeTemplate())));
  expect(err.code).toBe(3);
  expect(err.message).toBe(
    "snowflake_private_key_passphrase does not decrypt snowflake_private_key (wrong passphrase or damaged key)",
  );
  const meta = await agent().create(createContext(snowflakeTemplate()));
  const r = await a.get(meta, taskContext());
  expect(r.phase).toBe(Phase.FAILED);
  expect(r.message).toBe(err.message);
  const notPem = agent({}, { _FSEC_SNOWFLAKE_PRIVATE_KEY: "just some text" });
  expect((await rejection(notPem.create(createContext(snowflakeTemplate())))).message).toMatch(
    /^snowflake_private_key is not a PEM private key/,
  );
});

test("a missing key is FAILED_PRECONDITION saying where it was looked for", async () => {
  const a = agent({}, {});
  const err = await rejection(a.create(createContext(snowflakeTemplate())));
  expect(err.code).toBe(9);
  expect(err.message).toBe(
    "no secret snowflake_private_key: set _FSEC_SNOWFLAKE_PRIVATE_KEY or mount /nonexistent/snowflake_private_key on the agent",
  );
  expect(fake.stats.requests).toBe(0);
});

test("missing config fields and an empty statement are INVALID_ARGUMENT naming them, before any request", async () => {
  const a = agent();
  const noAccount = snowflakeTemplate("SELECT 1", { config: { account: "", warehouse: "" } });
  const err = await rejection(a.create(createContext(noAccount)));
  expect(err.code).toBe(3);
  expect(err.message).toBe(
    'the snowflake task config is missing "account", "warehouse" (set them in SnowflakeConfig: account, user, database, schema, warehouse)',
  );
  const empty = await rejection(a.create(createContext(snowflakeTemplate("   "))));
  expect(empty.message).toBe("the task has no SQL statement: sql.statement (the query template) is empty");
  const badAccount = await rejection(
    a.create(createContext(snowflakeTemplate("SELECT 1", { config: { account: "https://x" } }))),
  );
  expect(badAccount.message).toMatch(/^config.account "https:\/\/x" is a URL/);
  const unbound = await rejection(a.create(createContext(snowflakeTemplate("SELECT %(x)s"))));
  expect(unbound.message).toBe('the statement uses %(x)s, but the task has no input "x" (inputs: none)');
  expect(fake.stats.requests).toBe(0);
});

test("flyte-sdk's layout (fields in custom, schema defaulting to PUBLIC) works too", async () => {
  const a = agent();
  const template = snowflakeTemplate("SELECT 1", { config: { account: "", user: "", database: "", schema: "", warehouse: "" } });
  template.custom = { account: ACCOUNT, user: USER, database: "RAW", warehouse: "WH" };
  const meta = await a.create(createContext(template));
  expect(meta).toMatchObject({ database: "RAW", schema: "PUBLIC", warehouse: "WH" });
});

test("a Snowflake slower than GetTask's deadline gets a RUNNING reply in time", async () => {
  const a = agent();
  const meta = await a.create(createContext(snowflakeTemplate()));
  await fake.close();
  fake = await startFakeSnowflake({ publicKey: keys.publicKeyPem, account: "MYORG-ANALYTICS", user: USER, latencyMs: 3_000 });
  const slow = agent({ endpoint: fake.url });
  const started = Date.now();
  const r = await slow.get(meta, taskContext({ deadline: new Date(Date.now() + 1_000) }));
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(r.phase).toBe(Phase.RUNNING);
  expect(r.message).toMatch(new RegExp(`^cannot read statement ${meta.handle} yet: no answer from Snowflake within \\d+ ms`));
});

test("resource_meta that is not ours is refused as INVALID_ARGUMENT", () => {
  const a = agent();
  const decode = (value: unknown) => () => a.metaCodec.decode(Buffer.from(JSON.stringify(value)));
  const good = { account: ACCOUNT, user: USER, database: "D", schema: "S", warehouse: "W", handle: "01b2-3", hasOutputs: false };
  expect(decode(good)()).toEqual(good);
  expect(decode({ ...good, handle: "../../etc" })).toThrow(/handle must be a Snowflake statement handle/);
  expect(decode({ ...good, account: "a b" })).toThrow(/resource_meta account/);
});

test("a Flyte 2 connection's snowflake_private_key and passphrase are used without any pod secret", async () => {
  await fake.close();
  fake = await startFakeSnowflake({ publicKey: encryptedKeys.publicKeyPem, account: "MYORG-ANALYTICS", user: USER });
  const connection = {
    taskType: "snowflake",
    secrets: { snowflake_private_key: encryptedKeys.privateKeyPem, snowflake_private_key_passphrase: PASSPHRASE },
    configs: {},
  };
  const a = agent({}, {});
  const meta = await a.create({ ...createContext(snowflakeTemplate()), connection });
  expect(JSON.stringify(meta)).not.toContain(KEY_BODY);
  const r = await a.get(meta, { ...taskContext(), connection });
  expect(r.phase).toBe(Phase.RUNNING);
  await a.delete(meta, { ...taskContext(), connection });
  expect(fake.stats.unauthorized).toBe(0);

  const err = await rejection(a.create(createContext(snowflakeTemplate())));
  expect(err.message).toBe(
    "no secret snowflake_private_key: set _FSEC_SNOWFLAKE_PRIVATE_KEY or mount /nonexistent/snowflake_private_key on the agent",
  );
  const withoutKey = await rejection(
    a.create({ ...createContext(snowflakeTemplate()), connection: { ...connection, secrets: { other: "x" } } }),
  );
  expect(withoutKey.message).toContain('the connection has no secret "snowflake_private_key"');
});
