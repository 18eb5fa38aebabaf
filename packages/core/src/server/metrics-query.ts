/** A protobuf Timestamp or Duration as both flyteidl generations decode it. */
interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

/** The fields GetTaskMetricsRequest has in flyteidl 1 and flyteidl2 alike. */
export interface MetricsRequestFields {
  queries: string[];
  startTime?: SecondsNanos | undefined;
  endTime?: SecondsNanos | undefined;
  step?: SecondsNanos | undefined;
}

/** The query part of a MetricsContext, read from a GetTaskMetricsRequest of either protocol. */
export interface MetricsQuery {
  queries: string[];
  startTime: Date | undefined;
  endTime: Date | undefined;
  stepSeconds: number | undefined;
}

const toDate = (t: SecondsNanos | undefined) => (t ? new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)) : undefined);

/** Reads queries, time range and step of a GetTaskMetricsRequest (v1 or v2: same fields). */
export function metricsQuery(req: MetricsRequestFields): MetricsQuery {
  return {
    queries: req.queries,
    startTime: toDate(req.startTime),
    endTime: toDate(req.endTime),
    stepSeconds: req.step ? Number(req.step.seconds) + req.step.nanos / 1e9 : undefined,
  };
}
