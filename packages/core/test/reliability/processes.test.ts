import { status } from "@grpc/grpc-js";
import { FakeJobService } from "./fixtures/job-service";
import { RawClient } from "./fixtures/raw-client";
import { decodeCreateReply, decodeGetReply, PATH } from "./fixtures/requests";
import { spawnServer, type SpawnedServer } from "./fixtures/spawned-server";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { flyteidl, parseDuration, Phase } from "../../src";

const { admin, core } = flyteidl;
const CATEGORY = { name: "rel_job", version: 0 };

const createBody = () =>
  Buffer.from(
    admin.CreateTaskRequest.encode(
      admin.CreateTaskRequest.fromPartial({
        template: core.TaskTemplate.fromPartial({ type: "rel_job" }),
        inputs: { literals: {} },
      }),
    ).finish(),
  );
const getBody = (resourceMeta: Buffer) =>
  Buffer.from(
    admin.GetTaskRequest.encode(
      admin.GetTaskRequest.fromPartial({ taskType: "rel_job", taskCategory: CATEGORY, resourceMeta }),
    ).finish(),
  );
const deleteBody = (resourceMeta: Buffer) =>
  Buffer.from(
    admin.DeleteTaskRequest.encode(admin.DeleteTaskRequest.fromPartial({ taskCategory: CATEGORY, resourceMeta })).finish(),
  );

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5)); // poll interval
  }
}

let jobs: FakeJobService;
let jobsUrl: string;
const servers: SpawnedServer[] = [];
const clients: RawClient[] = [];
const client = (address: string) => {
  const c = new RawClient(address);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  jobs = new FakeJobService();
  jobsUrl = await jobs.start();
});
afterEach(() => {
  jobs.holdMs = 0;
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of servers) s.kill();
  await jobs.close();
});

test("two server processes: create on one, get and delete on the other, same answers", async () => {
  const [a, b] = await Promise.all([spawnServer(jobsUrl), spawnServer(jobsUrl)]);
  servers.push(a, b);
  const ca = client(a.address);
  const cb = client(b.address);

  const created = await ca.unary(PATH.create, createBody());
  expect(status[created.code]).toBe("OK");
  const meta = Buffer.from(decodeCreateReply(created.reply).resourceMeta);

  const [fromA, fromB] = await Promise.all([ca.unary(PATH.get, getBody(meta)), cb.unary(PATH.get, getBody(meta))]);
  expect([status[fromA.code], status[fromB.code]]).toEqual(["OK", "OK"]);
  expect(decodeGetReply(fromA.reply).resource?.phase).toBe(Phase.RUNNING);
  expect(fromB.reply).toEqual(fromA.reply); // byte-identical answers

  const deleted = await cb.unary(PATH.delete, deleteBody(meta));
  expect(status[deleted.code]).toBe("OK");
  expect([...jobs.jobs.values()].map((j) => j.state)).toEqual(["cancelled"]);

  const [afterA, afterB] = await Promise.all([ca.unary(PATH.get, getBody(meta)), cb.unary(PATH.get, getBody(meta))]);
  expect(decodeGetReply(afterA.reply).resource?.phase).toBe(Phase.ABORTED);
  expect(afterB.reply).toEqual(afterA.reply);
});

/** The environment docker/Dockerfile sets for the shutdown (FLYTE_AGENT_SHUTDOWN_DELAY, ..._DRAIN_TIMEOUT). */
function imageShutdownEnv(): Record<string, string> {
  const dockerfile = readFileSync(join(__dirname, "..", "..", "..", "..", "docker", "Dockerfile"), "utf8");
  const env: Record<string, string> = {};
  for (const m of dockerfile.matchAll(/\b(FLYTE_AGENT_(?:SHUTDOWN_DELAY|DRAIN_TIMEOUT))=(\S+)/g)) env[m[1]!] = m[2]!;
  return env;
}

test("the image drains gracefully by default: a shutdown delay of a few seconds, within a 30 s grace period", () => {
  const env = imageShutdownEnv();
  const delay = parseDuration(env.FLYTE_AGENT_SHUTDOWN_DELAY ?? "0s");
  const drain = parseDuration(env.FLYTE_AGENT_DRAIN_TIMEOUT ?? "10s");
  expect(delay).toBeGreaterThanOrEqual(1000);
  // Kubernetes' default terminationGracePeriodSeconds is 30: the image fits in it with room to exit.
  expect(delay + drain).toBeLessThanOrEqual(27_000);
});

test("SIGTERM under load with the image's defaults: NOT_SERVING before the listener closes, no in-flight call lost, clean exit", async () => {
  // No shutdown flags: the environment the image sets, as in a pod.
  const server = await spawnServer(jobsUrl, [], imageShutdownEnv());
  servers.push(server);
  const load = client(server.address);
  const watcher = client(server.address);
  const created = await load.unary(PATH.create, createBody());
  const meta = Buffer.from(decodeCreateReply(created.reply).resourceMeta);

  // Every GetTask waits 300 ms on the job service, so calls are in flight when SIGTERM arrives.
  jobs.holdMs = 300;
  let notServingSeen = false;
  const outcomes: string[] = [];
  const worker = async () => {
    // Like a load balancer: stop sending new calls once health says NOT_SERVING.
    while (!notServingSeen) outcomes.push(status[(await load.unary(PATH.get, getBody(meta))).code]!);
  };
  const workers = Array.from({ length: 16 }, worker);
  await until(() => jobs.waiting >= 16, "16 GetTask calls in flight");

  server.child.kill("SIGTERM");
  try {
    await until(async () => (await watcher.health()) === "NOT_SERVING", "health to report NOT_SERVING");
    notServingSeen = true;
    // The listener is still open: a new connection is accepted and answered.
    const fresh = client(server.address);
    expect(await fresh.health()).toBe("NOT_SERVING");
  } finally {
    notServingSeen = true;
    await Promise.all(workers);
  }
  expect(await server.exited).toBe(0);
  expect(outcomes.length).toBeGreaterThanOrEqual(16);
  expect(outcomes.filter((o) => o !== "OK")).toEqual([]);
  // After the drain the listener is gone.
  const late = client(server.address);
  expect(await late.health()).toMatch(/^error UNAVAILABLE/);
  expect(server.log()).toMatch(/"msg":"stopped"/);
});
