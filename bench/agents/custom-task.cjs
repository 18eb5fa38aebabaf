// A stand-in for the template agent (category custom_task v0), used by `pnpm bench` when
// @flyte-agent/template is not built: create derives a job id from the execution id, get
// reports RUNNING until the job's duration has passed, then SUCCEEDED with outputs.
const { join } = require("node:path");
const core = require(join(__dirname, "..", "..", "packages", "core", "dist", "index.js"));

const { AsyncAgent, Phase, definePlugin, expectMetaFields, fromLiteralMap, toLiteralMap } = core;

class BenchCustomTaskAgent extends AsyncAgent {
  name = "Bench Custom Task Agent";
  category = { name: "custom_task", version: 0 };

  async create(ctx) {
    const inputs = fromLiteralMap(ctx.inputs);
    const id = ctx.taskExecutionMetadata?.taskExecutionId?.nodeExecutionId?.nodeId ?? "local";
    const seconds = typeof inputs.seconds === "bigint" ? Number(inputs.seconds) : 3600;
    return { jobId: `job-${id}`, startedAt: Date.now(), seconds };
  }

  async get(meta) {
    const elapsed = (Date.now() - meta.startedAt) / 1000;
    const links = [{ name: "Job Console", uri: `https://jobs.example.test/${meta.jobId}` }];
    if (elapsed < meta.seconds) return { phase: Phase.RUNNING, message: `running for ${Math.floor(elapsed)} s`, logLinks: links };
    return { phase: Phase.SUCCEEDED, logLinks: links, outputs: toLiteralMap({ elapsed }) };
  }

  async delete() {}

  validateMeta(value) {
    return expectMetaFields(value, { jobId: "string", startedAt: "number", seconds: "number" });
  }
}

module.exports = { default: definePlugin({ name: "bench-custom-task", agents: [new BenchCustomTaskAgent()] }) };
