import { Server, ServerCredentials } from "@grpc/grpc-js";
import { silentLogger, UnguardedListenerError } from "../../src";
import { GuardedListener } from "../../src/server/guarded-listener";

const LIMITS = { handshakeTimeoutMs: 1000, maxHeaderListBytes: 16 * 1024 };

/**
 * A grpc-js server whose connection injector is not kept where 1.14 keeps it: the injector comes
 * from another server, built through grpc-js's public API only. This is what a grpc-js release
 * that moved its http2 servers looks like to the listener.
 */
class ElsewhereServer extends Server {
  private readonly other = new Server();
  override createConnectionInjector(credentials: ServerCredentials): ReturnType<Server["createConnectionInjector"]> {
    return this.other.createConnectionInjector(credentials);
  }
}

test("the listener refuses to start when grpc-js keeps its http2 server elsewhere", () => {
  const start = () => new GuardedListener(new ElsewhereServer(), ServerCredentials.createInsecure(), LIMITS, silentLogger());
  expect(start).toThrow(UnguardedListenerError);
  expect(start).toThrow(/handshake deadline and the request header size limit cannot be enforced, so the server will not start/);
  expect(start).toThrow(/@grpc\/grpc-js ~1\.14/);
});

test("the listener starts on the grpc-js it is pinned to", async () => {
  const listener = new GuardedListener(new Server(), ServerCredentials.createInsecure(), LIMITS, silentLogger());
  const port = await listener.listen(0, "127.0.0.1");
  expect(port).toBeGreaterThan(0);
  await listener.close();
});
