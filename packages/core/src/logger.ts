import pino, { type Logger } from "pino";
import { observeLogLineDropped } from "./operations-metrics";
import { redactSecrets } from "./secrets";

/** Bytes of log lines the default destination collects before it writes them out. */
export const LOG_BUFFER_BYTES = 4096;
/** Longest a line waits in the default destination's buffer, in milliseconds. */
export const LOG_FLUSH_INTERVAL_MS = 100;
/**
 * Most bytes of log lines the default destination holds while stdout does not take them (a
 * stalled log collector, a full pipe); lines beyond are dropped and counted.
 */
export const LOG_BUFFER_LIMIT_BYTES = 8 * 1024 * 1024;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. @default process.env.LOG_LEVEL ?? "info" */
  level?: string;
  /** Where lines go. @default stdout, buffered (see {@link createLogger}) */
  destination?: NodeJS.WritableStream;
  /** The file descriptor the default destination writes to. @default 1 (stdout) */
  fd?: number;
  /** The default destination's limit of pending bytes. @default {@link LOG_BUFFER_LIMIT_BYTES} */
  bufferLimitBytes?: number;
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
 * The lines waiting for stdout are bounded: when stdout does not take them (a stalled log
 * collector) and {@link LOG_BUFFER_LIMIT_BYTES} are pending, further lines are dropped, never
 * held, and counted in `flyte_agent_log_lines_dropped_total`. Nothing is written to say so at
 * that moment: stderr usually goes to the same stalled collector, and a write to a full pipe
 * would stop the server.
 *
 * Why the buffer: at a steady 2,000 GetTask/s each request is served in its own turn of the event loop,
 * so without the buffer nearly every request line was its own write on libuv's thread pool
 * (a thread hand-off and a wake-up of the event loop per line). With the buffer there is one
 * write per about 4 KiB of lines.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const destination =
    options.destination ?? bufferedDestination(options.fd ?? 1, options.bufferLimitBytes ?? LOG_BUFFER_LIMIT_BYTES);
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

/** sonic-boom on `fd`: asynchronous, batched, at most `limitBytes` pending, drops counted. */
function bufferedDestination(fd: number, limitBytes: number): pino.DestinationStream {
  if (!Number.isInteger(limitBytes) || limitBytes <= LOG_BUFFER_BYTES) {
    throw new RangeError(`bufferLimitBytes must be a whole number above ${LOG_BUFFER_BYTES}, got ${limitBytes}`);
  }
  const destination = pino.destination({
    dest: fd,
    sync: false,
    minLength: LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
    maxLength: limitBytes,
  });
  destination.on("drop", observeLogLineDropped);
  return destination;
}

/** A logger that drops everything (library use and tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
