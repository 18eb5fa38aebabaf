import { connector, logs } from "@flyte-agent/flyteidl/v2";
import { toV2LogsResponses } from "./logs";

describe("toV2LogsResponses", () => {
  it("sends the token as a header, then the lines as a body with results and structured lines", () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const out = toV2LogsResponses({
      nextToken: "page-2",
      lines: ["plain", { message: "sys", originator: "system", timestamp: at }],
    }).map((m) => connector.GetTaskLogsResponse.decode(connector.GetTaskLogsResponse.encode(m).finish()));
    expect(out[0]).toEqual({ part: { $case: "header", value: { token: "page-2" } } });
    const body = out[1]?.part;
    expect(body?.$case).toBe("body");
    if (body?.$case !== "body") return;
    expect(body.value.results).toEqual(["plain", "sys"]);
    expect(body.value.lines[0]).toEqual({ message: "plain", originator: logs.LogLineOriginator.USER, timestamp: undefined });
    expect(body.value.lines[1]?.originator).toBe(logs.LogLineOriginator.SYSTEM);
    expect(body.value.lines[1]?.timestamp).toEqual({ seconds: BigInt(Math.floor(at.getTime() / 1000)), nanos: 678e6 });
  });

  it("sends nothing for an empty chunk, and no header without a token", () => {
    expect(toV2LogsResponses({})).toEqual([]);
    expect(toV2LogsResponses({ lines: ["x"] }).map((m) => m.part?.$case)).toEqual(["body"]);
  });
});
