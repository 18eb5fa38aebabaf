/**
 * System test against a real Prometheus (run by tests/system/prometheus.test.sh):
 *
 * 1. two fake Databricks workspaces on 127.0.0.1 (real HTTP, Jobs API 2.1): one accepts the
 *    agent's token, the other answers 401; faults on the first give 429s, retries and a request
 *    given up after its retries;
 * 2. `flyte-agent serve` (every workspace plugin) under a short propeller-shaped load over both
 *    protocols: databricks and custom_task tasks created and polled to the end, sync tasks, and
 *    GetTask calls with broken resource_meta (errors);
 * 3. Prometheus (the binary given) scraping it every second, with the rules generated from the
 *    real PrometheusRule with `for:` shortened;
 * 4. every query of every dashboard panel must return data, and FlyteAgentExternalCredentialsRefused
 *    must fire.
 *
 *   node dist/systest/prometheus-check.js <prometheus-binary> <work-dir>
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type FakeDatabricks, startFakeDatabricks } from "@flyte-agent/databricks/testing";
import { PropellerClient, taskTemplate } from "@flyte-agent/testing";
import { ROWS } from "../dashboard";
import { writeRuleFile } from "../rules";
import { type AgentProcess, freePort, pause, startAgent, stopAgent } from "./processes";

const TOKEN = "dapi-systest-token";
const JOB = "flyte-agent";

function databricksTemplate(instance?: string) {
  return taskTemplate({
    type: "databricks",
    name: "wf.spark_job",
    custom: {
      databricksConf: { run_name: "systest", new_cluster: { spark_version: "13.3.x-scala2.12", num_workers: 1.0 } },
      ...(instance ? { databricksInstance: instance } : {}),
    },
    container: {
      image: "ghcr.io/example/spark:1.0",
      args: ["pyflyte-execute", "--inputs", "s3://bucket/inputs.pb"],
      env: { FLYTE_INTERNAL_PROJECT: "flytesnacks" },
    },
  });
}

const customTemplate = (fail: boolean) => taskTemplate({ type: "custom_task", custom: { durationSeconds: 0.0, fail } });
const syncTemplate = () => taskTemplate({ type: "custom_sync_task", custom: {} });

/** One round of calls, as propeller would send them for a few tasks. Errors are expected for some. */
async function round(clients: PropellerClient[], good: FakeDatabricks, bad: FakeDatabricks, n: number): Promise<void> {
  const client = clients[n % clients.length] as PropellerClient;
  const ignore = () => undefined;
  if (n % 5 === 0) good.failNext("get", { status: 429, retryAfter: "0" });
  if (n % 9 === 0) good.failNext("get", { status: 503, times: 4 }); // outlasts the 4 attempts: given up
  const databricks = { name: "databricks", version: 0 };
  const meta = await client.createTask({ template: databricksTemplate() });
  for (let i = 0; i < 4; i++) {
    const r = await client.getTask(databricks, meta);
    if (r.phase >= 3 && r.phase !== 6 && r.phase !== 7) break;
  }
  await client.createTask({ template: databricksTemplate(bad.url) }).catch(ignore); // 401 from the workspace
  const custom = { name: "custom_task", version: 0 };
  const customMeta = await client.createTask({ template: customTemplate(n % 4 === 0) });
  await client.getTask(custom, customMeta);
  await client.getTask(custom, new Uint8Array([1, 2, 3])).catch(ignore); // broken resource_meta: INVALID_ARGUMENT
  if (client.protocol === "v1") await client.executeTaskSync({ template: syncTemplate() });
}

/** Runs one instant query; the result's series. */
async function query(base: string, expr: string): Promise<unknown[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== "success") throw new Error(`query failed: ${body.error ?? res.status}: ${expr}`);
  return body.data?.result ?? [];
}

