import { formatCategory } from "../agent";
import { phaseName } from "../phase";
import type { RunEvent, TaskStatus } from "./types";

const SPINNER = ["-", "\\", "|", "/"];

/** Elapsed time as `12.3s` or `3m05s`. */
function clock(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** The output stream of a display (a TTY stream has `columns`). */
export interface DisplayStream {
  write(text: string): unknown;
  columns?: number;
}

/**
 * Shows a run's progress. On a terminal: one status line (spinner, phase, elapsed time,
 * message) redrawn in place, with phase changes, log links and problems printed above it. Not
 * on a terminal: one plain line per phase change, message change, log link or problem.
 */
export class ProgressDisplay {
  private status: TaskStatus | undefined;
  private readonly seenLinks = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private readonly startedAt = Date.now();
  private statusShown = false;

  constructor(
    private readonly out: DisplayStream,
    /** Redraw a status line (true on a terminal). */
    private readonly live: boolean,
  ) {
    if (live) {
      this.timer = setInterval(() => this.redraw(), 100);
      this.timer.unref();
    }
  }

  /** Handles one event of {@link runTask}. */
  readonly onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case "started":
        this.line(
          `running ${formatCategory(event.category)} (${event.sync ? "sync" : "async"}) ${event.target === "in-process" ? "in-process" : `on ${event.target}`}${event.protocol === "v2" ? " over flyteidl2 (v2)" : ""}`,
        );
        break;
      case "created":
        this.line(`${clock(event.elapsedMs)}  created`);
        break;
      case "status":
        this.onStatus(event.status, event.phaseChanged);
        break;
      case "retry":
        // event.error names the call already ("GetTask failed: UNAVAILABLE: ...")
        this.line(`${clock(event.elapsedMs)}  retrying (failure ${event.failures}): ${event.error}`);
        break;
      case "deleting":
        this.line(`${clock(event.elapsedMs)}  ${event.reason === "timeout" ? "timed out" : event.reason}: deleting the task`);
        break;
      case "deleted":
        this.line(`${clock(event.elapsedMs)}  ${event.ok ? "deleted" : `DeleteTask failed: ${event.error}`}`);
        break;
      case "warning":
        this.line(`warning: ${event.message}`);
        break;
    }
  };

  private onStatus(status: TaskStatus, phaseChanged: boolean): void {
    const messageChanged = status.message !== this.status?.message;
    this.status = status;
    if (phaseChanged || (!this.live && messageChanged)) {
      this.line(`${clock(status.elapsedMs)}  ${status.phaseName.padEnd(9)}${status.message ? `  ${status.message}` : ""}`);
    }
    for (const link of status.logLinks) {
      const key = `${link.name}\u0000${link.uri}`;
      if (this.seenLinks.has(key)) continue;
      this.seenLinks.add(key);
      this.line(`          log: ${link.name}: ${link.uri}`);
    }
    this.redraw();
  }

  /** Prints a permanent line (above the status line on a terminal). */
  line(text: string): void {
    this.clearStatus();
    this.out.write(`${text}\n`);
    this.redraw();
  }

  private clearStatus(): void {
    if (this.statusShown) this.out.write("\r\x1b[2K");
    this.statusShown = false;
  }

  private redraw(): void {
    if (!this.live || !this.status) return;
    this.frame = (this.frame + 1) % SPINNER.length;
    const s = this.status;
    let text = `${SPINNER[this.frame]} ${phaseName(s.phase)}  ${clock(Date.now() - this.startedAt)}${s.message ? `  ${s.message}` : ""}`;
    const columns = this.out.columns && this.out.columns > 20 ? this.out.columns : 80;
    const width = columns - 1;
    if (text.length > width) text = `${text.slice(0, Math.max(0, width - 3))}...`;
    this.out.write(`\r\x1b[2K${text}`);
    this.statusShown = true;
  }

  /** Stops redrawing and clears the status line. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearStatus();
  }
}
