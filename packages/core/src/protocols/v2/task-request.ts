import type { connector } from "@flyte-agent/flyteidl/v2";
import type { Connection } from "../../connection";
import { categoryOfRequest } from "../../server/routing";
import type { TaskCategory } from "../../types";
import { fromV2Connection } from "./connection";

/** What a v2 GetTask or DeleteTask request gives the server: the same as v1, plus the connection. */
export interface TaskRequestInput {
  /** The category to route by. */
  readonly category: TaskCategory;
  /** The agent's resource_meta bytes, exactly as CreateTask (over either protocol) returned them. */
  readonly resourceMeta: Uint8Array;
  /** Where outputs go (GetTask; empty for DeleteTask). */
  readonly outputPrefix: string;
  /** The connection Flyte resolved for the task; absent when the request has none. */
  readonly connection?: Connection;
}

/**
 * Maps a flyteidl2 GetTaskRequest or DeleteTaskRequest onto what the agent's `get`/`delete`
 * needs. flyteidl2 has no deprecated `task_type`, so the category comes from `task_category`.
 *
 * @throws TaskInputError (INVALID_ARGUMENT) when the task category is missing or the connection is malformed
 */
export function fromV2TaskRequest(req: connector.GetTaskRequest | connector.DeleteTaskRequest): TaskRequestInput {
  const category = categoryOfRequest({ taskCategory: req.taskCategory });
  const outputPrefix = "outputPrefix" in req ? req.outputPrefix : "";
  const connection = fromV2Connection(req.connection);
  return connection === undefined
    ? { category, resourceMeta: req.resourceMeta, outputPrefix }
    : { category, resourceMeta: req.resourceMeta, outputPrefix, connection };
}
