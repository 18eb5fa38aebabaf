/**
 * How far V8 lets the old generation grow past what survived the last full collection before
 * it collects again, for the serving process.
 *
 * V8 picks that factor itself, up to 4x on a machine with plenty of memory, and does not look at
 * a container's memory limit. An agent keeps little alive between calls (about 20 MiB), so at
 * 4x the old generation filled with up to 60 MiB of dead calls, and the C++ side of Node's HTTP/2
 * streams (freed when their JavaScript objects are) with it: 170 MiB RSS under a
 * maximum-rate soak. At 3x the same soak peaks about 25 MiB lower, with throughput and the
 * 2,000 GetTask/s tail unchanged; at 2x or less full collections come often enough to show in
 * the tail (BENCHMARKS.md, "The last factor").
 *
 * Node refuses V8's `--heap-growing-percent` in NODE_OPTIONS, and V8 reads it each time it sets
 * the next limit, so the serving process sets it for itself at start-up.
 * @module
 */
import { setFlagsFromString } from "node:v8";

/** Old generation growth asked of V8 by `flyte-agent serve`, in percent above live size (3x). */
export const DEFAULT_HEAP_GROWTH_PERCENT = 200;

/** Where the growth in force came from. */
export type HeapGrowthSource = "flag" | "node-option" | "v8-default";

/**
 * Sets V8's old generation growth to `percent` above the live size; 0 leaves V8's own choice.
 * A `--heap-growing-percent` given to node itself wins over both.
 */
export function applyHeapGrowth(percent: number, execArgv: readonly string[] = process.execArgv): HeapGrowthSource {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return "node-option";
  if (percent === 0) return "v8-default";
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return "flag";
}
