import {
  type Agent,
  type AgentPlugin,
  AgentRegistry,
  AgentServer,
  type AgentServerOptions,
  type WireProtocol,
} from "@flyte-agent/core";
import { track } from "./auto-close";
import { PropellerClient, type PropellerClientOptions } from "./propeller-client";

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Agents to serve. @default [] */
  agents?: readonly Agent[];
  /** Plugins whose agents to serve (e.g. the default export of your package). @default [] */
  plugins?: readonly AgentPlugin[];
  /**
   * Extra server options (TLS, message size limit, logger...). Server reflection is off unless
   * set here (`{ reflection: true }`): building it takes about half a second per server.
   * @default { reflection: false }
   */
  server?: Omit<AgentServerOptions, "registry">;
  /** Options of the attached {@link PropellerClient} (e.g. credentials for a TLS server). @default plaintext */
  client?: PropellerClientOptions;
}

/** A running in-process agent server, from {@link startTestServer}. */
export interface TestServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  /** The registry being served. */
  readonly registry: AgentRegistry;
  /** The server itself (metrics, health, in-flight count). */
  readonly server: AgentServer;
  /** A propeller-like client connected to it (over `client.protocol`, v1 unless set). */
  readonly client: PropellerClient;
  /**
   * A client of this server over the given protocol, with the same options otherwise: `client`
   * itself for its protocol, else one made on first use and closed with the server.
   */
  clientFor(protocol: WireProtocol): PropellerClient;
  /** Closes the client and stops the server (in-flight calls get 1 s). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the real {@link AgentServer} on 127.0.0.1 and a free port with the given agents and
 * plugins, plus a {@link PropellerClient} for it. Inside a jest test file it is closed
 * automatically after the last test.
 *
 * @example
 *   const { client } = await startTestServer({ plugins: [plugin] });
 *   const run = await client.runTask({ template: taskTemplate({ type: "custom_task" }) });
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const registry = new AgentRegistry();
  for (const plugin of options.plugins ?? []) {
    for (const agent of plugin.agents) registry.register(agent, { source: plugin.name ?? "(plugin)" });
  }
  for (const agent of options.agents ?? []) registry.register(agent, { source: "(test)" });
  const server = new AgentServer({ reflection: false, ...options.server, registry });
  const port = await server.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = new PropellerClient(address, options.client);
  const others = new Map<WireProtocol, PropellerClient>();
  let closing: Promise<void> | undefined;
  const testServer: TestServer = {
    address,
    port,
    registry,
    server,
    client,
    clientFor(protocol) {
      if (protocol === client.protocol) return client;
      let other = others.get(protocol);
      if (!other) {
        other = new PropellerClient(address, { ...options.client, protocol });
        others.set(protocol, other);
      }
      return other;
    },
    close() {
      closing ??= (async () => {
        untrack();
        client.close();
        for (const other of others.values()) other.close();
        await server.shutdown({ drainMs: 1000 });
      })();
      return closing;
    },
  };
  const untrack = track(testServer);
  return testServer;
}
