// The baseline: a bare @grpc/grpc-js server with the same generated service definition (so it
// decodes each request the same way) that answers every call with a canned reply. Usage:
//   node bench/servers/bare-server.mjs <port>      prints "listening <port>" when bound
import { grpc, loadCore } from "../lib/repo.mjs";

const { flyteidl, Phase } = loadCore();
const { admin, service } = flyteidl;

const getReply = admin.GetTaskResponse.fromPartial({
  resource: {
    phase: Phase.RUNNING,
    state: admin.State.RUNNING,
    message: "running for 1 s",
    logLinks: [{ name: "Job Console", uri: "https://jobs.example.test/job-n0" }],
  },
});
const createReply = { resourceMeta: Buffer.from(JSON.stringify({ jobId: "job-n0", startedAt: Date.now(), seconds: 3600 })) };

const server = new grpc.Server({ "grpc.max_receive_message_length": 128 * 1024 * 1024 });
server.addService(service.AsyncAgentServiceService, {
  createTask: (call, cb) => cb(null, call.request.template ? createReply : { resourceMeta: Buffer.alloc(0) }),
  getTask: (call, cb) => cb(null, call.request.resourceMeta.length ? getReply : {}),
  deleteTask: (_call, cb) => cb(null, {}),
  getTaskMetrics: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
  getTaskLogs: (call) => call.end(),
});
const port = Number(process.argv[2] ?? 0);
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
  if (err) {
    console.error(err.message);
    process.exit(1);
  }
  console.log(`listening ${bound}`);
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
