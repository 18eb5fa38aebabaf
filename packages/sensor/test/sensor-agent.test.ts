/**
 * The sensor agent over gRPC with flytekit-shaped FileSensor templates: resource_meta as
 * flytekit writes it, RUNNING until the file appears, dataclass-attribute (msgpack) inputs,
 * unknown sensors, and the local-path rules.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type flyteidl, Phase, phaseName } from "@flyte-agent/core";
import { GrpcStatus, type RpcError, startTestServer, type TestServer } from "@flyte-agent/testing";
import { SensorAgent } from "../src";
import { type FakeS3, sensorTemplate, startFakeS3, stringInput } from "../src/testing";

const sensor = { name: "sensor", version: 0 };
let fake: FakeS3;
let server: TestServer;
let agent: SensorAgent;
let root: string;
let outside: string;
const saved = { ...process.env };

/** A string msgpack-encoded (fixstr), as propeller passes an attribute of an upstream dataclass. */
function msgpackString(value: string): flyteidl.core.Literal {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > 31) throw new RangeError("test helper: fixstr only");
  return {
    value: {
      $case: "scalar",
      value: {
        value: { $case: "binary", value: { value: Buffer.concat([Buffer.from([0xa0 | bytes.length]), bytes]), tag: "msgpack" } },
      },
    },
    hash: "",
    metadata: {},
  };
}

beforeAll(async () => {
  fake = await startFakeS3({ buckets: { landing: { objects: ["ready.csv"] }, locked: { listAllowed: false } } });
  process.env.AWS_ENDPOINT_URL_S3 = fake.url;
  process.env.AWS_ACCESS_KEY_ID = fake.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = fake.credentials.secretAccessKey;
  delete process.env.AWS_PROFILE;
  root = mkdtempSync(join(tmpdir(), "sensor-root-"));
  outside = mkdtempSync(join(tmpdir(), "sensor-outside-"));
  mkdirSync(join(root, "incoming"));
  writeFileSync(join(outside, "secret.txt"), "x");
  symlinkSync(outside, join(root, "escape"));
  agent = new SensorAgent({ env: { FLYTE_SENSOR_LOCAL_ROOT: root } });
  server = await startTestServer({ agents: [agent] });
});
afterAll(async () => {
  process.env = saved;
  agent.close();
  await server.close();
  await fake.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const create = (path: flyteidl.core.Literal, template = sensorTemplate()) =>
  server.client.createTask({ template, inputs: { literals: { path } } });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: RpcError) => err,
  );

test("ListAgents lists the async Sensor agent for task type sensor", async () => {
  expect(await server.client.listAgents()).toEqual([
    { name: "Sensor", isSync: false, supportedTaskTypes: ["sensor"], supportedTaskCategories: [sensor] },
  ]);
});

test("resource_meta is flytekit's SensorMetadata with the inputs; RUNNING until the object appears, then SUCCEEDED", async () => {
  const meta = await create(stringInput("s3://landing/drops/2026-12-07.csv"));
  expect(JSON.parse(Buffer.from(meta).toString("utf8"))).toEqual({
    sensor_module: "flytekit.sensor.file_sensor",
    sensor_name: "FileSensor",
    sensor_config: null,
    inputs: { path: "s3://landing/drops/2026-12-07.csv" },
  });
  const first = await server.client.getTask(sensor, meta);
  expect([phaseName(first.phase), first.message, first.outputs]).toEqual(["RUNNING", "", undefined]);
  fake.putObject("landing", "drops/2026-12-07.csv", "a,b\n");
  const second = await server.client.getTask(sensor, meta);
  expect(phaseName(second.phase)).toBe("SUCCEEDED");
  await server.client.deleteTask(sensor, meta);
});

test("a path passed as an attribute of an upstream dataclass (msgpack) is read as the string", async () => {
  const meta = await create(msgpackString("s3://landing/ready.csv"));
  expect(JSON.parse(Buffer.from(meta).toString("utf8")).inputs).toEqual({ path: "s3://landing/ready.csv" });
  expect(phaseName((await server.client.getTask(sensor, meta)).phase)).toBe("SUCCEEDED");
});

