import { type flyteidl, TaskInputError } from "@flyte-agent/core";

/** The output a BigQuery task's destination table is returned in (flytekit's name). */
export const RESULTS_OUTPUT = "results";

/**
 * The output that receives the destination table: none when the task declares no outputs,
 * `results` when declared, else the one output the task declares.
 */
export function outputName(template: flyteidl.core.TaskTemplate): string | undefined {
  const names = Object.keys(template.interface?.outputs?.variables ?? {});
  if (names.length === 0) return undefined;
  if (names.includes(RESULTS_OUTPUT)) return RESULTS_OUTPUT;
  if (names.length === 1) return names[0];
  throw new TaskInputError(
    `the task declares the outputs ${names.join(", ")}; a BigQuery task has one output, "${RESULTS_OUTPUT}" (the destination table)`,
  );
}
