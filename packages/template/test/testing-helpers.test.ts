import { Phase } from "@flyte-agent/core";
import { startTestServer } from "@flyte-agent/testing";
import plugin from "../src";
import { customSyncTaskTemplate, customTaskTemplate } from "../src/testing";

test("the ./testing task templates are served by this plugin's agents", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  const done = await client.runTask({ template: customTaskTemplate({ durationSeconds: 0 }), pollIntervalMs: 20 });
  expect(done.phase).toBe(Phase.SUCCEEDED);
  const failed = await client.runTask({ template: customTaskTemplate({ durationSeconds: 0, fail: true }), pollIntervalMs: 20 });
  expect(failed.resource.message).toMatch(/custom\.fail = true/);
  const [reply] = await client.executeTaskSyncAll({ template: customSyncTaskTemplate() });
  expect(reply?.res?.$case === "header" ? reply.res.value.resource?.phase : undefined).toBe(Phase.SUCCEEDED);
});
