import type { Logger } from "pino";
import { declaredCustomKeys, describeUnknownCustomKeys, unknownCustomKeys } from "../custom-keys";
import type { TaskCategory } from "../types";

/** The agents whose unknown `custom` keys were logged already (one warning per agent: per task type). */
const warned = new WeakSet<object>();

/**
 * At serve time an unknown key of `custom` never fails a task: flytekit may send keys a plugin
 * does not know. It is logged once per agent (that is, per task type), with the closest declared
 * key, so that a typo still shows up in the logs.
 */
export function warnUnknownCustomKeys(agent: object, category: TaskCategory, custom: unknown, log: Logger): void {
  if (warned.has(agent)) return;
  const unknown = unknownCustomKeys(custom, declaredCustomKeys(agent));
  if (unknown.length === 0) return;
  warned.add(agent);
  log.warn(
    { taskType: category.name, version: category.version, keys: unknown.map((k) => k.path) },
    `task type ${category.name}: custom has key(s) its agent does not declare, ignored: ${describeUnknownCustomKeys(unknown)} (logged once per task type)`,
  );
}
