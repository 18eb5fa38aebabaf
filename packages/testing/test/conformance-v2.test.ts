/**
 * checkConformance over both protocols: every rule over v1 and v2 (the ExecuteTaskSync rules on
 * v1 only), a sync agent refused over v2, and a task created over v1 polled over v2.
 *
 * `startBridgedServer` runs it against AgentServer alone once AgentServer serves flyteidl2, and
 * until then through core's v2 bridge fixture in front of it.
 */
import { checkConformance } from "../src";
import { EchoAsyncAgent, EchoSyncAgent } from "./fixtures/echo-agents";
import { ECHO_CASES } from "./fixtures/echo-cases";
import { startBridgedServer } from "./support/v2-conformance-server";

checkConformance(() => [new EchoAsyncAgent(100), new EchoSyncAgent()], ECHO_CASES, {
  secrets: ["s3cr3t-value"],
  protocols: ["v1", "v2"],
  title: "conformance over v1 and v2",
  startServer: startBridgedServer,
});
