/**
 * Load for the image system test, against a server at 127.0.0.1:<port>: one databricks task
 * created and polled (the server must find the access token under flytekit's name in
 * /etc/secrets, or the fake workspace refuses it), then `tasks` custom_task tasks and a tenth as
 * many databricks tasks created and polled, 50 at a time. Exits 1 when any call fails.
 *
 *   node dist/systest/image-load.js <port> <tasks>
 * @module
 */
import { PropellerClient, taskTemplate } from "@flyte-agent/testing";

const databricks = () =>
  taskTemplate({
    type: "databricks",
    name: "wf.spark_job",
    custom: { databricksConf: { run_name: "image", new_cluster: { spark_version: "13.3.x-scala2.12", num_workers: 1.0 } } },
    container: { image: "ghcr.io/example/spark:1.0", args: ["pyflyte-execute"], env: {} },
  });
const custom = () => taskTemplate({ type: "custom_task", custom: { durationSeconds: 0.0, fail: false } });

async function main(): Promise<number> {
  const port = Number(process.argv[2]);
  const tasks = Number(process.argv[3] ?? "1000");
  const client = new PropellerClient(`127.0.0.1:${port}`);
  try {
    const meta = await client.createTask({ template: databricks() });
    const first = await client.getTask({ name: "databricks", version: 0 }, meta);
    process.stdout.write(`image-load: databricks task created with the token from /etc/secrets (phase ${first.phase})\n`);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < tasks) {
        const i = next++;
        const isDatabricks = i % 10 === 0;
        const category = { name: isDatabricks ? "databricks" : "custom_task", version: 0 };
        const m = await client.createTask({ template: isDatabricks ? databricks() : custom() });
        await client.getTask(category, m);
        await client.getTask(category, m);
        done++;
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: 50 }, worker));
    process.stdout.write(
      `image-load: ${done} tasks created and polled twice in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`image-load: FAIL: ${(err as Error).message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

main().then((code) => {
  process.exitCode = code;
});
