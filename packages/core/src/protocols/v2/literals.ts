import { core as v1core } from "@flyte-agent/flyteidl";
import { core as v2core, type task } from "@flyte-agent/flyteidl/v2";
import { TaskInputError } from "../../errors";
import { bridge } from "./wire-bridge";

/**
 * v2 named literals (`task.Inputs` / `task.Outputs`) as the literal map plugins see.
 *
 * @throws TaskInputError when a name is empty or repeated, or a literal has no value
 */
export function fromV2NamedLiterals(literals: readonly task.NamedLiteral[] | undefined, what = "inputs"): v1core.LiteralMap {
  const out: { [key: string]: v1core.Literal } = {};
  for (const [i, named] of (literals ?? []).entries()) {
    if (!named.name) throw new TaskInputError(`${what}: literal #${i} has no name`);
    if (Object.hasOwn(out, named.name)) throw new TaskInputError(`${what}: "${named.name}" appears more than once`);
    if (named.value === undefined) throw new TaskInputError(`${what}: "${named.name}" has no value`);
    out[named.name] = bridge(v2core.Literal, v1core.Literal, named.value);
  }
  return { literals: out };
}

/** A literal map (what agents return as outputs) as v2 named literals, in the map's order. */
export function toV2NamedLiterals(map: v1core.LiteralMap): task.NamedLiteral[] {
  return Object.entries(map.literals).map(([name, literal]) => ({
    name,
    value: bridge(v1core.Literal, v2core.Literal, literal),
  }));
}
