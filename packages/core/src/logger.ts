import pino, { type Logger } from "pino";
import { redactSecrets } from "./secrets";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. @default process.env.LOG_LEVEL ?? "info" */
  level?: string;
  /** Where lines go. @default stdout */
  destination?: NodeJS.WritableStream;
}

type SonicBoom = ReturnType<typeof pino.destination>;

/** The batches whose pending lines must reach stdout when the process exits. */
const liveBatches = new Set<TurnBatch>();
let exitHookInstalled = false;

/**
 * Collects the lines logged during one turn of the event loop and hands them to `out` as one
 * chunk at the end of the turn (`setImmediate`). A busy server makes one write per turn instead
 * of one per request, and a line still leaves before the server reads its next request.
 */
class TurnBatch {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private readonly writePending = () => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.out.write(chunk as unknown as string); // sonic-boom in "buffer" mode takes bytes
  };

  constructor(private readonly out: SonicBoom) {
    liveBatches.add(this);
    out.on("close", () => liveBatches.delete(this));
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", () => {
        for (const batch of liveBatches) batch.flushSync();
      });
    }
  }

  /** Called by pino with one finished line. */
  write(line: string): boolean {
    const bytes = Buffer.from(line);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writePending);
    }
    return true;
  }

  /** Called by `logger.flush(cb)`: writes what is pending, `cb` once it is out. */
  flush(cb?: (err?: Error) => void): void {
    this.writePending();
    this.out.flush(cb);
  }

  /** Writes what is pending synchronously (process exit). */
  flushSync(): void {
    this.writePending();
    try {
      this.out.flushSync();
    } catch {
      // not open yet, or already closed: nothing can be written
    }
  }
}

/**
 * A JSON logger (pino) that scrubs known secret values from every line. By default it writes
 * to stdout asynchronously, the lines of one event-loop turn in one write; what is pending is
 * written when the process exits, and `logger.flush(callback)` writes it at once.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const destination = options.destination ?? new TurnBatch(pino.destination({ dest: 1, sync: false, contentMode: "buffer" }));
  return pino(
    {
      level,
      base: { service: "flyte-agent" },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        streamWrite: (line) => redactSecrets(line),
      },
    },
    destination,
  );
}

/** A logger that drops everything (library use and tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
