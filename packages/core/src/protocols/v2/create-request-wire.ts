import { admin } from "@flyte-agent/flyteidl";
import { core as v2core } from "@flyte-agent/flyteidl/v2";
import { TaskInputError } from "../../errors";
import { categoryOfTemplate } from "../../server/routing";
import { fromV2Connection } from "./connection";
import type { CreateTaskInput } from "./create-request";
import { WireCursor } from "./wire-fields";

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

/**
 * Whether the `task.Inputs` in `bytes[start, end)` passes the quick check: every NamedLiteral
 * has a non-empty name and a value. Counts them into `counted.entries`, which the caller compares
 * with the decoded map's size to catch repeated names.
 */
function namedLiteralsLookFine(bytes: Buffer, start: number, end: number, counted: { entries: number }): boolean {
  const entries = new WireCursor(bytes, start, end);
  while (entries.next()) {
    if (entries.field !== NAMED_LITERALS) continue;
    counted.entries++;
    let named = false;
    let valued = false;
    const parts = new WireCursor(bytes, entries.start, entries.end);
    while (parts.next()) {
      if (parts.field === NAME) named = parts.end > parts.start;
      else if (parts.field === VALUE) valued = true;
    }
    if (!named || !valued) return false;
  }
  return true;
}

/** The problem with the NamedLiteral entries of the `task.Inputs` in `bytes[start, end)`, if any. */
function namedLiteralsProblem(bytes: Buffer, start: number, end: number): string | undefined {
  const seen = new Set<string>();
  let index = 0;
  const entries = new WireCursor(bytes, start, end);
  while (entries.next()) {
    if (entries.field !== NAMED_LITERALS) continue;
    let name = "";
    let hasValue = false;
    const parts = new WireCursor(bytes, entries.start, entries.end);
    while (parts.next()) {
      if (parts.field === NAME) name = bytes.toString("utf8", parts.start, parts.end);
      else if (parts.field === VALUE) hasValue = true;
    }
    if (!name) return `inputs: literal #${index} has no name`;
    if (seen.has(name)) return `inputs: "${name}" appears more than once`;
    if (!hasValue) return `inputs: "${name}" has no value`;
    seen.add(name);
    index++;
  }
  return undefined;
}

function countKeys(map: object): number {
  let n = 0;
  for (const _ in map) n++;
  return n;
}

/**
 * Decodes an encoded flyteidl2 CreateTaskRequest (see {@link V2CreateTaskWire}).
 *
 * @throws Error when the bytes are not a well-formed CreateTaskRequest
 */
export function decodeV2CreateTaskRequest(bytes: Buffer): V2CreateTaskWire {
  // The generated decoders keep the last occurrence of a repeated message field; so does this.
  let connectionStart = -1;
  let connectionEnd = -1;
  let inputsStart = -1;
  let inputsEnd = -1;
  const fields = new WireCursor(bytes, 0, bytes.length);
  while (fields.next()) {
    if (fields.field === CONNECTION) {
      connectionStart = fields.start;
      connectionEnd = fields.end;
    } else if (fields.field === INPUTS) {
      inputsStart = fields.start;
      inputsEnd = fields.end;
    }
  }
  const request = admin.CreateTaskRequest.decode(bytes);
  let inputsProblem: string | undefined;
  if (inputsStart >= 0) {
    const counted = { entries: 0 };
    const fine = namedLiteralsLookFine(bytes, inputsStart, inputsEnd, counted);
    if (!fine || counted.entries !== countKeys(request.inputs?.literals ?? {})) {
      inputsProblem = namedLiteralsProblem(bytes, inputsStart, inputsEnd);
    }
  }
  const wire: { -readonly [K in keyof V2CreateTaskWire]: V2CreateTaskWire[K] } = { request };
  if (connectionStart >= 0) wire.connection = v2core.Connection.decode(bytes.subarray(connectionStart, connectionEnd));
  if (inputsProblem !== undefined) wire.inputsProblem = inputsProblem;
  return wire;
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
