import pino, { type Logger } from "pino";
import { redactSecrets } from "./secrets";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. @default process.env.LOG_LEVEL ?? "info" */
  level?: string;
  /** Where lines go. @default stdout */
  destination?: NodeJS.WritableStream;
}

/**
 * Lines are written to stdout in batches of at least this many bytes (about 15 request lines),
 * so a busy server makes one `write` per batch instead of one per request.
 */
export const LOG_BATCH_BYTES = 4096;
/** A batch that is not full is written after at most this many milliseconds. */
export const LOG_FLUSH_INTERVAL_MS = 100;

/**
 * A JSON logger (pino) that scrubs known secret values from every line. By default it writes
 * to stdout asynchronously in batches ({@link LOG_BATCH_BYTES}, at least every
 * {@link LOG_FLUSH_INTERVAL_MS}); what is buffered is written when the process exits, and
 * `logger.flush(callback)` writes it at once.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  // The batch holds each line as bytes (sonic-boom's "buffer" mode): in its string mode every
  // line re-copies the whole pending batch to measure it, about 2 KB of garbage per line.
  const destination =
    options.destination ??
    pino.destination({
      dest: 1,
      sync: false,
      minLength: LOG_BATCH_BYTES,
      periodicFlush: LOG_FLUSH_INTERVAL_MS,
      contentMode: "buffer",
    });
  const toBytes = options.destination === undefined;
  return pino(
    {
      level,
      base: { service: "flyte-agent" },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // pino hands the hook's result to the destination's write(), which takes bytes in buffer mode.
        streamWrite: toBytes ? (line) => Buffer.from(redactSecrets(line)) as unknown as string : (line) => redactSecrets(line),
      },
    },
    destination,
  );
}

/** A logger that drops everything (library use and tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
