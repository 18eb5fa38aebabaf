// Adds up the "Tests:" lines of every jest run and the system-test line in a CI log and prints
// one closing line: "total: N passed, M failed".
import { readFileSync } from "node:fs";

const [, , logPath, status] = process.argv;
const log = readFileSync(logPath, "utf8");
let passed = 0;
let failed = 0;
for (const line of log.split("\n")) {
  const jest = /Tests:\s+(.*)$/.exec(line);
  if (jest) {
    passed += Number(/(\d+) passed/.exec(jest[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(jest[1])?.[1] ?? 0);
  }
  const system = /^system: (\d+) passed, (\d+) failed$/.exec(line.trim());
  if (system) {
    passed += Number(system[1]);
    failed += Number(system[2]);
  }
}
if (status !== "0" && failed === 0) failed = 1; // a step failed outside any test runner
console.log(`total: ${passed} passed, ${failed} failed`);
