/**
 * `flyte-agent serve`'s request lines go through a buffered stdout destination (sonic-boom's
 * `minLength` with a `periodicFlush`): a line logged at idle still reaches stdout without more
 * traffic, and the lines still buffered when SIGTERM arrives are written before the process
 * exits.
 */
import * as grpc from "@grpc/grpc-js";
import { flyteidl } from "../src";
import { LOG_BUFFER_BYTES } from "../src/logger";
import { startServe, type ServeProcess, waitForOutput } from "./fixtures/serve-process";

const running: ServeProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill("SIGKILL");
});

function createTask(client: flyteidl.service.AsyncAgentServiceClient, type: string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.createTask(flyteidl.admin.CreateTaskRequest.fromPartial({ template: { type } }), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
}

/** The request lines of `operation` in a serve process's output, parsed. */
function requestLines(p: ServeProcess, operation: string): Array<Record<string, unknown>> {
  return p
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === "request" && l.operation === operation);
}

describe("request lines of flyte-agent serve", () => {
  it("a single line logged at idle reaches stdout without further traffic (far less than the buffer)", async () => {
    const p = await startServe();
    running.push(p);
    const client = new flyteidl.service.AsyncAgentServiceClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
    await createTask(client, "instant");
    client.close();
    // One line is far below the buffer's size: only the periodic flush can write it. Waits on
    // the output itself; without the flush this never resolves and the test times out.
    await waitForOutput(p, '"operation":"create","category":"instant@0","agent":"Instant Agent","status":"OK"');
    expect(requestLines(p, "create")).toHaveLength(1);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  it("writes every buffered line before exiting on SIGTERM", async () => {
    const p = await startServe();
    running.push(p);
    const client = new flyteidl.service.AsyncAgentServiceClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
    const calls = 60;
    await Promise.all(Array.from({ length: calls }, () => createTask(client, "instant")));
    client.close();
    // More than one buffer's worth, so some lines have been written and the last ones are most
    // likely still waiting in the buffer when the signal arrives.
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    const lines = requestLines(p, "create");
    expect(lines).toHaveLength(calls);
    expect(lines.map((l) => l.status)).toEqual(Array.from({ length: calls }, () => "OK"));
    expect(lines.map((l) => JSON.stringify(l)).join("\n").length).toBeGreaterThan(LOG_BUFFER_BYTES);
    expect(p.output()).toMatch(/"msg":"stopped"/);
  });
});
