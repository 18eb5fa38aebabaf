import { type flyteidl, isMsgpackStruct, msgpackLiteral, structLiteral, toLiteral } from "@flyte-agent/core";
import type { OutputValue } from "./plain-output";

/**
 * The outputs of a boto task: `result` as a dict (msgpack, flytekit's form, unless the template
 * declares an unannotated STRUCT, then the older generic Struct) and `idempotence_token` as a
 * string (always set, "" without a token).
 */
export function botoOutputs(
  template: flyteidl.core.TaskTemplate,
  result: { [key: string]: OutputValue },
  token: string,
): flyteidl.core.LiteralMap {
  const type = template.interface?.outputs?.variables?.result?.type;
  return {
    literals: {
      result: type === undefined || isMsgpackStruct(type) ? msgpackLiteral(result) : structLiteral(result, type),
      idempotence_token: toLiteral(token),
    },
  };
}
