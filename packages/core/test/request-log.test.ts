/** The request line written through a bound child logger is the line the plain logger writes. */
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogger } from "../src/logger";
import { registerSecretValue } from "../src/secrets";
import { RequestLog } from "../src/server/request-log";

/** A logger (as the server creates it) whose lines land in `lines`, with a fixed time. */
function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString().replace(/"time":\d+/, '"time":0'));
      done();
    },
  });
  return { log: createLogger({ level: "info", destination }), lines };
}

describe("RequestLog", () => {
  it("writes the same line as logging every field on the logger itself, on success and failure", () => {
    const viaChild = capture();
    const plain = capture();
    const requestLog = new RequestLog(viaChild.log);
    for (let i = 0; i < 3; i++) {
      requestLog.write("info", "get", "custom_task@0", "Custom Agent", { status: "OK", durationMs: 0.25 }, "request");
    }
    requestLog.write("warn", "create", "nope@1", "", { status: "NOT_FOUND", durationMs: 1, error: 'no "x"' }, "request failed");
    requestLog.write("error", "list_agents", "", "", { status: "INTERNAL", durationMs: 2, error: "boom" }, "request failed");
    for (let i = 0; i < 3; i++) {
      plain.log.info(
        { operation: "get", category: "custom_task@0", agent: "Custom Agent", status: "OK", durationMs: 0.25 },
        "request",
      );
    }
    plain.log.warn(
      { operation: "create", category: "nope@1", status: "NOT_FOUND", durationMs: 1, error: 'no "x"' },
      "request failed",
    );
    plain.log.error({ operation: "list_agents", status: "INTERNAL", durationMs: 2, error: "boom" }, "request failed");
    expect(viaChild.lines).toHaveLength(5);
    expect(viaChild.lines).toEqual(plain.lines);
    expect(JSON.parse(viaChild.lines[0]!)).toEqual({
      level: "info",
      time: 0,
      service: "flyte-agent",
      operation: "get",
      category: "custom_task@0",
      agent: "Custom Agent",
      status: "OK",
      durationMs: 0.25,
      msg: "request",
    });
  });

  it("past 1,000 distinct (operation, category, agent) still writes the full line", () => {
    const { log, lines } = capture();
    const requestLog = new RequestLog(log);
    for (let i = 0; i < 1005; i++)
      requestLog.write("warn", "get", `t${i}@0`, "", { status: "NOT_FOUND", durationMs: 1 }, "request failed");
    expect(lines).toHaveLength(1005);
    expect(JSON.parse(lines[1004]!)).toMatchObject({
      operation: "get",
      category: "t1004@0",
      status: "NOT_FOUND",
      msg: "request failed",
    });
    expect(JSON.parse(lines[1004]!)).not.toHaveProperty("agent");
  });

  it("the lines of a bound child are scrubbed of known secrets like any other line", () => {
    const { log, lines } = capture();
    registerSecretValue("request-log-test-secret-value");
    new RequestLog(log).write(
      "warn",
      "get",
      "custom_task@0",
      "Custom Agent",
      { status: "UNAUTHENTICATED", durationMs: 1, error: "token request-log-test-secret-value refused" },
      "request failed",
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("request-log-test-secret-value");
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: "token [REDACTED] refused" });
  });
});
