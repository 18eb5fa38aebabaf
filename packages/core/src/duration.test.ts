import { DurationSyntaxError, formatDuration, parseDuration } from "./duration";

describe("parseDuration", () => {
  it("reads units, compounds and bare integers as milliseconds", () => {
    expect(
      ["500ms", "10s", "2m", "1h", "2d", "1m30s", "1h2m3s", "1.5s", " 10S ", "250", "0"].map((t) => parseDuration(t)),
    ).toEqual([500, 10_000, 120_000, 3_600_000, 172_800_000, 90_000, 3_723_000, 1500, 10_000, 250, 0]);
  });

  it("refuses anything else, naming what was read and what was given", () => {
    expect(() => parseDuration("10 minutes", "--timeout")).toThrow(
      '--timeout must be a duration like 500ms, 10s, 2m, 1m30s or 1h (a bare integer is milliseconds), got "10 minutes"',
    );
    for (const bad of ["", "-5s", "10x", "s", "1e3", "5s10"]) {
      expect(() => parseDuration(bad)).toThrow(DurationSyntaxError);
    }
  });

  it("says how to write seconds when given a bare fraction", () => {
    expect(() => parseDuration("1.5", "--poll-interval")).toThrow(/a bare number is milliseconds, so write 1\.5s for seconds$/);
  });
});

describe("formatDuration", () => {
  it("uses the largest exact unit, and parseDuration reads it back", () => {
    const cases = [0, 1, 1500, 10_000, 90_000, 120_000, 7_200_000];
    const texts = cases.map(formatDuration);
    expect(texts).toEqual(["0s", "1ms", "1500ms", "10s", "90s", "2m", "2h"]);
    expect(texts.map((t) => parseDuration(t))).toEqual(cases);
  });

  it("refuses negative or fractional milliseconds", () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });
});
