/**
 * What a task author sets in the task template's `custom` struct (flytekit: the task's
 * `get_custom`). Both agents of this plugin read it.
 */
export interface CustomTaskConfig {
  /** How long the job runs before it finishes (fractions allowed). @default 1 */
  durationSeconds?: number;
  /** End the job FAILED (with a message) instead of SUCCEEDED. @default false */
  fail?: boolean;
}
