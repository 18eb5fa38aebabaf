import { request } from "node:http";
import { type FakeDatabricks, parseStrictJson, startFakeDatabricks } from "../src/testing";

let fake: FakeDatabricks;
beforeAll(async () => {
  fake = await startFakeDatabricks();
});
afterAll(() => fake.close());

/** Sends a raw request, so the fake is tested without the plugin's client. */
function send(
  method: string,
  path: string,
  body?: string,
  contentType = "application/json",
): Promise<{ status: number; json: { [key: string]: unknown } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${fake.url}/api/2.1/jobs${path}`,
      {
        method,
        headers: { Authorization: `Bearer ${fake.token}`, ...(body !== undefined ? { "Content-Type": contentType } : {}) },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text || "{}") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("the fake's own JSON reader", () => {
  test("keeps integers exact: safe ones as numbers, larger ones as bigints", () => {
    expect(parseStrictJson('{"run_id": 9007199254740993, "n": 42, "f": 1.5, "s": "x", "a": [true, null]}')).toEqual({
      run_id: 9007199254740993n,
      n: 42,
      f: 1.5,
      s: "x",
      a: [true, null],
    });
  });

  test("refuses what is not JSON", () => {
    for (const bad of ["{run_id: 1}", '{"a": 1,}', "[1 2]", '{"a": 01}', '{"a": 1} x', '{"a": 1, "a": 2}', "'x'"]) {
      expect(() => parseStrictJson(bad)).toThrow(SyntaxError);
    }
  });
});

describe("the fake checks request types strictly", () => {
  const compute = '"new_cluster": {"num_workers": 1}, "spark_python_task": {"python_file": "x.py"}';

  test("runs/cancel takes run_id only as a JSON integer, exact above 2^53", async () => {
    const submitted = await send("POST", "/runs/submit", `{${compute}}`);
    const runId = String(submitted.json.run_id);
    expect(BigInt(runId)).toBeGreaterThan(2n ** 53n);

    const asString = await send("POST", "/runs/cancel", `{"run_id": "${runId}"}`);
    expect(asString.status).toBe(400);
    expect(asString.json.message).toBe(`Invalid value for run_id: expected an int64, got the string "${runId}"`);
    const float = await send("POST", "/runs/cancel", `{"run_id": ${runId}.0}`);
    expect(float.status).toBe(400);
    const neighbour = await send("POST", "/runs/cancel", `{"run_id": ${BigInt(runId) + 1n}}`);
    expect(neighbour.json.message).toBe(`Run ${BigInt(runId) + 1n} does not exist.`);
    expect(fake.runs.get(runId)?.cancelCalls).toBe(0);

    const exact = await send("POST", "/runs/cancel", `{"run_id": ${runId}}`);
    expect(exact.status).toBe(200);
    expect(fake.runs.get(runId)?.cancelCalls).toBe(1);
  });

  test("runs/submit refuses fields of the wrong type, bad JSON and a body that is not JSON", async () => {
    const wrong = await send("POST", "/runs/submit", `{${compute}, "timeout_seconds": "60"}`);
    expect(wrong).toEqual({
      status: 400,
      json: { error_code: "INVALID_PARAMETER_VALUE", message: 'Invalid value for timeout_seconds: got the string "60"' },
    });
    expect((await send("POST", "/runs/submit", `{${compute},}`)).status).toBe(400);
    expect((await send("POST", "/runs/submit", `{${compute}}`, "text/plain")).json.message).toBe(
      "Content-Type must be application/json",
    );
  });

  test("runs/get takes a decimal int64 run_id", async () => {
    const got = await send("GET", "/runs/get?run_id=12abc");
    expect(got.status).toBe(400);
    expect(got.json.message).toBe("Invalid value for run_id: expected an int64, got '12abc'");
  });
});
