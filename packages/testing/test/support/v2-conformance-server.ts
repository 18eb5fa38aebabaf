/**
 * The server the v2 conformance tests run against: core's AgentServer (startTestServer), which
 * answers flyteidl 1 and flyteidl2 on one port. No fallback: if its v2 services are missing or
 * broken, the [v2] rules fail.
 */
import type { Agent } from "@flyte-agent/core";
import { type ConformanceServer, startTestServer } from "../../src";

/** Starts an in-process AgentServer for `agents`, serving both protocols. */
export async function startConformanceServer(agents: readonly Agent[]): Promise<ConformanceServer> {
  return startTestServer({ agents });
}
