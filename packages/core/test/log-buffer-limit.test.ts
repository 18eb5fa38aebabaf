/**
 * The default log destination holds at most `bufferLimitBytes` of lines that stdout has not
 * taken yet; lines past that are dropped, not held, and counted in
 * `flyte_agent_log_lines_dropped_total`. A child process logs into a pipe nobody reads (as a
 * stalled log collector would leave it), so nothing it logs in one turn of its event loop can
 * leave the buffer: exactly floor(limit / line size) lines are kept.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createLogger, LOG_BUFFER_BYTES } from "../src/logger";

const CORE_DIST = join(__dirname, "..", "dist", "index.js");

/** Logs `lines` lines of the same size with a small limit, prints the drop counter to stderr, exits after a flush. */
const CHILD = `
const core = require(${JSON.stringify(CORE_DIST)});
const [limit, lines] = process.argv.slice(1).map(Number);
const log = core.createLogger({ bufferLimitBytes: limit });
const pad = "x".repeat(1000);
for (let i = 0; i < lines; i++) log.info({ n: String(i).padStart(6, "0"), pad }, "line");
const metrics = new core.AgentMetrics({ defaultMetrics: false, legacy: false });
metrics.registry.getSingleMetricAsString("flyte_agent_log_lines_dropped_total").then((text) => {
  process.stderr.write(JSON.stringify({ text }) + "\\n");
  log.flush(() => process.exit(0));
});
`;

function spawnChild(limit: number, lines: number): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ["-e", CHILD, String(limit), String(lines)], { stdio: ["ignore", "pipe", "pipe"] });
}

/** The first line the child writes to stderr, parsed. */
async function firstStderrLine(child: ChildProcessByStdio<null, Readable, Readable>): Promise<{ text: string }> {
  let text = "";
  for await (const chunk of child.stderr) {
    text += String(chunk);
    const end = text.indexOf("\n");
    if (end >= 0) return JSON.parse(text.slice(0, end)) as { text: string };
  }
  throw new Error(`the child wrote no line to stderr (exit ${child.exitCode})`);
}

describe("the default log destination when stdout does not take its lines", () => {
  jest.setTimeout(30_000);

  it("keeps exactly floor(limit / line size) bytes' worth of lines and counts every other line as dropped", async () => {
    const limit = 64 * 1024;
    const lines = 200; // about 200 KiB: three times the limit, more than a pipe's buffer too
    const child = spawnChild(limit, lines);
    // stdout is not read until the child has logged everything and reported its counter.
    const reported = await firstStderrLine(child);
    const out: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    const [code] = await once(child, "exit");
    expect(code).toBe(0);

    const written = Buffer.concat(out).toString("utf8").split("\n").filter(Boolean);
    const sizes = new Set(written.map((l) => Buffer.byteLength(l) + 1));
    expect(sizes.size).toBe(1); // every line has the same size, newline included
    const lineBytes = [...sizes][0]!;
    expect(lineBytes).toBeGreaterThan(1000);
    const kept = Math.floor(limit / lineBytes);
    expect(written).toHaveLength(kept);
    // The kept lines are the first ones, in order.
    expect(written.map((l) => (JSON.parse(l) as { n: string }).n)).toEqual(
      Array.from({ length: kept }, (_, i) => String(i).padStart(6, "0")),
    );
    const dropped = Number(/^flyte_agent_log_lines_dropped_total (\d+)$/m.exec(reported.text)?.[1]);
    expect(dropped).toBe(lines - kept);
  });

  it("drops nothing when the lines fit", async () => {
    const child = spawnChild(1024 * 1024, 50);
    const reported = await firstStderrLine(child);
    const out: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    await once(child, "exit");
    expect(Buffer.concat(out).toString("utf8").split("\n").filter(Boolean)).toHaveLength(50);
    expect(reported.text).toMatch(/^flyte_agent_log_lines_dropped_total 0$/m);
  });

  it("refuses a limit that is not above the batch size", () => {
    expect(() => createLogger({ bufferLimitBytes: LOG_BUFFER_BYTES })).toThrow(
      `bufferLimitBytes must be a whole number above ${LOG_BUFFER_BYTES}, got ${LOG_BUFFER_BYTES}`,
    );
    expect(() => createLogger({ bufferLimitBytes: 1.5e6 + 0.5 })).toThrow(RangeError);
  });
});
