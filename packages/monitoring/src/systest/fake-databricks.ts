/**
 * A fake Databricks workspace on 127.0.0.1 for the image system test: prints its URL on the
 * first line of stdout, serves until SIGTERM, then prints how many requests it refused for a
 * wrong token.
 *
 *   node dist/systest/fake-databricks.js <accepted-token>
 * @module
 */
import { startFakeDatabricks } from "@flyte-agent/databricks/testing";

async function main(): Promise<void> {
  const token = process.argv[2];
  if (!token) throw new Error("usage: fake-databricks.js <accepted-token>");
  const fake = await startFakeDatabricks({ token });
  process.stdout.write(`${fake.url}\n`);
  process.once("SIGTERM", () => {
    process.stderr.write(`fake-databricks: runs submitted ${fake.runs.size}, ${JSON.stringify(fake.stats)}\n`);
    fake.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-databricks: ${String(err)}\n`);
  process.exit(1);
});
