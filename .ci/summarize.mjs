// Adds up the "Tests:" lines of every jest run and the system-test line in a CI log and prints
// one closing line: "total: N passed, M failed, K skipped". Skipped counts jest's skipped and
// todo tests and the system tests that exited with the skip code (see tests/system/run-all.sh).
// Jest lines printed inside a system test (a scaffolded plugin's own tests, a release's test run)
// are part of that system test, which its own line counts: only jest lines before the first
// "=== system test:" line are added.
import { readFileSync } from "node:fs";

const [, , logPath, status] = process.argv;
const log = readFileSync(logPath, "utf8");
let passed = 0;
let failed = 0;
let skipped = 0;
/** Colour codes, in case a runner forced colour into the log. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
/** The number before `word` in a jest summary such as "1 failed, 2 skipped, 9 passed, 12 total". */
const count = (summary, word) => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
let inSystemTests = false;
for (const line of log.replace(ANSI_COLOUR, "").split("\n")) {
  if (line.startsWith("=== system test:")) inSystemTests = true;
  const jest = inSystemTests ? null : /Tests:\s+(.*)$/.exec(line);
  if (jest) {
    passed += count(jest[1], "passed");
    failed += count(jest[1], "failed");
    skipped += count(jest[1], "skipped") + count(jest[1], "todo");
  }
  const system = /^system: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(line.trim());
  if (system) {
    passed += Number(system[1]);
    failed += Number(system[2]);
    skipped += Number(system[3] ?? 0);
  }
}
if (status !== "0" && failed === 0) failed = 1; // a step failed outside any test runner
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
