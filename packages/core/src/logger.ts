import pino, { type Logger } from "pino";
import { redactSecrets } from "./secrets";

/** Bytes of log lines the default destination collects before it writes them out. */
export const LOG_BUFFER_BYTES = 4096;
/** Longest a line waits in the default destination's buffer, in milliseconds. */
export const LOG_FLUSH_INTERVAL_MS = 100;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. @default process.env.LOG_LEVEL ?? "info" */
  level?: string;
  /** Where lines go. @default stdout, buffered (see {@link createLogger}) */
  destination?: NodeJS.WritableStream;
}

/**
 * A JSON logger (pino) that scrubs known secret values from every line. By default it writes
 * to stdout through pino's own asynchronous destination (sonic-boom, `sync: false`) with
 * sonic-boom's `minLength` buffer of {@link LOG_BUFFER_BYTES} and its `periodicFlush` of
 * {@link LOG_FLUSH_INTERVAL_MS}: lines leave together once that many bytes are waiting, and at
 * the latest that many milliseconds after they were logged, so a line logged at idle still
 * appears promptly. pino writes what is pending synchronously when the process exits (also
 * after `process.exit`), and `logger.flush(callback)` writes it at once (`flyte-agent serve`
 * does before it exits on SIGTERM/SIGINT).
 *
 * Why: at a steady 2,000 GetTask/s each request is served in its own turn of the event loop,
 * so without the buffer nearly every request line was its own write on libuv's thread pool
 * (a thread hand-off and a wake-up of the event loop per line). With the buffer there is one
 * write per about 4 KiB of lines.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const destination =
    options.destination ??
    pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
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
