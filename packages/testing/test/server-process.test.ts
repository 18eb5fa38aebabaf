import { Phase } from "@flyte-agent/core";
import { pollTask, startServerProcess, taskTemplate } from "../src";

const countdown = require.resolve("./fixtures/countdown-plugin.js");

describe("startServerProcess", () => {
  test("another process answers GetTask from resource_meta created elsewhere", async () => {
    const a = await startServerProcess({ modules: [countdown] });
    const b = await startServerProcess({ modules: [countdown] });
    expect(a.pid).not.toBe(b.pid);
    const meta = await a.client.createTask({ template: taskTemplate({ type: "countdown" }) });
    expect(JSON.parse(Buffer.from(meta).toString())).toMatchObject({ pid: a.pid });
    const done = await pollTask(b.client, { name: "countdown", version: 0 }, meta, { pollIntervalMs: 20 });
    expect(done.phase).toBe(Phase.SUCCEEDED);
    expect(done.resource.message).toBe(`answered by ${b.pid}`);
    expect(done.timeline.map((t) => t.phaseName)).toEqual(["RUNNING", "SUCCEEDED"]);
    expect(done.timeline[0]?.message).toBe(`created by ${a.pid}`);
  });

  test("close() stops the child process", async () => {
    const proc = await startServerProcess({ modules: [countdown] });
    await proc.close();
    expect(() => process.kill(proc.pid, 0)).toThrow(/ESRCH/);
  });

  test("a module that is not a plugin is refused with a clear message", async () => {
    await expect(startServerProcess({ modules: [require.resolve("../package.json")] })).rejects.toThrow(
      /does not export a plugin \(definePlugin\) as its default export/,
    );
  });
});
