import { admin, core as v1core } from "@flyte-agent/flyteidl";
import { connector, core as v2core } from "@flyte-agent/flyteidl/v2";
import { toLiteralMap } from "../../literals";
import { toWireResource } from "../../server/resource-wire";
import { InvalidResourceError } from "../../server/resource-wire";
import { Phase, type Resource } from "../../types";
import { toV2Resource, toV2WireResource } from "./resource";

describe("toV2Resource", () => {
  const resource: Resource = {
    phase: Phase.SUCCEEDED,
    message: "done",
    logLinks: [{ name: "Run", uri: "https://run/1" }],
    customInfo: { runId: 7, tags: ["a"], nested: { ok: true } },
    outputs: toLiteralMap({ rows: 9007199254740993n, name: "t" }),
  };

  it("carries phase, message, log links, custom_info and outputs through the wire", () => {
    const res = connector.Resource.decode(connector.Resource.encode(toV2Resource(resource)).finish());
    expect(res.phase).toBe(v2core.TaskExecution_Phase.SUCCEEDED);
    expect(res.message).toBe("done");
    expect(res.logLinks.map((l) => [l.name, l.uri])).toEqual([["Run", "https://run/1"]]);
    expect(res.customInfo).toEqual({ runId: 7, tags: ["a"], nested: { ok: true } });
    expect(res.outputs?.literals.map((l) => l.name)).toEqual(["rows", "name"]);
    const rows = res.outputs?.literals[0]?.value?.value;
    expect(rows?.$case === "scalar" && rows.value.value?.$case === "primitive" && rows.value.value.value.value).toEqual({
      $case: "integer",
      value: 9007199254740993n,
    });
  });

  it("holds the same fields as the v1 Resource, without state and agent_error", () => {
    const v1 = toWireResource({ ...resource, phase: Phase.RETRYABLE_FAILED });
    const v2 = toV2Resource({ ...resource, phase: Phase.RETRYABLE_FAILED });
    expect(v1.state).toBe(admin.State.RETRYABLE_FAILURE);
    expect(Object.keys(v2).sort()).toEqual(["customInfo", "logLinks", "message", "outputs", "phase"]);
    expect(v2.phase).toBe(v2core.TaskExecution_Phase.RETRYABLE_FAILED);
    // The outputs, read back as v1 literals, are the agent's literal map.
    const back = Object.fromEntries(
      (v2.outputs?.literals ?? []).map((l) => [l.name, v1core.Literal.decode(v2core.Literal.encode(l.value!).finish())]),
    );
    expect({ literals: back }).toEqual(v1.outputs);
  });

  it("leaves outputs unset when the agent gave none", () => {
    expect(toV2Resource({ phase: Phase.RUNNING }).outputs).toBeUndefined();
    expect(toV2Resource({ phase: Phase.RUNNING }).message).toBe("");
  });

  it.each([
    ["no phase", { message: "x" }],
    ["UNDEFINED", { phase: Phase.UNDEFINED }],
    ["a link without uri", { phase: Phase.RUNNING, logLinks: [{ name: "x" }] }],
  ])("rejects a Resource with %s, as v1 does", (_what, bad) => {
    expect(() => toV2Resource(bad as Resource)).toThrow(InvalidResourceError);
  });
});

describe("toV2WireResource", () => {
  const resource: Resource = {
    phase: Phase.FAILED,
    message: "boom",
    logLinks: [{ name: "Run", uri: "https://run/1" }],
    customInfo: { runId: 7, nested: { ok: true } },
    outputs: toLiteralMap({ rows: 9007199254740993n, name: "t" }),
    agentError: { code: "E1", kind: 1, origin: 0 },
  };

  it("encodes with the v1 code to what the v2 code decodes as toV2Resource's result", () => {
    const bytes = admin.GetTaskResponse.encode({ resource: toV2WireResource(resource) }).finish();
    const decoded = connector.GetTaskResponse.decode(bytes);
    const expected = connector.GetTaskResponse.decode(
      connector.GetTaskResponse.encode({ resource: toV2Resource(resource) }).finish(),
    );
    expect(decoded).toEqual(expected);
    expect(decoded.resource?.outputs?.literals.map((l) => l.name)).toEqual(["rows", "name"]);
  });

  it("writes neither the deprecated state nor agent_error", () => {
    const v1 = admin.Resource.decode(admin.Resource.encode(toV2WireResource(resource)).finish());
    expect(v1.state).toBe(0);
    expect(v1.agentError).toBeUndefined();
    expect(admin.Resource.encode(toV2WireResource(resource)).finish()).toEqual(
      connector.Resource.encode(toV2Resource(resource)).finish(),
    );
  });
});
