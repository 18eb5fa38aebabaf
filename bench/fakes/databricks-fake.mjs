// Runs the fake Databricks Jobs API of @flyte-agent/databricks/testing in its own process (so
// its timers do not share an event loop with the load client). Started with fork(); sends
// {url, token} once listening (added latency in ms: argv[2], else env FAKE_LATENCY_MS, default 20), answers "stats" messages with its counters, exits on "close".
import { join } from "node:path";
import { REPO_ROOT } from "../lib/repo.mjs";

const testing = await import(join(REPO_ROOT, "packages", "databricks", "dist", "testing", "index.js"));
const { startFakeDatabricks } = testing.default ?? testing;
const latencyMs = Number(process.argv[2] ?? process.env.FAKE_LATENCY_MS ?? 20);
const fake = await startFakeDatabricks({ latencyMs, states: [{ life_cycle_state: "RUNNING", state_message: "In run" }] });
process.send({ type: "ready", url: fake.url, token: fake.token });
process.on("message", async (msg) => {
  if (msg === "stats") process.send({ type: "stats", stats: { ...fake.stats }, runs: fake.runs.size });
  if (msg === "close") {
    await fake.close();
    process.exit(0);
  }
});
