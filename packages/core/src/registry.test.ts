import { AsyncAgent, SyncAgent } from "./agent";
import { ConfigurationError } from "./errors";
import { AgentRegistry } from "./registry";
import { Phase, type Resource } from "./types";

class A extends AsyncAgent<object> {
  constructor(
    readonly name: string,
    readonly category: { name: string; version: number },
  ) {
    super();
  }
  async create() {
    return {};
  }
  async get(): Promise<Resource> {
    return { phase: Phase.RUNNING };
  }
  async delete() {}
}
class S extends SyncAgent {
  readonly name = "Sync";
  readonly category = { name: "s", version: 0 };
  async do(): Promise<Resource> {
    return { phase: Phase.SUCCEEDED };
  }
}

describe("AgentRegistry", () => {
  it("refuses a second agent for a category unless override is asked for", () => {
    const r = new AgentRegistry();
    r.register(new A("First", { name: "t", version: 0 }), { source: "pkg-a@1.0.0" });
    expect(() => r.register(new A("Second", { name: "t", version: 0 }), { source: "pkg-b@2.0.0" })).toThrow(ConfigurationError);
    expect(() => r.register(new A("Second", { name: "t", version: 0 }), { source: "pkg-b@2.0.0" })).toThrow(
      /t@0 is claimed twice: by "First" from pkg-a@1.0.0 and by "Second" from pkg-b@2.0.0/,
    );
    r.register(new A("Second", { name: "t", version: 0 }), { override: true });
    expect(r.find({ name: "t", version: 0 })?.name).toBe("Second");
  });

  it("keys by name and version, and groups categories by agent name for metadata", () => {
    const r = new AgentRegistry();
    r.register(new A("Spark", { name: "spark", version: 0 }));
    r.register(new A("Spark", { name: "databricks", version: 0 }));
    r.register(new A("Spark", { name: "databricks", version: 1 }));
    r.register(new S());
    expect(r.metadata()).toEqual([
      {
        name: "Spark",
        isSync: false,
        supportedTaskTypes: ["spark", "databricks"],
        supportedTaskCategories: [
          { name: "spark", version: 0 },
          { name: "databricks", version: 0 },
          { name: "databricks", version: 1 },
        ],
      },
      { name: "Sync", isSync: true, supportedTaskTypes: ["s"], supportedTaskCategories: [{ name: "s", version: 0 }] },
    ]);
    expect(() => r.resolve({ name: "databricks", version: 2 })).toThrow(/databricks@2 \(versions served: 0, 1\)/);
  });

  it("rejects invalid categories", () => {
    const r = new AgentRegistry();
    expect(() => r.register(new A("X", { name: "", version: 0 }))).toThrow(/no task category name/);
    expect(() => r.register(new A("X", { name: "x", version: -1 }))).toThrow(/invalid category version/);
  });
});
