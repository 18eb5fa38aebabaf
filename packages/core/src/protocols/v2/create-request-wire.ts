import { admin } from "@flyte-agent/flyteidl";
import { core as v2core } from "@flyte-agent/flyteidl/v2";
import { TaskInputError } from "../../errors";
import { categoryOfTemplate } from "../../server/routing";
import { fromV2Connection } from "./connection";
import type { CreateTaskInput } from "./create-request";
import { forEachLengthDelimited, type WireField } from "./wire-fields";

/**
 * A flyteidl2 CreateTaskRequest decoded straight from its bytes into the flyteidl 1 shapes agents
 * see, without building the v2 message first.
 *
 * flyteidl2's CreateTaskRequest keeps v1's field numbers (inputs 1, template 2, output_prefix 3,
 * task_execution_metadata 4) and adds connection (5). Its `task.Inputs.literals` (field 1,
 * repeated NamedLiteral {name = 1, value = 2}) is wire-identical to v1 LiteralMap's map entries
 * {key = 1, value = 2}, and `Inputs.context` (field 2) is unknown to v1 and skipped, as the
 * server never reads it. So the v1 decoder reads the whole request, and only the connection
 * is decoded with the v2 code.
 */
export interface V2CreateTaskWire {
  /** The request as flyteidl 1 reads it (fields only flyteidl2 has are dropped). */
  readonly request: admin.CreateTaskRequest;
  /** The request's connection, as flyteidl2 decodes it; absent when the request has none. */
  readonly connection?: v2core.Connection;
  /**
   * What is wrong with the named inputs (empty or repeated name, literal without value), in the
   * words of `fromV2NamedLiterals`; absent when they are well formed. A v1 map would silently
   * drop or overwrite such entries, so they are found on the wire.
   */
  readonly inputsProblem?: string;
}

const INPUTS = 1;
const CONNECTION = 5;
const NAMED_LITERALS = 1;
const NAME = 1;
const VALUE = 2;

/** The problem with the NamedLiteral entries of the `task.Inputs` in `bytes[start, end)`, if any. */
function namedLiteralsProblem(bytes: Buffer, start: number, end: number): string | undefined {
  const seen = new Set<string>();
  let index = 0;
  let problem: string | undefined;
  forEachLengthDelimited(bytes, start, end, (entry) => {
    if (entry.field !== NAMED_LITERALS || problem !== undefined) return;
    let name = "";
    let hasValue = false;
    forEachLengthDelimited(bytes, entry.start, entry.end, (f) => {
      if (f.field === NAME) name = bytes.toString("utf8", f.start, f.end);
      else if (f.field === VALUE) hasValue = true;
    });
    if (!name) problem = `inputs: literal #${index} has no name`;
    else if (seen.has(name)) problem = `inputs: "${name}" appears more than once`;
    else if (!hasValue) problem = `inputs: "${name}" has no value`;
    seen.add(name);
    index++;
  });
  return problem;
}

/**
 * Decodes an encoded flyteidl2 CreateTaskRequest (see {@link V2CreateTaskWire}).
 *
 * @throws Error when the bytes are not a well-formed CreateTaskRequest
 */
export function decodeV2CreateTaskRequest(bytes: Buffer): V2CreateTaskWire {
  // The generated decoders keep the last occurrence of a repeated message field; so does this.
  let connectionAt: WireField | undefined;
  let inputsAt: WireField | undefined;
  forEachLengthDelimited(bytes, 0, bytes.length, (f) => {
    if (f.field === CONNECTION) connectionAt = f;
    else if (f.field === INPUTS) inputsAt = f;
  });
  const request = admin.CreateTaskRequest.decode(bytes);
  const inputsProblem = inputsAt === undefined ? undefined : namedLiteralsProblem(bytes, inputsAt.start, inputsAt.end);
  return {
    request,
    ...(connectionAt === undefined
      ? {}
      : { connection: v2core.Connection.decode(bytes.subarray(connectionAt.start, connectionAt.end)) }),
    ...(inputsProblem === undefined ? {} : { inputsProblem }),
  };
}

/**
 * Maps a {@link V2CreateTaskWire} onto the protocol-neutral inputs of `AsyncAgent.create`: the
 * same result, checks and messages as `fromV2CreateTaskRequest` on the decoded v2 message.
 *
 * @throws TaskInputError (INVALID_ARGUMENT) when the template or its type is missing, or the
 * inputs or connection are malformed
 */
export function fromV2CreateTaskWire(wire: V2CreateTaskWire): CreateTaskInput {
  const { request } = wire;
  const category = categoryOfTemplate(request.template);
  if (wire.inputsProblem !== undefined) throw new TaskInputError(wire.inputsProblem);
  const input: { -readonly [K in keyof CreateTaskInput]: CreateTaskInput[K] } = {
    category,
    template: request.template!,
    inputs: request.inputs ?? { literals: {} },
    outputPrefix: request.outputPrefix,
  };
  if (request.taskExecutionMetadata !== undefined) input.taskExecutionMetadata = request.taskExecutionMetadata;
  const connection = fromV2Connection(wire.connection);
  if (connection !== undefined) input.connection = connection;
  return input;
}
