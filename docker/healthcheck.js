#!/usr/bin/env node
// Container health check: asks the agent service on this host for grpc.health.v1.Health/Check
// and exits 0 only when it answers SERVING. No grpc_health_probe binary needed: it uses grpc-js
// and the generated health client of @flyte-agent/flyteidl, which @flyte-agent/core depends on.
//
//   node healthcheck.js [port] [service]     port defaults to $FLYTE_AGENT_PORT or 8000,
//                                            service to "" (the whole server)
const { dirname } = require("node:path");

const core = [dirname(require.resolve("@flyte-agent/core/package.json", { paths: [process.cwd(), __dirname] }))];
const grpc = require(require.resolve("@grpc/grpc-js", { paths: core }));
// Only the health module, not the whole protocol: this runs every few seconds.
const health = require(require.resolve("@flyte-agent/flyteidl/health", { paths: core }));

const port = process.argv[2] || process.env.FLYTE_AGENT_PORT || "8000";
const serviceName = process.argv[3] || "";
const client = new health.HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

client.check({ service: serviceName }, new grpc.Metadata(), { deadline: Date.now() + 2000 }, (err, reply) => {
  client.close();
  if (err) {
    process.stderr.write(`health check failed: ${err.message}\n`);
    process.exit(1);
  }
  const status = health.healthCheckResponse_ServingStatusToJSON(reply.status);
  process.stdout.write(`${status}\n`);
  process.exit(status === "SERVING" ? 0 : 1);
});
