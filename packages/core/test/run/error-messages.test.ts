/**
 * What `flyte-agent run` says when a call fails: the cause of a refused connection without
 * grpc-js's empty "Resolution note: ", and a failed DeleteTask named once.
 */
import { createServer } from "node:net";
import { credentials, status } from "@grpc/grpc-js";
import {
  AgentConnection,
  AgentError,
  AgentRegistry,
  flyteidl,
  Phase,
  type RunEvent,
  RpcCallError,
  runTask,
  TaskRunError,
} from "../../src";
import { cleanStatusDetails } from "../../src/runner/agent-connection";
import { ProgressDisplay } from "../../src/runner/progress-display";
import { at, ScriptedAgent } from "./helpers/agents";
import { runCli, tempDir, writeJson } from "./helpers/cli";

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe("cleanStatusDetails", () => {
  test.each([
    [
      "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ",
      "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1",
    ],
    ["No addresses resolved. Resolution note:", "No addresses resolved"],
    [
      "No connection established. Resolution note: DNS lookup failed",
      "No connection established. Resolution note: DNS lookup failed",
    ],
    ["job id unknown", "job id unknown"],
  ])("%j -> %j", (details, cleaned) => {
    expect(cleanStatusDetails(details)).toBe(cleaned);
  });
});

test("a refused connection names ECONNREFUSED and ends without an empty resolution note", async () => {
  const port = await closedPort();
  const connection = new AgentConnection(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    const err = await connection.listAgents(5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcCallError);
    const rpc = err as RpcCallError;
    expect(rpc.code).toBe(status.UNAVAILABLE);
    expect(rpc.details).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(rpc.message).not.toMatch(/Resolution note:\s*$/);
    expect(rpc.message).toMatch(/^ListAgents failed: UNAVAILABLE: /);
  } finally {
    connection.close();
  }
});

test("flyte-agent run against a closed port prints the cause once, without an empty note", async () => {
  const port = await closedPort();
  const template = writeJson(tempDir(), "t.json", { type: "anything" });
  const { code, stderr } = await runCli(["run", template, "--endpoint", `127.0.0.1:${port}`, "--rpc-timeout", "5s"]);
  expect(code).toBe(1);
  expect(stderr).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
  expect(stderr).not.toContain("Resolution note");
  expect(stderr.match(/ListAgents failed/g)).toHaveLength(1);
});

/** An agent whose DeleteTask always fails. */
class UndeletableAgent extends ScriptedAgent {
  override async delete(): Promise<void> {
    throw new AgentError(status.UNAVAILABLE, "cleanup API down");
  }
}

test("a failed DeleteTask is named once in the error, the event and the progress line", async () => {
  const registry = new AgentRegistry();
  registry.register(new UndeletableAgent([at(Phase.RUNNING)]));
  const events: RunEvent[] = [];
  const err = await runTask({
    template: flyteidl.core.TaskTemplate.fromPartial({ type: "scripted", taskTypeVersion: 1 }),
    registry,
    pollIntervalMs: 10,
    maxPollIntervalMs: 30,
    timeoutMs: 300,
    onEvent: (e) => events.push(e),
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TaskRunError);
  const run = err as TaskRunError;
  expect(run).toMatchObject({ reason: "timeout", deleted: false, deleteError: "UNAVAILABLE: cleanup API down" });
  expect(run.message).toBe(
    "timed out after 300ms (last phase RUNNING); the task may still be running (DeleteTask failed: UNAVAILABLE: cleanup API down)",
  );

  const deleted = events.find((e) => e.type === "deleted");
  expect(deleted).toMatchObject({ ok: false, error: "UNAVAILABLE: cleanup API down" });
  let text = "";
  const display = new ProgressDisplay({ write: (t: string) => (text += t), columns: 200 }, false);
  if (deleted) display.onEvent(deleted);
  display.close();
  expect(text.match(/DeleteTask failed/g)).toHaveLength(1);
  expect(text).toContain("DeleteTask failed: UNAVAILABLE: cleanup API down");
});

test("a GetTask retry line names the call once", () => {
  let text = "";
  const display = new ProgressDisplay({ write: (t: string) => (text += t), columns: 200 }, false);
  display.onEvent({
    type: "retry",
    operation: "get",
    error: "GetTask failed: UNAVAILABLE: API down",
    failures: 2,
    elapsedMs: 1500,
  });
  display.close();
  expect(text.match(/GetTask failed/g)).toHaveLength(1);
  expect(text).toContain("retrying (failure 2): GetTask failed: UNAVAILABLE: API down");
});
