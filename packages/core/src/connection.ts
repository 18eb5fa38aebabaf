/**
 * The connection Flyte resolved for a task (Flyte 2 sends it with CreateTask, GetTask and
 * DeleteTask): the task type it was resolved for, secret values by key, and plain configs.
 * Protocol-neutral; Flyte 1 requests carry none.
 */
export interface Connection {
  /** The task type the connection was resolved for (may be empty). */
  readonly taskType: string;
  /** Secret values by key, e.g. `databricks_token`. Never log them or put them in resource_meta. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Non-secret settings by key, e.g. a host name or region. */
  readonly configs: Readonly<Record<string, string>>;
}
