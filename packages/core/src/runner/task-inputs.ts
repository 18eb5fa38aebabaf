import { core as idl } from "@flyte-agent/flyteidl";
import type { core } from "@flyte-agent/flyteidl";
import { TaskInputError } from "../errors";
import { describeLiteralType, type PlainValue, toLiteral, toLiteralMap } from "../literals";

function acceptsNone(type: core.LiteralType | undefined): boolean {
  const t = type?.type;
  if (t?.$case === "simple") return t.value === idl.SimpleType.NONE;
  if (t?.$case === "unionType") return t.value.variants.some(acceptsNone);
  return false;
}

/**
 * Builds the CreateTask inputs from plain values, following the template's interface: each
 * value is converted with its declared type, a declared input that is missing fails (unless
 * its type accepts none, then it is sent as none), and an undeclared input fails. Without an
 * interface the values are converted by their own JS types. Errors name the input.
 */
export function buildInputs(template: core.TaskTemplate, values: { [name: string]: PlainValue }): core.LiteralMap {
  const declared = template.interface?.inputs;
  if (!declared) {
    try {
      return toLiteralMap(values);
    } catch (err) {
      throw new TaskInputError(`input ${(err as Error).message}`);
    }
  }
  const names = Object.keys(declared.variables);
  const describe = (name: string) => `${name} (${describeLiteralType(declared.variables[name]?.type)})`;
  const unknown = Object.keys(values).filter((n) => !(n in declared.variables));
  if (unknown.length > 0) {
    const takes = names.length > 0 ? `the task takes ${names.map(describe).join(", ")}` : "the task takes no inputs";
    throw new TaskInputError(
      `unknown input${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}: ${takes}`,
    );
  }
  let map: core.LiteralMap;
  try {
    map = toLiteralMap(values, declared);
  } catch (err) {
    throw new TaskInputError(`input ${(err as Error).message}`);
  }
  const missing: string[] = [];
  for (const name of names) {
    if (name in map.literals) continue;
    const type = declared.variables[name]?.type;
    if (acceptsNone(type)) map.literals[name] = toLiteral(null, type);
    else missing.push(describe(name));
  }
  if (missing.length > 0) throw new TaskInputError(`missing input${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  return map;
}
