import { Counter, Histogram, Registry } from "prom-client";
import { CountedCounter, CountedHistogram } from "./counted-metrics";

/** The exposition text of one registry holding one metric. */
async function exposition(register: (registry: Registry) => void): Promise<string> {
  const registry = new Registry();
  register(registry);
  return registry.metrics();
}

const buckets = [0.001, 0.01, 0.1, 1];
const values = [0.0005, 0.001, 0.002, 0.05, 0.05, 0.5, 3, 42];

test("a counted histogram prints exactly what a prom-client histogram prints for the same observations", async () => {
  const ours = await exposition((registry) => {
    const h = new CountedHistogram({
      name: "t_latency",
      help: "latency",
      labelNames: ["task_type", "operation"],
      buckets,
      registers: [registry],
    });
    const a = h.series({ task_type: "bq", operation: "get" });
    const b = h.series({ operation: "create", task_type: "bq" });
    for (const v of values) a.observe(v);
    b.observe(0.2);
  });
  const theirs = await exposition((registry) => {
    const h = new Histogram({
      name: "t_latency",
      help: "latency",
      labelNames: ["task_type", "operation"],
      buckets,
      registers: [registry],
    });
    for (const v of values) h.observe({ task_type: "bq", operation: "get" }, v);
    h.observe({ task_type: "bq", operation: "create" }, 0.2);
  });
  expect(ours).toBe(theirs);
});

test("a counted counter prints exactly what a prom-client counter prints", async () => {
  const ours = await exposition((registry) => {
    const c = new CountedCounter({
      name: "t_total",
      help: "calls",
      labelNames: ["task_type", "error_code"],
      registers: [registry],
    });
    c.series({ task_type: "bq", error_code: "NOT_FOUND" }).inc();
    c.series({ task_type: "bq", error_code: "NOT_FOUND" }).inc(2);
    c.series({ task_type: "db", error_code: "INTERNAL" }).inc();
  });
  const theirs = await exposition((registry) => {
    const c = new Counter({ name: "t_total", help: "calls", labelNames: ["task_type", "error_code"], registers: [registry] });
    c.inc({ task_type: "bq", error_code: "NOT_FOUND" });
    c.inc({ task_type: "bq", error_code: "NOT_FOUND" }, 2);
    c.inc({ task_type: "db", error_code: "INTERNAL" });
  });
  expect(ours).toBe(theirs);
});

test("a series is found again by its label values, and reset forgets every series", async () => {
  const registry = new Registry();
  const c = new CountedCounter({ name: "t2_total", help: "calls", labelNames: ["a"], registers: [registry] });
  expect(c.series({ a: "x" })).toBe(c.series({ a: "x" }));
  c.series({ a: "x" }).inc();
  expect(await registry.metrics()).toContain('t2_total{a="x"} 1');
  registry.resetMetrics();
  expect(await registry.metrics()).not.toContain('t2_total{a="x"}');
});
