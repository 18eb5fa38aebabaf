import { checkConformance } from "../src";
import { EchoAsyncAgent, EchoSyncAgent } from "./fixtures/echo-agents";
import { ECHO_CASES } from "./fixtures/echo-cases";

// A factory: the round-trip check builds fresh agents for its second server.
checkConformance(() => [new EchoAsyncAgent(100), new EchoSyncAgent()], ECHO_CASES, { secrets: ["s3cr3t-value"] });
