import { status } from "@grpc/grpc-js";
import { AgentRegistry, AgentServer, silentLogger } from "../../src";
import { serverOptions } from "../../src/cli/serve";
import { FaultyAgent } from "./fixtures/agents";
import { RawClient } from "./fixtures/raw-client";
import { getTask, PATH } from "./fixtures/requests";
import { defaultServeFlags } from "./fixtures/serve-defaults";

// grpc-js emits "cancelled" on every server call once its status is sent; a call that already
// answered must not see its AbortSignal fire (plugins tie cleanup and outbound requests to it).
// The server is built as `flyte-agent serve` builds it: every call goes through grpc-js.
test("a call that answered OK never sees its signal aborted afterwards", async () => {
  const registry = new AgentRegistry();
  const faulty = new FaultyAgent();
  registry.register(faulty);
  const server = new AgentServer(serverOptions(defaultServeFlags(), registry, silentLogger()));
  const client = new RawClient(`127.0.0.1:${await server.listen(0, "127.0.0.1")}`);
  const aborted: string[] = [];
  faulty.events.on("aborted", (mode: string) => aborted.push(mode));
  try {
    for (let i = 0; i < 20; i++) {
      const out = await client.unary(PATH.get, getTask(["rel_faulty", 0], { mode: "ok" }));
      expect(status[out.code]).toBe("OK");
    }
    // Later round trips on the same connection: the server has long run its post-call ticks.
    await expect(client.health()).resolves.toBe("SERVING");
    await expect(client.health()).resolves.toBe("SERVING");
    expect(aborted).toEqual([]);
  } finally {
    client.close();
    await server.shutdown({ drainMs: 500 });
  }
});
