import type { core as v2core } from "@flyte-agent/flyteidl/v2";
import type { Connection } from "../../connection";
import { TaskInputError } from "../../errors";

/**
 * The protocol-neutral {@link Connection} of a v2 request, or `undefined` when the request
 * carries none. The maps are copied into fresh frozen objects, so no call shares them.
 *
 * @throws TaskInputError when a secret or config value is not a string (never naming the value)
 */
export function fromV2Connection(connection: v2core.Connection | undefined): Connection | undefined {
  if (connection === undefined) return undefined;
  return Object.freeze({
    taskType: connection.taskType ?? "",
    secrets: copyStrings(connection.secrets, "secret"),
    configs: copyStrings(connection.configs, "config"),
  });
}

function copyStrings(map: { [key: string]: string } | undefined, what: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(map ?? {})) {
    if (typeof value !== "string") throw new TaskInputError(`connection ${what} "${key}" is not a string`);
    out[key] = value;
  }
  return Object.freeze(out);
}
