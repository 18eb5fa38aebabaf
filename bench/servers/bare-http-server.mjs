// The baseline of the realistic load: a bare @grpc/grpc-js server that makes the same Jobs API
// calls as the Databricks plugin with nothing but Node's `http` (one keep-alive agent, a Bearer
// header, JSON in and out), and no agent framework: no registry, validation, retries, logging,
// metrics or redaction. CreateTask submits a run, GetTask reads it. Usage:
//   node bench/servers/bare-http-server.mjs <port> <jobs api base url> <token>
// prints "listening <port>" when bound.
import http from "node:http";
import { grpc, loadCore } from "../lib/repo.mjs";

const { flyteidl, Phase } = loadCore();
const { admin, service } = flyteidl;
const [portArg, baseUrl, token] = process.argv.slice(2);
const base = new URL(baseUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });

/** One JSON request to the Jobs API; resolves with the parsed body of a 2xx answer. */
function jobsApi(method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode >= 200 && res.statusCode < 300) resolve(JSON.parse(text));
          else reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const SUBMIT = {
  run_name: "bench",
  existing_cluster_id: "0101-010101-bench01",
  spark_python_task: { python_file: "dbfs:/bench/main.py" },
};
const fail = (cb) => (err) => cb({ code: grpc.status.UNAVAILABLE, details: err.message });

const server = new grpc.Server({ "grpc.max_receive_message_length": 128 * 1024 * 1024 });
server.addService(service.AsyncAgentServiceService, {
  createTask: (_call, cb) => {
    jobsApi("POST", "/api/2.1/jobs/runs/submit", SUBMIT).then(
      (r) => cb(null, { resourceMeta: Buffer.from(JSON.stringify({ runId: String(r.run_id) })) }),
      fail(cb),
    );
  },
  getTask: (call, cb) => {
    const { runId } = JSON.parse(Buffer.from(call.request.resourceMeta).toString("utf8"));
    jobsApi("GET", `/api/2.1/jobs/runs/get?run_id=${runId}`).then(
      (run) =>
        cb(
          null,
          admin.GetTaskResponse.fromPartial({
            resource: {
              phase: Phase.RUNNING,
              message: run.state?.state_message ?? "",
              logLinks: [{ name: "Databricks Console", uri: `${baseUrl}/#job/run/${runId}` }],
            },
          }),
        ),
      fail(cb),
    );
  },
  deleteTask: (_call, cb) => cb(null, {}),
  getTaskMetrics: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
  getTaskLogs: (call) => call.end(),
});
const agents = admin.ListAgentsResponse.fromPartial({
  agents: [{ name: "Databricks Agent", supportedTaskCategories: [{ name: "databricks", version: 0 }], isSync: false }],
});
server.addService(service.AgentMetadataServiceService, {
  getAgent: (_call, cb) => cb(null, { agent: agents.agents[0] }),
  listAgents: (_call, cb) => cb(null, agents),
});
server.bindAsync(`127.0.0.1:${Number(portArg ?? 0)}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
  if (err) {
    console.error(err.message);
    process.exit(1);
  }
  console.log(`listening ${bound}`);
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
