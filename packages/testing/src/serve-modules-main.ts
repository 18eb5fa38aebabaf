/**
 * Child-process entry of {@link startServerProcess}: serves the plugin modules given as
 * arguments on 127.0.0.1 and a free port, prints `{"port":N}` on stdout, and stops on SIGTERM
 * or when the parent closes stdin. The modules are loaded by core's plugin loader, with the
 * same checks as `flyte-agent serve --modules` (plugin tag, core version, own agents).
 */
import { AgentServer, buildRegistry, NOT_A_PLUGIN } from "@flyte-agent/core";

async function main(modules: string[]): Promise<void> {
  const { registry, problems } = await buildRegistry({ include: [], exclude: [], modules, strict: false });
  if (problems.length > 0) {
    const reasons = problems.map((p) =>
      p.error.startsWith(NOT_A_PLUGIN)
        ? `${p.name} does not export a plugin (definePlugin) as its default export`
        : `${p.name} cannot be served: ${p.error}`,
    );
    throw new Error(reasons.join("; "));
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
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
