/**
 * ExecuteTaskSync over gRPC (propeller's client) with flytekit-shaped webhook templates against
 * a real endpoint on 127.0.0.1 (listed in the allow-list, as loopback must be).
 */
import { phaseName } from "@flyte-agent/core";
import { startTestServer, type TestServer } from "@flyte-agent/testing";
import { WebhookAgent } from "../src";
import { msgpackDictType, simple, startWebhookReceiver, type WebhookReceiver, webhookTemplate } from "../src/testing";
import { dataclassLiteral, infoOf, integerLiteral, msgpackStringLiteral, stringLiteral } from "./helpers";

let receiver: WebhookReceiver;
let server: TestServer;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({ agents: [new WebhookAgent({ allowedHosts: ["127.0.0.1"], env: {} })] });
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.answerWith({ status: 200, body: '{"ok":true}' });
});

test("POST sends data as a JSON body (integers as integers) and returns info as a msgpack dict", async () => {
  const template = webhookTemplate(
    {
      url: `${receiver.url}/hooks/{inputs.run_id}`,
      method: "POST",
      headers: { "X-Run": "{inputs.run_id}", "Content-Type": "application/json" },
      data: { text: "run {inputs.run_id} finished", attempts: 3, ratio: 0.5, done: true, alert: "{inputs.alert}" },
      show_data: true,
      show_url: true,
      timeout_sec: 10,
    },
    { run_id: simple("STRING"), alert: msgpackDictType() },
  );
  const resource = await server.client.executeTaskSync({
    template,
    inputs: { literals: { run_id: stringLiteral("r-42"), alert: dataclassLiteral({ channel: "ops", severity: 2 }) } },
  });
  expect([phaseName(resource.phase), resource.message]).toEqual(["SUCCEEDED", "Webhook was successfully invoked!"]);
  expect(receiver.requests).toHaveLength(1);
  const [req] = receiver.requests;
  expect(req?.method).toBe("POST");
  expect(req?.url).toBe("/hooks/r-42");
  expect(req?.headers["x-run"]).toBe("r-42");
  expect(req?.headers["content-type"]).toBe("application/json");
  // The dataclass input renders as the JSON text Python's json.dumps writes (flytekit's literal_map_string_repr).
  expect(req?.body.toString("utf8")).toBe(
    '{"text":"run r-42 finished","attempts":3,"ratio":0.5,"done":true,"alert":"{\\"channel\\": \\"ops\\", \\"severity\\": 2}"}',
  );
  expect(infoOf(resource)).toEqual({
    status_code: 200,
    response_data: '{"ok":true}',
    input_data: { text: "run r-42 finished", attempts: 3, ratio: 0.5, done: true, alert: '{"channel": "ops", "severity": 2}' },
    url: `${receiver.url}/hooks/r-42`,
  });
});

test("GET sends data as query parameters, added to the URL's own; info leaves out input_data and url unless asked", async () => {
  const template = webhookTemplate(
    {
      url: `${receiver.url}/status?source=flyte`,
      method: "GET",
      data: { channel: "{inputs.channel}", limit: 10, verbose: false, tags: ["a", "b"], none: null },
    },
    { channel: msgpackDictType() },
  );
  const resource = await server.client.executeTaskSync({
    template,
    // An attribute of an upstream dataclass, as propeller passes it: a msgpack-encoded string.
    inputs: { literals: { channel: msgpackStringLiteral("ops-alerts") } },
  });
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  const [req] = receiver.requests;
  expect(req?.method).toBe("GET");
  expect(req?.body.length).toBe(0);
  const url = new URL(req?.url ?? "", "http://x");
  expect([...url.searchParams]).toEqual([
    ["source", "flyte"],
    ["channel", '"ops-alerts"'],
    ["limit", "10"],
    ["verbose", "false"],
    ["tags", "a"],
    ["tags", "b"],
    ["none", ""],
  ]);
  expect(infoOf(resource)).toEqual({ status_code: 200, response_data: '{"ok":true}' });
});

test("any 2xx succeeds (flytekit accepts only 200)", async () => {
  for (const status of [201, 202, 204]) {
    receiver.answerWith({ status, body: status === 204 ? "" : "accepted" });
    const resource = await server.client.executeTaskSync({
      template: webhookTemplate({ url: `${receiver.url}/h`, method: "POST" }),
    });
    expect([status, phaseName(resource.phase)]).toEqual([status, "SUCCEEDED"]);
    expect(infoOf(resource)).toMatchObject({ status_code: status });
  }
});

