import type { Logger } from "pino";
import type { AgentRegistry } from "../registry";
import { AgentServer } from "../server/agent-server";

/** An agent server started for one local run. */
export interface LocalServer {
  /** `127.0.0.1:<port>`. */
  readonly target: string;
  /** Stops the server (in-flight calls get a short drain). */
  close(): Promise<void>;
}

/**
 * Starts the real {@link AgentServer} on 127.0.0.1 with a free port, so that a local run goes
 * through exactly the request validation, routing, error mapping and Resource checks that
 * propeller gets.
 */
export async function startLocalServer(registry: AgentRegistry, logger?: Logger): Promise<LocalServer> {
  const server = new AgentServer({ registry, logger, reflection: false });
  const port = await server.listen(0, "127.0.0.1");
  return {
    target: `127.0.0.1:${port}`,
    close: () => server.shutdown({ drainMs: 2000 }),
  };
}
