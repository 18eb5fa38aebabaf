/**
 * flytekit's msgpack literals on the wire, checked with code that is not ours: literals and
 * types encoded and decoded by the protobufjs code in @flyteorg/flyteidl (gen/pb-js), msgpack
 * bytes written by Python's msgpack (test/fixtures/python).
 */
import { core as idl } from "@flyte-agent/flyteidl";
import { fromLiteral, isMsgpackStruct, type PlainValue, toOutputLiteralMap } from "../src";
import { fixtures, jsonValue } from "./python/python-fixtures";

// biome-ignore lint/suspicious/noExplicitAny: the protobufjs bundle is untyped JavaScript
type Any = any;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pb: Any = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js").flyteidl;

const batch = fixtures.msgpack.find((c) => c.name === "batch");
const batchBytes = Buffer.from(batch?.hex ?? "", "hex");

/** The output type flytekit registers for `result: Dict`, as protobufjs writes it. */
const msgpackStructPb = {
  simple: pb.core.SimpleType.STRUCT,
  annotation: {
    annotations: {
      fields: { "cache-key-metadata": { structValue: { fields: { "serialization-format": { stringValue: "msgpack" } } } } },
    },
  },
};

describe("msgpack literals against @flyteorg/flyteidl's protobufjs code", () => {
  it("reads a literal flytekit wrote for a dict", () => {
    const wire = pb.core.Literal.encode(
      pb.core.Literal.create({ scalar: { binary: { value: batchBytes, tag: "msgpack" } } }),
    ).finish();
    expect(fromLiteral(idl.Literal.decode(wire))).toEqual(jsonValue(batch?.value ?? null));
  });

  it("reads flytekit's declared output type, and writes the output as flytekit would", () => {
    const typeWire = pb.core.LiteralType.encode(pb.core.LiteralType.create(msgpackStructPb)).finish();
    const type = idl.LiteralType.decode(typeWire);
    expect(isMsgpackStruct(type)).toBe(true);

    const template = { interface: { outputs: { variables: { result: { type, description: "" } } } } } as never;
    const outputs = toOutputLiteralMap({ result: jsonValue(batch?.value ?? null) as PlainValue }, template);
    const read = pb.core.LiteralMap.decode(idl.LiteralMap.encode(outputs).finish());
    expect(read.literals.result.scalar.binary.tag).toBe("msgpack");
    expect(Buffer.from(read.literals.result.scalar.binary.value).toString("hex")).toBe(batch?.hex);
  });

  it("reads the older generic Struct form", () => {
    const wire = pb.core.Literal.encode(
      pb.core.Literal.create({
        scalar: { generic: { fields: { lr: { numberValue: 0.5 }, tags: { listValue: { values: [{ stringValue: "a" }] } } } } },
      }),
    ).finish();
    expect(fromLiteral(idl.Literal.decode(wire))).toEqual({ lr: 0.5, tags: ["a"] });
  });
});