async function main(): Promise<number> {
  const [prometheusBin, work] = process.argv.slice(2);
  if (!prometheusBin || !work) {
    process.stderr.write("usage: prometheus-check.js <prometheus-binary> <work-dir>\n");
    return 2;
  }
  const good = await startFakeDatabricks({ token: TOKEN });
  const bad = await startFakeDatabricks({ token: "dapi-another-workspace" });
  let agent: AgentProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let promLog = "";
  let stopLoad = false;
  let loadError: unknown;
  try {
    agent = await startAgent({
      env: { _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: TOKEN, FLYTE_DATABRICKS_INSTANCE: good.url },
    });
    const address = `127.0.0.1:${agent.port}`;
    const clients = [new PropellerClient(address), new PropellerClient(address, { protocol: "v2" })];

    const promPort = await freePort();
    writeRuleFile(join(work, "rules.yaml"), { for: "2s", interval: "1s" });
    writeFileSync(
      join(work, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        "rule_files: [rules.yaml]",
        "scrape_configs:",
        `  - job_name: ${JOB}`,
        `    static_configs: [{ targets: ["127.0.0.1:${agent.metricsPort}"] }]`,
        "",
      ].join("\n"),
    );
    prometheus = spawn(
      prometheusBin,
      [
        `--config.file=${join(work, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(work, "data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const keep = (c: Buffer) => {
      promLog = (promLog + c.toString("utf8")).slice(-10_000);
    };
    prometheus.stdout?.on("data", keep);
    prometheus.stderr?.on("data", keep);
    const base = `http://127.0.0.1:${promPort}`;

    // The load runs until the checks are done, so that every rate() has recent samples.
    const load = (async () => {
      for (let n = 0; !stopLoad; n++) {
        await round(clients, good, bad, n);
        await pause(100);
      }
    })().catch((err: unknown) => {
      loadError = err;
    });

    const queries = ROWS.flatMap((row) =>
      row.panels.flatMap((panel) =>
        panel.queries.map((q) => ({
          panel: panel.title,
          expr: q.expr.replaceAll("$job", JOB).replaceAll("$__rate_interval", "1m"),
        })),
      ),
    );
    const pending = new Set(queries.map((_, i) => i));
    const deadline = Date.now() + 60_000;
    while (pending.size > 0 && Date.now() < deadline && loadError === undefined) {
      await pause(1000);
      for (const i of [...pending]) {
        const q = queries[i] as { panel: string; expr: string };
        const result = await query(base, q.expr).catch(() => []);
        if (result.length > 0) {
          pending.delete(i);
          process.stdout.write(`prometheus: panel "${q.panel}": ${result.length} series\n`);
        }
      }
    }
    if (loadError !== undefined) throw loadError;
    for (const i of pending) {
      const q = queries[i] as { panel: string; expr: string };
      process.stderr.write(`prometheus: FAIL: panel "${q.panel}" query returned no data: ${q.expr}\n`);
    }

    let firing = false;
    while (!firing && Date.now() < deadline + 30_000) {
      const res = await fetch(`${base}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      firing = body.data.alerts.some(
        (a) =>
          a.labels.alertname === "FlyteAgentExternalCredentialsRefused" &&
          a.state === "firing" &&
          a.labels.service === "Databricks",
      );
      if (!firing) await pause(1000);
    }
    stopLoad = true;
    await load;
    for (const c of clients) c.close();
    process.stdout.write(
      `prometheus: FlyteAgentExternalCredentialsRefused{service="Databricks"} ${firing ? "is firing" : "never fired"}\n`,
    );
    const ok = pending.size === 0 && firing;
    process.stdout.write(
      `prometheus: ${ok ? "PASS" : "FAIL"}: ${queries.length - pending.size}/${queries.length} panel queries returned data\n`,
    );
    return ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`prometheus: FAIL: ${(err as Error).stack ?? String(err)}\n`);
    if (agent) process.stderr.write(`--- flyte-agent output ---\n${agent.output()}\n`);
    process.stderr.write(`--- prometheus output ---\n${promLog}\n`);
    return 1;
  } finally {
    stopLoad = true;
    prometheus?.kill("SIGTERM");
    if (agent) await stopAgent(agent);
    await Promise.all([good.close(), bad.close()]);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`prometheus: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
