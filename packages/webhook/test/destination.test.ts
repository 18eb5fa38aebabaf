/**
 * The destination rules: each address class, IPv4-mapped and other IPv6 forms that reach an
 * IPv4 host, DNS names resolving to forbidden addresses (through the resolver hook), the
 * allow-list, and, over gRPC, that a refused destination is never called.
 */
import { phaseName } from "@flyte-agent/core";
import { startTestServer } from "@flyte-agent/testing";
import { classifyAddress } from "../src/address-rules";
import { parseAllowedHost, parseAllowedHosts } from "../src/allowed-hosts";
import { DestinationRefused, resolveDestination, type Resolver, systemResolver } from "../src/destination";
import { parseIp } from "../src/ip-address";
import { WebhookAgent } from "../src";
import { startWebhookReceiver, webhookTemplate } from "../src/testing";

const classOf = (address: string) => {
  const bytes = parseIp(address);
  if (!bytes) throw new Error(`test: ${address} does not parse`);
  return [classifyAddress(bytes).class, classifyAddress(bytes).rule];
};

test.each([
  ["169.254.169.254", "forbidden", "cloud metadata address"],
  ["169.254.170.2", "forbidden", "cloud metadata address"],
  ["fd00:ec2::254", "forbidden", "cloud metadata address"],
  ["fd20:ce::254", "forbidden", "cloud metadata address"],
  ["100.100.100.200", "forbidden", "cloud metadata address"],
  ["168.63.129.16", "forbidden", "cloud metadata address"],
  ["192.0.0.192", "forbidden", "cloud metadata address"],
  ["169.254.1.1", "forbidden", "link-local address"],
  ["fe80::1", "forbidden", "link-local address"],
  ["febf:ffff::1", "forbidden", "link-local address"],
  ["::ffff:169.254.169.254", "forbidden", "cloud metadata address"],
  ["::ffff:a9fe:a9fe", "forbidden", "cloud metadata address"],
  ["64:ff9b::a9fe:a9fe", "forbidden", "cloud metadata address"],
  ["2002:a9fe:a9fe::1", "forbidden", "cloud metadata address"],
  ["::169.254.169.254", "forbidden", "cloud metadata address"],
  ["0.0.0.0", "forbidden", "unspecified address (reaches this host)"],
  ["::", "forbidden", "unspecified address (reaches this host)"],
  ["224.0.0.1", "forbidden", "multicast or broadcast address"],
  ["127.0.0.1", "loopback", "loopback address"],
  ["127.8.9.10", "loopback", "loopback address"],
  ["::1", "loopback", "loopback address"],
  ["::ffff:127.0.0.1", "loopback", "loopback address"],
  ["10.1.2.3", "private", "private address"],
  ["172.31.255.255", "private", "private address"],
  ["192.168.0.10", "private", "private address"],
  ["100.64.0.1", "private", "private address"],
  ["fd12:3456::1", "private", "private address"],
  ["172.32.0.1", "public", undefined],
  ["8.8.8.8", "public", undefined],
  ["2606:4700::1111", "public", undefined],
])("%s is %s (%s)", (address, cls, rule) => {
  expect(classOf(address)).toEqual([cls, rule]);
});

test("allow-list entries: host, host:port, IPv4, IPv6 with and without brackets and port; bad ones are refused", () => {
  expect(parseAllowedHosts(" hooks.example.com, 127.0.0.1:8080 ,[::1]:9000, ::1,,")).toEqual([
    { host: "hooks.example.com", isIp: false, port: undefined },
    { host: "127.0.0.1", isIp: true, port: 8080 },
    { host: "0:0:0:0:0:0:0:1", isIp: true, port: 9000 },
    { host: "0:0:0:0:0:0:0:1", isIp: true, port: undefined },
  ]);
  expect(() => parseAllowedHost("host:0")).toThrow(/bad port/);
  expect(() => parseAllowedHost("http://host")).toThrow(/not a host name/);
});

const resolverOf =
  (table: Record<string, string[]>): Resolver =>
  async (name) =>
    (table[name] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err as DestinationRefused,
  );

test("a name resolving to a metadata address is refused even when the allow-list names it", async () => {
  const policy = {
    allowedHosts: parseAllowedHosts("metadata.internal,169.254.169.254"),
    resolve: resolverOf({ "metadata.internal": ["169.254.169.254"] }),
  };
  const err = await refusal(resolveDestination(policy, "metadata.internal", 80));
  expect(err).toBeInstanceOf(DestinationRefused);
  expect(err?.rule).toBe("cloud metadata address");
  expect(err?.message).toBe(
    'destination metadata.internal (169.254.169.254) refused by the rule "cloud metadata address": such addresses are refused even when FLYTE_WEBHOOK_ALLOWED_HOSTS lists them',
  );
});

