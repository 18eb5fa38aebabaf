// ListAgents against 127.0.0.1:<port>, printed as sorted "name|category@version|sync-or-async"
// lines. Copied into a test project by the system tests: it uses only the packages installed
// there (grpc-js and the generated flyteidl services).
//   node list-agents.js <port>
const { service } = require("@flyte-agent/flyteidl");
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [require.resolve("@flyte-agent/flyteidl")] }));
const client = new service.AgentMetadataServiceClient(`127.0.0.1:${process.argv[2]}`, grpc.credentials.createInsecure());
client.listAgents({}, { deadline: Date.now() + 2000 }, (err, reply) => {
  client.close();
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const lines = reply.agents.flatMap((a) =>
    a.supportedTaskCategories.map((c) => `${a.name}|${c.name}@${c.version}|${a.isSync ? "sync" : "async"}`),
  );
  process.stdout.write(lines.sort().join("\n") + "\n");
});
