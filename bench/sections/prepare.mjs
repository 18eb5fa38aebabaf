// Builds the request bodies the load generators send: a CreateTask for custom_task v0, and a
// GetTask carrying resource_meta that a real CreateTask on the full server returned.
import { join } from "node:path";
import { createTaskBytes, getTaskBytes, PATHS, resourceMetaOf, resourceOf, writeGrpcFrame } from "../lib/frames.mjs";
import { rawClient, unary } from "../lib/raw-grpc.mjs";
import { loadCore } from "../lib/repo.mjs";

const RUNNING = loadCore().Phase.RUNNING;

/** Encodes the bodies, checks both calls answer OK on `server`, and writes h2load frame files. */
export async function prepareCustomTaskBodies(server, tmpDir) {
  // A job of an hour, so that every GetTask of the run answers RUNNING, as the bare baseline's
  // canned reply does (the template agent reads custom.durationSeconds, the stand-in the input
  // "seconds"; the template's default is 1 s, after which each GetTask would decode and send the
  // outputs of a finished task).
  const create = createTaskBytes({
    type: "custom_task",
    version: 0,
    custom: { durationSeconds: 3600 },
    inputs: { seconds: 3600n, name: "bench" },
    nodeId: "n0",
  });
  const client = rawClient(server.address);
  try {
    const created = await unary(client, PATHS.create, create);
    if (created.code !== 0) throw new Error(`CreateTask on the full server failed: ${created.code} ${created.details}`);
    const get = getTaskBytes({ type: "custom_task", version: 0, resourceMeta: resourceMetaOf(created.reply) });
    const got = await unary(client, PATHS.get, get);
    if (got.code !== 0) throw new Error(`GetTask on the full server failed: ${got.code} ${got.details}`);
    const phase = resourceOf(got.reply)?.phase;
    if (phase !== RUNNING) throw new Error(`GetTask on the full server answered phase ${phase}, not RUNNING (${RUNNING})`);
    return {
      create,
      get,
      phase,
      createFile: writeGrpcFrame(join(tmpDir, "create.grpc"), create),
      getFile: writeGrpcFrame(join(tmpDir, "get.grpc"), get),
    };
  } finally {
    client.close();
  }
}

/** Sends the full server's CreateTask and GetTask bodies to a baseline; throws unless both answer OK. */
export async function checkBodies(server, bodies) {
  const client = rawClient(server.address);
  try {
    for (const [name, path, body] of [
      ["CreateTask", PATHS.create, bodies.create],
      ["GetTask", PATHS.get, bodies.get],
    ]) {
      const out = await unary(client, path, body);
      if (out.code !== 0) throw new Error(`${name} on the ${server.kind} server failed: ${out.code} ${out.details}`);
    }
  } finally {
    client.close();
  }
}
