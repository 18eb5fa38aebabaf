#!/usr/bin/env node
// Container health check: asks the agent service on this host for grpc.health.v1.Health/Check
// and exits 0 only when it answers SERVING. No grpc_health_probe binary needed: it uses the
// grpc-js and grpc-health-check packages that @flyte-agent/core already depends on.
//
//   node healthcheck.js [port] [service]     port defaults to $FLYTE_AGENT_PORT or 8000,
//                                            service to "" (the whole server)
const { dirname } = require("node:path");

const from = [dirname(require.resolve("@flyte-agent/core/package.json", { paths: [process.cwd(), __dirname] }))];
const grpc = require(require.resolve("@grpc/grpc-js", { paths: from }));
const { service: healthService } = require(require.resolve("grpc-health-check", { paths: from }));

const port = process.argv[2] || process.env.FLYTE_AGENT_PORT || "8000";
const serviceName = process.argv[3] || "";
const Client = grpc.makeGenericClientConstructor(healthService, "Health");
const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

client.Check({ service: serviceName }, { deadline: Date.now() + 2000 }, (err, reply) => {
  client.close();
  if (err) {
    process.stderr.write(`health check failed: ${err.message}\n`);
    process.exit(1);
  }
  const status = reply?.status;
  process.stdout.write(`${status}\n`);
  process.exit(status === "SERVING" ? 0 : 1);
});
