import { connect } from "node:tls";

/** `host` and `port` of a grpc-js target such as `agent:8000`, `dns:///agent:8000` or `[::1]:8000`. */
export function hostAndPort(endpoint: string): { host: string; port: number } | undefined {
  const target = endpoint.replace(/^dns:\/\/[^/]*\//, "");
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65_536 ? { host: m[1] ?? "", port } : undefined;
}

/**
 * Whether the server at `endpoint` completes a TLS handshake: asked after a plaintext call to it
 * failed, so that the error can suggest `--tls`. The certificate is not checked (only whether
 * the server speaks TLS at all); nothing is sent after the handshake. Resolves false on any
 * error and after `timeoutMs`.
 */
export function speaksTls(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  const target = hostAndPort(endpoint);
  if (!target) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host,
      rejectUnauthorized: false,
      ALPNProtocols: ["h2"],
    });
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("secureConnect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}