test("resource_meta written by flytekit's connector (Python's json.dumps) is read", async () => {
  const fromPython = Buffer.from(
    '{"sensor_module": "flytekit.sensor.file_sensor", "sensor_name": "FileSensor", "sensor_config": null, "inputs": {"path": "s3://landing/ready.csv"}}',
  );
  expect(phaseName((await server.client.getTask(sensor, fromPython)).phase)).toBe("SUCCEEDED");
});

test("403 without s3:ListBucket keeps the task RUNNING with a message naming the path and the permission", async () => {
  const meta = await create(stringInput("s3://locked/x.csv"));
  const resource = await server.client.getTask(sensor, meta);
  expect(resource.phase).toBe(Phase.RUNNING);
  expect(resource.message).toContain("s3://locked/x.csv");
  expect(resource.message).toContain("s3:ListBucket");
});

test("an unknown sensor is INVALID_ARGUMENT listing the supported ones", async () => {
  const err = await refusal(
    create(stringInput("s3://landing/x"), sensorTemplate({ module: "my_project.sensors", name: "QueueSensor" })),
  );
  expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(err?.details).toBe(
    "the sensor my_project.sensors.QueueSensor is not served by this agent; supported: flytekit.sensor.file_sensor.FileSensor",
  );
});

test("a missing path input or an unknown scheme is INVALID_ARGUMENT", async () => {
  const noPath = await refusal(server.client.createTask({ template: sensorTemplate(), inputs: { literals: {} } }));
  expect([noPath?.code, noPath?.details]).toEqual([
    GrpcStatus.INVALID_ARGUMENT,
    'FileSensor needs the input "path" as a string, got nothing',
  ]);
  const ftp = await refusal(create(stringInput("ftp://host/file")));
  expect(ftp?.details).toContain('the scheme "ftp" is not served');
});

describe("local paths", () => {
  test("under the root: RUNNING until the file exists, then SUCCEEDED", async () => {
    const target = join(root, "incoming", "batch.done");
    const meta = await create(stringInput(target));
    expect(phaseName((await server.client.getTask(sensor, meta)).phase)).toBe("RUNNING");
    writeFileSync(target, "");
    expect(phaseName((await server.client.getTask(sensor, meta)).phase)).toBe("SUCCEEDED");
    const asUrl = await create(stringInput(`file://${target}`));
    expect(phaseName((await server.client.getTask(sensor, asUrl)).phase)).toBe("SUCCEEDED");
  });

  test.each([
    ["a path outside the root", () => join(outside, "secret.txt"), "is outside"],
    ["an escape with ..", () => `${root}/incoming/../../${outside.split("/").pop()}/secret.txt`, "is outside"],
    ["an escape through a symbolic link", () => join(root, "escape", "secret.txt"), "through a symbolic link"],
    ["a relative path", () => "incoming/batch.done", "a local path must be absolute"],
  ])("%s is INVALID_ARGUMENT", async (_name, path, text) => {
    const err = await refusal(create(stringInput(path())));
    expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toContain(text);
  });

  test("a symbolic link made to point outside after CreateTask fails the task at GetTask", async () => {
    const link = join(root, "incoming", "late-link");
    const meta = await create(stringInput(join(link, "secret.txt")));
    symlinkSync(outside, link);
    const resource = await server.client.getTask(sensor, meta);
    expect(phaseName(resource.phase)).toBe("FAILED");
    expect(resource.message).toContain("through a symbolic link");
  });

  test("without FLYTE_SENSOR_LOCAL_ROOT local paths are off", async () => {
    const off = await startTestServer({ agents: [new SensorAgent({ env: {} })] });
    try {
      const err = await refusal(
        off.client.createTask({ template: sensorTemplate(), inputs: { literals: { path: stringInput("/etc/passwd") } } }),
      );
      expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(err?.details).toContain("local paths are off on this agent");
      expect(err?.details).toContain("FLYTE_SENSOR_LOCAL_ROOT");
    } finally {
      await off.close();
    }
  });
});
