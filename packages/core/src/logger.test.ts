import { type BatchSink, LINE_BATCH_TEST_HOOKS, LOG_BATCH_BYTES, LOG_BATCH_WINDOW_MS, LineBatch } from "./logger";

/** A sink that records each write. */
class RecordingSink implements BatchSink {
  readonly writes: string[] = [];
  flushed = 0;
  write(chunk: Buffer): void {
    this.writes.push(chunk.toString());
  }
  flush(cb?: (err?: Error) => void): void {
    this.flushed++;
    cb?.();
  }
  flushSync(): void {
    this.flushed++;
  }
  on(): void {}
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test("lines logged within the window leave in one write when it ends", () => {
  const sink = new RecordingSink();
  const batch = new LineBatch(sink);
  batch.write("a\n");
  jest.advanceTimersByTime(LOG_BATCH_WINDOW_MS - 1);
  batch.write("b\n");
  expect(sink.writes).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(sink.writes).toEqual(["a\nb\n"]);
  batch.write("c\n");
  jest.advanceTimersByTime(LOG_BATCH_WINDOW_MS);
  expect(sink.writes).toEqual(["a\nb\n", "c\n"]);
});

test("a full batch is written at once, without waiting for the window", () => {
  const sink = new RecordingSink();
  const batch = new LineBatch(sink);
  const line = `${"x".repeat(1023)}\n`;
  for (let i = 0; i < LOG_BATCH_BYTES / line.length; i++) batch.write(line);
  expect(sink.writes).toHaveLength(1);
  expect(sink.writes[0]).toHaveLength(LOG_BATCH_BYTES);
  jest.advanceTimersByTime(LOG_BATCH_WINDOW_MS);
  expect(sink.writes).toHaveLength(1);
});

test("flush writes what is pending at once, and the window's timer then writes nothing more", () => {
  const sink = new RecordingSink();
  const batch = new LineBatch(sink);
  batch.write("a\n");
  const done = jest.fn();
  batch.flush(done);
  expect(sink.writes).toEqual(["a\n"]);
  expect(done).toHaveBeenCalledTimes(1);
  jest.advanceTimersByTime(LOG_BATCH_WINDOW_MS);
  expect(sink.writes).toEqual(["a\n"]);
});

test("process exit writes pending lines synchronously", () => {
  const sink = new RecordingSink();
  const batch = new LineBatch(sink);
  batch.write("last words\n");
  LINE_BATCH_TEST_HOOKS.flushAllOnExit();
  expect(sink.writes).toEqual(["last words\n"]);
  expect(sink.flushed).toBeGreaterThan(0);
});
