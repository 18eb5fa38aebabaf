import pino, { type Logger } from "pino";
import { redactSecrets } from "./secrets";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. @default process.env.LOG_LEVEL ?? "info" */
  level?: string;
  /** Where lines go. @default stdout */
  destination?: NodeJS.WritableStream;
}

/** Where a {@link LineBatch} writes: pino's sonic-boom destination, in "buffer" content mode. */
export interface BatchSink {
  write(chunk: Buffer): unknown;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
  on(event: "close", listener: () => void): unknown;
}

/** The batches whose pending lines must reach stdout when the process exits. */
const liveBatches = new Set<LineBatch>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  for (const batch of liveBatches) batch.flushSync();
}

/** @internal What the tests call in place of a real process exit. */
export const LINE_BATCH_TEST_HOOKS = { flushAllOnExit };

/** How long a logged line may wait for others to share its write. */
export const LOG_BATCH_WINDOW_MS = 10;
/** Pending bytes that are written at once, without waiting for the window to end. */
export const LOG_BATCH_BYTES = 16 * 1024;

/**
 * Collects logged lines and hands them to `out` as one chunk, {@link LOG_BATCH_WINDOW_MS} after
 * the first of them, or as soon as {@link LOG_BATCH_BYTES} are pending. Each write to stdout is a
 * round trip through libuv's thread pool; a server answering a few thousand calls per second
 * makes about a hundred writes per second this way instead of one per request, and a line is
 * never more than 10 ms late. Pending lines are written when the process exits and by
 * `logger.flush()`.
 */
export class LineBatch {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly writePending = () => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.out.write(chunk);
  };

  constructor(private readonly out: BatchSink) {
    liveBatches.add(this);
    out.on("close", () => liveBatches.delete(this));
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", flushAllOnExit);
    }
  }

  /** Called by pino with one finished line. */
  write(line: string): boolean {
    const bytes = Buffer.from(line);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= LOG_BATCH_BYTES) this.writePending();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.writePending, LOG_BATCH_WINDOW_MS);
      this.timer.unref(); // the exit hook writes what is pending
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
 * to stdout asynchronously, in batches of up to 10 ms; what is pending is written when the
 * process exits, and `logger.flush(callback)` writes it at once.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const destination =
    options.destination ??
    new LineBatch(pino.destination({ dest: 1, sync: false, contentMode: "buffer" }) as unknown as BatchSink);
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
