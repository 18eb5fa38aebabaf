import { join } from "node:path";
import { toLiteralMap } from "@flyte-agent/core";
import { checkConformance, startServerProcess, taskTemplate } from "@flyte-agent/testing";
import { CustomAsyncAgent, CustomSyncAgent } from "../src";

// The built plugin (the test script builds first): the round-trip check sends GetTask to it in
// another process, so nothing in memory is shared with the server that ran CreateTask.
const builtPlugin = join(__dirname, "..", "dist", "index.js");

checkConformance(
  () => [new CustomAsyncAgent(), new CustomSyncAgent()],
  [
    {
      name: "job that succeeds",
      template: taskTemplate({ type: "custom_task", custom: { durationSeconds: 0.2 }, inputs: { x: "integer" } }),
      inputs: toLiteralMap({ x: 42n }),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: Buffer.from(
        JSON.stringify({ jobId: "never-created", startedAt: 0, durationMs: 0, fail: false, outputs: "" }),
      ),
    },
    {
      name: "job that fails",
      template: taskTemplate({ type: "custom_task", custom: { durationSeconds: 0.1, fail: true } }),
      expectPhase: "FAILED",
    },
    {
      name: "sync example",
      template: taskTemplate({ type: "custom_sync_task" }),
      inputs: toLiteralMap({ greeting: "hello" }),
      expectPhase: "SUCCEEDED",
    },
  ],
  { secondServer: () => startServerProcess({ modules: [builtPlugin] }) },
);
