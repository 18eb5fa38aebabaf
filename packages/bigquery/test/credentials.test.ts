import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chooseCredentials, credentialKey } from "../src/credentials";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bq-cred-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY = JSON.stringify({
  type: "service_account",
  client_email: "sa@p.iam.gserviceaccount.com",
  private_key: "-----BEGIN PRIVATE KEY-----\nabc\n",
});

test("an access-token function wins over everything", () => {
  const token = () => "t";
  expect(chooseCredentials({ accessToken: token, env: { BIGQUERY_EMULATOR_HOST: "http://x" } })).toEqual({
    kind: "token",
    token,
  });
});

test("the service-account secret is read from the environment or a mounted file", () => {
  const fromEnv = chooseCredentials({ env: { _FSEC_FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON: KEY }, secretSource: { dir } });
  expect(fromEnv).toEqual(expect.objectContaining({ kind: "service-account", clientEmail: "sa@p.iam.gserviceaccount.com" }));

  writeFileSync(join(dir, "team_bq_key"), KEY);
  const fromFile = chooseCredentials({ env: {}, credentialsSecret: "TEAM_BQ_KEY", secretSource: { dir } });
  expect(fromFile).toEqual(expect.objectContaining({ kind: "service-account", secret: "TEAM_BQ_KEY" }));
  // The cache key identifies the key without containing it.
  expect(credentialKey(fromFile)).toMatch(/^sa:[0-9a-f]{16}$/);
  expect(credentialKey(fromFile)).not.toContain("PRIVATE");
});

test("FLYTE_BIGQUERY_CREDENTIALS_SECRET renames the secret", () => {
  const env = { FLYTE_BIGQUERY_CREDENTIALS_SECRET: "OTHER", _FSEC_OTHER: KEY };
  expect(chooseCredentials({ env, secretSource: { dir } }).kind).toBe("service-account");
});

test("no secret: none for an emulator (even with an endpoint: the emulator gets the requests), ADC otherwise", () => {
  expect(chooseCredentials({ env: { BIGQUERY_EMULATOR_HOST: "http://127.0.0.1:9050" }, secretSource: { dir } })).toEqual({
    kind: "none",
  });
  expect(chooseCredentials({ env: {}, secretSource: { dir } })).toEqual({ kind: "adc" });
  expect(
    chooseCredentials({
      env: { BIGQUERY_EMULATOR_HOST: "http://e", FLYTE_BIGQUERY_API_ENDPOINT: "https://p" },
      secretSource: { dir },
    }),
  ).toEqual({ kind: "none" });
});

test("a secret that is not JSON is refused without showing it", () => {
  const err = (() => {
    try {
      chooseCredentials({ env: { _FSEC_FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON: "s3cr3t-not-json" }, secretSource: { dir } });
    } catch (e) {
      return e as Error;
    }
    throw new Error("did not throw");
  })();
  expect(err.message).toBe("secret FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON is not JSON; it must hold a service-account key");
});

describe("a Flyte 2 connection", () => {
  const connection = (secrets: Record<string, string>) => ({ taskType: "bigquery_query_job_task", secrets, configs: {} });

  test("its google_application_credentials comes before the pod secret", () => {
    const other = JSON.stringify({
      client_email: "conn@p.iam.gserviceaccount.com",
      private_key: "-----BEGIN PRIVATE KEY-----\nxyz\n",
    });
    const chosen = chooseCredentials({
      env: { _FSEC_FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON: KEY },
      secretSource: { dir },
      connection: connection({ google_application_credentials: other }),
    });
    expect(chosen).toEqual(
      expect.objectContaining({
        kind: "service-account",
        secret: "google_application_credentials",
        clientEmail: "conn@p.iam.gserviceaccount.com",
      }),
    );
  });

  test("without the key, the pod secret is read as before", () => {
    const chosen = chooseCredentials({
      env: { _FSEC_FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON: KEY },
      secretSource: { dir },
      connection: connection({ unrelated: "x" }),
    });
    expect(chosen).toEqual(expect.objectContaining({ kind: "service-account", secret: "FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON" }));
  });

  test("a value that is not a service-account key is FAILED_PRECONDITION naming the connection secret, not its value", () => {
    expect(() =>
      chooseCredentials({
        env: {},
        secretSource: { dir },
        connection: connection({ google_application_credentials: "not-json-5ecret" }),
      }),
    ).toThrow(
      expect.objectContaining({
        code: 9,
        message: "connection secret google_application_credentials is not JSON; it must hold a service-account key",
      }),
    );
    expect(() =>
      chooseCredentials({
        env: {},
        secretSource: { dir },
        connection: connection({ google_application_credentials: '{"client_email":"only-5ecret"}' }),
      }),
    ).toThrow(
      "connection secret google_application_credentials is not a service-account key (it needs client_email and private_key)",
    );
  });
});
