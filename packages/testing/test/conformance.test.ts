import { toLiteralMap } from "@flyte-agent/core";
import { checkConformance, taskTemplate } from "../src";
import { EchoAsyncAgent, EchoSyncAgent } from "./fixtures/echo-agents";

// A factory: the round-trip check builds fresh agents for its second server.
checkConformance(
  () => [new EchoAsyncAgent(100), new EchoSyncAgent()],
  [
    {
      name: "async echo",
      template: () => taskTemplate({ type: "echo_async" }),
      inputs: () => toLiteralMap({ value: "hi" }),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: Buffer.from('{"readyAt":0,"value":""}'),
    },
    { name: "sync echo", template: taskTemplate({ type: "echo_sync", version: 1 }), expectPhase: "SUCCEEDED" },
  ],
  { secrets: ["s3cr3t-value"] },
);