test("4xx fails for good, 503 and 429 may be retried; the message quotes the response as flytekit's does", async () => {
  const cases: Array<[number, string]> = [
    [400, "FAILED"],
    [404, "FAILED"],
    [429, "RETRYABLE_FAILED"],
    [503, "RETRYABLE_FAILED"],
  ];
  for (const [status, phase] of cases) {
    receiver.answerWith({ status, body: `no (${status})` });
    const resource = await server.client.executeTaskSync({
      template: webhookTemplate({ url: `${receiver.url}/h`, method: "GET" }),
    });
    expect([status, phaseName(resource.phase), resource.message]).toEqual([
      status,
      phase,
      `Webhook failed with status code ${status}, response: no (${status})`,
    ]);
  }
});

test("a redirect is not followed: the task fails naming the status", async () => {
  receiver.answerWith({ status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" }, body: "" });
  const resource = await server.client.executeTaskSync({
    template: webhookTemplate({ url: `${receiver.url}/h`, method: "GET" }),
  });
  expect(phaseName(resource.phase)).toBe("FAILED");
  expect(resource.message).toBe("Webhook failed with status code 302 (redirects are not followed), response: ");
  expect(receiver.requests).toHaveLength(1);
});

test("a placeholder naming a missing input fails the task, naming it", async () => {
  const resource = await server.client.executeTaskSync({
    template: webhookTemplate({ url: `${receiver.url}/{inputs.missing}`, method: "GET" }, { present: simple("INTEGER") }),
    inputs: { literals: { present: integerLiteral(7n) } },
  });
  expect(phaseName(resource.phase)).toBe("FAILED");
  expect(resource.message).toContain("inputs.missing");
  expect(receiver.requests).toHaveLength(0);
});

test("a method other than GET or POST, or a URL that is not http(s), fails without a request", async () => {
  for (const [custom, text] of [
    [{ url: `${receiver.url}/h`, method: "PUT" }, "custom.method must be GET or POST"],
    [{ url: "ftp://127.0.0.1/x", method: "GET" }, "custom.url must be http or https"],
    [{ url: "http://user:pw@127.0.0.1/x", method: "GET" }, "must not carry a user name or password"],
  ] as const) {
    const resource = await server.client.executeTaskSync({ template: webhookTemplate({ ...custom }) });
    expect(phaseName(resource.phase)).toBe("FAILED");
    expect(resource.message).toContain(text);
  }
  expect(receiver.requests).toHaveLength(0);
});

test("a GET whose data holds a nested map fails, naming the key, without a request", async () => {
  const resource = await server.client.executeTaskSync({
    template: webhookTemplate({ url: `${receiver.url}/h`, method: "GET", data: { filter: { status: "done" } } }),
  });
  expect([phaseName(resource.phase), resource.message]).toEqual([
    "FAILED",
    "custom.data.filter: a GET query parameter must be a string, number, boolean, null or a list of them",
  ]);
  expect(receiver.requests).toHaveLength(0);
});

test("a header value with a line break is refused (no header injection)", async () => {
  const resource = await server.client.executeTaskSync({
    template: webhookTemplate(
      { url: `${receiver.url}/h`, method: "GET", headers: { "X-Note": "{inputs.note}" } },
      { note: simple("STRING") },
    ),
    inputs: { literals: { note: stringLiteral("ok\r\nX-Injected: 1") } },
  });
  expect([phaseName(resource.phase), resource.message]).toEqual([
    "FAILED",
    "custom.headers.X-Note holds a line break or control character",
  ]);
  expect(receiver.requests).toHaveLength(0);
});

test("an IPv6 loopback endpoint is called when the allow-list names [::1]", async () => {
  const v6 = await startWebhookReceiver({ host: "::1" });
  const listed = await startTestServer({ agents: [new WebhookAgent({ allowedHosts: [`[::1]:${v6.port}`], env: {} })] });
  try {
    const resource = await listed.client.executeTaskSync({ template: webhookTemplate({ url: `${v6.url}/v6`, method: "POST" }) });
    expect(phaseName(resource.phase)).toBe("SUCCEEDED");
    expect(v6.requests.map((r) => r.url)).toEqual(["/v6"]);
  } finally {
    await listed.close();
    await v6.close();
  }
});
