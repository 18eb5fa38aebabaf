import { Phase } from "../../src";
import { ProgressDisplay } from "../../src/runner/progress-display";
import type { RunEvent } from "../../src/runner/types";

const status = (phase: Phase, phaseName: string, message: string, elapsedMs: number): RunEvent => ({
  type: "status",
  phaseChanged: true,
  status: { phase, phaseName, message, elapsedMs, logLinks: [{ name: "Console", uri: "https://c.example/1" }] },
});

function show(live: boolean, events: RunEvent[]): string {
  let text = "";
  const display = new ProgressDisplay({ write: (t: string) => (text += t), columns: 60 }, live);
  for (const e of events) display.onEvent(e);
  display.close();
  return text;
}

const events: RunEvent[] = [
  { type: "started", target: "in-process", category: { name: "q", version: 0 }, sync: false, outputPrefix: "/tmp/x" },
  status(Phase.RUNNING, "RUNNING", "step 1", 100),
  { ...status(Phase.RUNNING, "RUNNING", "step 2", 1100), phaseChanged: false } as RunEvent,
  status(Phase.SUCCEEDED, "SUCCEEDED", "done", 2100),
];

test("plain lines when not on a terminal: phases, message changes, each log link once", () => {
  expect(show(false, events)).toBe(
    [
      "running q@0 (async) in-process",
      "0.1s  RUNNING    step 1",
      "          log: Console: https://c.example/1",
      "1.1s  RUNNING    step 2",
      "2.1s  SUCCEEDED  done",
      "",
    ].join("\n"),
  );
});

test("on a terminal, one status line is redrawn in place and cleared at the end", () => {
  const out = show(true, events);
  expect(out).toContain("\r\x1b[2K");
  const redraws = out.split("\r\x1b[2K").filter((part) => part.includes("step 2"));
  expect(redraws.some((part) => /^[-\\|/] RUNNING {2}\d+\.\ds {2}step 2$/.test(part))).toBe(true);
  expect(out).not.toContain("1.1s  RUNNING    step 2\n");
  expect(out.endsWith("\r\x1b[2K")).toBe(true);
});
