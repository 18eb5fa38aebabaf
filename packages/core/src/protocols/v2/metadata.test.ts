import type { admin } from "@flyte-agent/flyteidl";
import { connector } from "@flyte-agent/flyteidl/v2";
import { toV2GetConnectorResponse, toV2ListConnectorsResponse } from "./metadata";

const agents: admin.Agent[] = [
  {
    name: "BigQuery",
    isSync: false,
    supportedTaskTypes: ["bigquery_query_job_task"],
    supportedTaskCategories: [{ name: "bigquery_query_job_task", version: 0 }],
  },
  { name: "Echo", isSync: false, supportedTaskTypes: [], supportedTaskCategories: [{ name: "echo", version: 1 }] },
  { name: "Echo", isSync: true, supportedTaskTypes: ["echo_sync"], supportedTaskCategories: [{ name: "echo_sync", version: 0 }] },
  { name: "OpenAI", isSync: true, supportedTaskTypes: ["chatgpt"], supportedTaskCategories: [{ name: "chatgpt", version: 0 }] },
];

describe("v2 connector metadata", () => {
  it("lists async agents as connectors by name with their categories, sync ones left out", () => {
    const res = connector.ListConnectorsResponse.decode(
      connector.ListConnectorsResponse.encode(toV2ListConnectorsResponse(agents, { includeSync: false })).finish(),
    );
    expect(res.connectors).toEqual([
      { name: "BigQuery", supportedTaskCategories: [{ name: "bigquery_query_job_task", version: 0 }] },
      { name: "Echo", supportedTaskCategories: [{ name: "echo", version: 1 }] },
    ]);
  });

  it("merges a name served by sync and async agents into one connector when sync ones are included", () => {
    const res = toV2ListConnectorsResponse(agents, { includeSync: true });
    expect(res.connectors.map((c) => [c.name, c.supportedTaskCategories.map((t) => t.name)])).toEqual([
      ["BigQuery", ["bigquery_query_job_task"]],
      ["Echo", ["echo", "echo_sync"]],
      ["OpenAI", ["chatgpt"]],
    ]);
  });

  it("does not change the registry's entries", () => {
    toV2ListConnectorsResponse(agents, { includeSync: true });
    expect(agents[1]?.supportedTaskCategories).toEqual([{ name: "echo", version: 1 }]);
  });

  it("answers GetConnector without the deprecated v1 fields", () => {
    expect(toV2GetConnectorResponse(agents[0]!)).toEqual({
      connector: { name: "BigQuery", supportedTaskCategories: [{ name: "bigquery_query_job_task", version: 0 }] },
    });
  });
});
