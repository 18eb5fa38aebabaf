/**
 * Child-process entry of {@link startServerProcess}: serves the plugin modules given as
 * arguments on 127.0.0.1 and a free port, prints `{"port":N}` on stdout, and stops on SIGTERM
 * or when the parent closes stdin.
 */
import { AgentRegistry, AgentServer, isAgentPlugin } from "@flyte-agent/core";

async function main(modules: string[]): Promise<void> {
  const registry = new AgentRegistry();
  for (const path of modules) {
    const loaded: unknown = require(path);
    const plugin = isAgentPlugin(loaded) ? loaded : (loaded as { default?: unknown }).default;
    if (!isAgentPlugin(plugin)) throw new Error(`${path} does not export a plugin (definePlugin) as its default export`);
    for (const agent of plugin.agents) registry.register(agent, { source: path });
  }
  const server = new AgentServer({ registry, reflection: false });
  const port = await server.listen(0, "127.0.0.1");
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const stop = () => {
    server.shutdown({ drainMs: 1000 }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
