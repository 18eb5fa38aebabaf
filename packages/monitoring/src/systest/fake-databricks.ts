/**
 * A fake Databricks workspace on 127.0.0.1 for the image system test: prints its URL on the
 * first line of stdout, serves until SIGTERM, then prints how many requests it refused for a
 * wrong token.
 *
 *   node dist/systest/fake-databricks.js <accepted-token> [latency-ms] [running-polls]
 *
 * `latency-ms` delays every answer; with `running-polls`, each run is PENDING once, RUNNING for
 * that many polls, then TERMINATED (SUCCESS).
 * @module
 */
import { startFakeDatabricks } from "@flyte-agent/databricks/testing";

async function main(): Promise<void> {
  const [token, latency, running] = process.argv.slice(2);
  if (!token) throw new Error("usage: fake-databricks.js <accepted-token> [latency-ms] [running-polls]");
  const states =
    running === undefined
      ? undefined
      : [
          { life_cycle_state: "PENDING", state_message: "Waiting for cluster" },
          ...Array.from({ length: Number(running) }, () => ({ life_cycle_state: "RUNNING", state_message: "In run" })),
          { life_cycle_state: "TERMINATED", result_state: "SUCCESS", state_message: "" },
        ];
  const fake = await startFakeDatabricks({ token, latencyMs: Number(latency ?? "0"), states });
  process.stdout.write(`${fake.url}\n`);
  process.once("SIGTERM", () => {
    process.stderr.write(`fake-databricks: ${JSON.stringify(fake.stats)}\n`);
    fake.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-databricks: ${String(err)}\n`);
  process.exit(1);
});
