/**
 * A conformance server that answers v2 while core's AgentServer serves only v1: the real
 * AgentServer (startTestServer) for v1, and core's v2 bridge test fixture in front of it for v2.
 * Once AgentServer serves flyteidl2 itself, the tests using this can drop it (the default
 * startTestServer then answers both protocols).
 */
import type { Agent, WireProtocol } from "@flyte-agent/core";
import { type ConformanceServer, PropellerClient, startTestServer } from "../../src";
import { startV2Bridge } from "../../../core/test/fixtures/v2-bridge-server";

/** Starts an in-process v1 server for `agents` and the v2 bridge in front of it. */
export async function startBridgedServer(agents: readonly Agent[]): Promise<ConformanceServer> {
  const server = await startTestServer({ agents });
  const bridge = await startV2Bridge(server.address);
  const v2 = new PropellerClient(bridge.target, { protocol: "v2" });
  return {
    clientFor: (protocol: WireProtocol) => (protocol === "v1" ? server.client : v2),
    close: async () => {
      v2.close();
      await bridge.close();
      await server.close();
    },
  };
}
