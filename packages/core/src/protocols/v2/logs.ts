import { logs, type connector } from "@flyte-agent/flyteidl/v2";
import type { LogLine, LogsChunk } from "../../types";

/** One v2 log line from what an agent yields. */
export function toV2LogLine(line: string | LogLine): logs.LogLine {
  if (typeof line === "string") return { message: line, originator: logs.LogLineOriginator.USER, timestamp: undefined };
  const ms = line.timestamp?.getTime();
  return {
    message: line.message,
    originator: line.originator === "system" ? logs.LogLineOriginator.SYSTEM : logs.LogLineOriginator.USER,
    timestamp: ms === undefined ? undefined : { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 },
  };
}

/**
 * The GetTaskLogs stream messages for one chunk an agent yields: a header with the continuation
 * token (when set), then a body with the lines (when any), as on v1.
 */
export function toV2LogsResponses(chunk: LogsChunk): connector.GetTaskLogsResponse[] {
  const out: connector.GetTaskLogsResponse[] = [];
  if (chunk.nextToken !== undefined) out.push({ part: { $case: "header", value: { token: chunk.nextToken } } });
  if (chunk.lines && chunk.lines.length > 0) {
    const lines = chunk.lines.map(toV2LogLine);
    out.push({ part: { $case: "body", value: { results: lines.map((l) => l.message), lines } } });
  }
  return out;
}