test("one forbidden address among a name's addresses refuses the name", async () => {
  const policy = { allowedHosts: [], resolve: resolverOf({ "mixed.example": ["93.184.215.14", "fe80::1"] }) };
  expect((await refusal(resolveDestination(policy, "mixed.example", 443)))?.rule).toBe("link-local address");
});

test("loopback needs the allow-list; private addresses do not, until an allow-list exists", async () => {
  const resolve = resolverOf({ "svc.cluster.local": ["10.96.0.12"], "lo.example": ["127.0.0.1"] });
  const open = { allowedHosts: [], resolve };
  await expect(resolveDestination(open, "svc.cluster.local", 80)).resolves.toEqual([{ address: "10.96.0.12", family: 4 }]);
  expect((await refusal(resolveDestination(open, "lo.example", 80)))?.rule).toBe("loopback address");

  const listed = { allowedHosts: parseAllowedHosts("lo.example:8080"), resolve };
  await expect(resolveDestination(listed, "lo.example", 8080)).resolves.toEqual([{ address: "127.0.0.1", family: 4 }]);
  const wrongPort = await refusal(resolveDestination(listed, "lo.example", 8081));
  expect([wrongPort?.rule, wrongPort?.message]).toEqual([
    "loopback address",
    expect.stringContaining("a loopback address is called only when FLYTE_WEBHOOK_ALLOWED_HOSTS lists it"),
  ]);
  const unlisted = await refusal(resolveDestination(listed, "svc.cluster.local", 80));
  expect([unlisted?.rule, unlisted?.message]).toEqual([
    "allow-list",
    'destination svc.cluster.local (10.96.0.12) port 80 refused by the rule "allow-list": FLYTE_WEBHOOK_ALLOWED_HOSTS does not list it',
  ]);
});

test("the system resolver: localhost resolves to loopback and is refused without the allow-list", async () => {
  const policy = { allowedHosts: [], resolve: systemResolver };
  expect((await refusal(resolveDestination(policy, "localhost", 80)))?.rule).toBe("loopback address");
});

describe("over gRPC: a refused destination fails the task for good and is never called", () => {
  test.each([
    ["http://169.254.169.254/latest/meta-data/iam/security-credentials/", "cloud metadata address"],
    ["http://[fe80::1]/", "link-local address"],
    ["http://[::ffff:169.254.169.254]/", "cloud metadata address"],
    ["http://[fd00:ec2::254]/latest/api/token", "cloud metadata address"],
    ["http://100.100.100.200/latest/meta-data/", "cloud metadata address"],
    ["http://metadata.google.internal.test/computeMetadata/v1/", "cloud metadata address"],
    ["http://localhost:1/", "loopback address"],
    ["http://0.0.0.0:1/", "unspecified address (reaches this host)"],
    // Other spellings of the same addresses, which the URL parser normalises before the check.
    ["http://2852039166/latest/meta-data/", "cloud metadata address"],
    ["http://0xa9.0xfe.0xa9.0xfe/", "cloud metadata address"],
    ["http://0251.0376.0251.0376/", "cloud metadata address"],
    ["http://2130706433:1/", "loopback address"],
    ["http://[0:0:0:0:0:ffff:7f00:1]:1/", "loopback address"],
  ])("%s", async (url, rule) => {
    const agent = new WebhookAgent({
      env: {},
      allowedHosts: ["169.254.169.254", "metadata.google.internal.test"],
      resolver: resolverOf({ "metadata.google.internal.test": ["169.254.169.254"], localhost: ["127.0.0.1"] }),
    });
    const { client } = await startTestServer({ agents: [agent] });
    const resource = await client.executeTaskSync({ template: webhookTemplate({ url, method: "GET" }) });
    expect(phaseName(resource.phase)).toBe("FAILED");
    expect(resource.message).toContain(`refused by the rule "${rule}"`);
  });

  test("the connection goes to the address that was checked: a resolver answer is used once, never looked up again", async () => {
    const receiver = await startWebhookReceiver();
    let lookups = 0;
    const agent = new WebhookAgent({
      env: {},
      allowedHosts: [`hooks.test:${receiver.port}`],
      // The first answer is the receiver; any later lookup would point at the metadata address.
      resolver: async () => [{ address: lookups++ === 0 ? "127.0.0.1" : "169.254.169.254", family: 4 }],
    });
    const { client } = await startTestServer({ agents: [agent] });
    try {
      const resource = await client.executeTaskSync({
        template: webhookTemplate({ url: `http://hooks.test:${receiver.port}/h`, method: "POST" }),
      });
      expect(phaseName(resource.phase)).toBe("SUCCEEDED");
      expect(lookups).toBe(1);
      expect(receiver.requests[0]?.headers.host).toBe(`hooks.test:${receiver.port}`);
    } finally {
      await receiver.close();
    }
  });
});
