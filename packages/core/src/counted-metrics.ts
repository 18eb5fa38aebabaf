/**
 * Counters and histograms that count in plain fields and hand their values to a prom-client
 * `Registry` only when it is read (`/metrics`).
 *
 * prom-client hashes the label values of every observation, also through a label-bound child,
 * which showed up as 2-3 % of the server's CPU per call. Here each label set is looked up once
 * ({@link CountedCounter.series}, {@link CountedHistogram.series}) and an observation is a few
 * additions. The exposition (names, HELP, TYPE, label order, `le` buckets, `_sum`, `_count`) is
 * prom-client's own, since the registry formats what `get()` returns.
 * @module
 */
import type { Metric, Registry } from "prom-client";

type Labels = Record<string, string>;

/** What prom-client's registry reads from a metric. */
interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** One label set of a {@link CountedCounter}. */
export class CounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  /** Adds `by` (default 1). */
  inc(by = 1): void {
    this.value += by;
  }
}

/** One label set of a {@link CountedHistogram}. */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  /** Records one value. */
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** Options shared by both metric kinds. */
export interface CountedMetricOptions {
  name: string;
  help: string;
  /** Label names, in the order they are printed. */
  labelNames: readonly string[];
  registers: readonly Registry[];
}

abstract class CountedMetric<S extends { labels: Labels }> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = "sum" as const;
  private readonly labelNames: readonly string[];
  protected readonly bySeriesKey = new Map<string, S>();

  constructor(options: CountedMetricOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /**
   * The series of one label set, created on first use. Keep it: looking it up again costs a
   * key string; observing through it costs nothing more.
   */
  series(labels: Labels): S {
    let key = "";
    for (const name of this.labelNames) key += `${labels[name] ?? ""}\u0000`;
    let series = this.bySeriesKey.get(key);
    if (series === undefined) {
      const ordered: Labels = {};
      for (const name of this.labelNames) ordered[name] = labels[name] ?? "";
      series = this.create(ordered);
      this.bySeriesKey.set(key, series);
    }
    return series;
  }

  /** Forgets every series (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.bySeriesKey.clear();
  }

  protected abstract create(labels: Labels): S;
}

/** A counter (`TYPE counter`). */
export class CountedCounter extends CountedMetric<CounterSeries> {
  readonly type = "counter" as const;

  protected create(labels: Labels): CounterSeries {
    return new CounterSeries(labels);
  }

  /** The values as prom-client's registry reads them. */
  async get(): Promise<{ name: string; help: string; type: "counter"; aggregator: "sum"; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const s of this.bySeriesKey.values()) values.push({ value: s.value, labels: s.labels });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** A histogram (`TYPE histogram`) with fixed upper bounds. */
export class CountedHistogram extends CountedMetric<HistogramSeries> {
  readonly type = "histogram" as const;
  private readonly bounds: readonly number[];

  constructor(options: CountedMetricOptions & { buckets: readonly number[] }) {
    super(options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labels: Labels): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  /** The values as prom-client's registry reads them: cumulative `_bucket`s, then `_sum` and `_count`. */
  async get(): Promise<{ name: string; help: string; type: "histogram"; aggregator: "sum"; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const s of this.bySeriesKey.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i] as number;
        const le = i < this.bounds.length ? (this.bounds[i] as number) : "+Inf";
        values.push({ metricName: bucketName, labels: { le, ...s.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
