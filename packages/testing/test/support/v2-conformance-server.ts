/**
 * The server the v2 conformance tests run against: core's AgentServer (startTestServer) alone
 * when it answers flyteidl2 itself, else the same server for v1 with core's v2 bridge test
 * fixture in front of it for v2 (for core builds whose AgentServer serves only flyteidl 1).
 * Either way every rule runs; only the v2 target differs.
 */
import { type Agent, RpcCallError, type WireProtocol } from "@flyte-agent/core";
import { status } from "@grpc/grpc-js";
import { type ConformanceServer, PropellerClient, startTestServer } from "../../src";
import { startV2Bridge } from "../../../core/test/fixtures/v2-bridge-server";

/** Whether the server behind `client` (a v2 client) answers ListConnectors. */
async function servesV2(client: PropellerClient): Promise<boolean> {
  try {
    await client.listAgents();
    return true;
  } catch (err) {
    if (err instanceof RpcCallError && err.code === status.UNIMPLEMENTED) return false;
    throw err;
  }
}

/** Starts an in-process server for `agents`, with the v2 bridge in front of it when it does not serve v2. */
export async function startBridgedServer(agents: readonly Agent[]): Promise<ConformanceServer> {
  const server = await startTestServer({ agents });
  if (await servesV2(server.clientFor("v2"))) return server;
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
