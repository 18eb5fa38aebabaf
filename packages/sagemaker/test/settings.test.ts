import { resolveSettings } from "../src/settings";

test("endpoints come from the service's own variable, then AWS_ENDPOINT_URL, unless configured endpoints are ignored", () => {
  const env = {
    AWS_ENDPOINT_URL: "http://127.0.0.1:1",
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: "http://127.0.0.1:2",
  };
  expect(resolveSettings({ env }).clients).toMatchObject({
    endpoint: "http://127.0.0.1:1",
    runtimeEndpoint: "http://127.0.0.1:2",
  });
  expect(resolveSettings({ env: { ...env, AWS_ENDPOINT_URL_SAGEMAKER: "http://127.0.0.1:3" } }).clients.endpoint).toBe(
    "http://127.0.0.1:3",
  );
  const ignored = resolveSettings({ env: { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" } }).clients;
  expect([ignored.endpoint, ignored.runtimeEndpoint]).toEqual([undefined, undefined]);
  expect(resolveSettings({ env, endpoint: "http://127.0.0.1:4" }).clients.endpoint).toBe("http://127.0.0.1:4");
});

test("the configured region is the option, then AWS_REGION, then AWS_DEFAULT_REGION", () => {
  expect(resolveSettings({ env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-east-1" } }).region).toBe("eu-west-1");
  expect(resolveSettings({ env: { AWS_DEFAULT_REGION: "us-east-1" } }).region).toBe("us-east-1");
  expect(resolveSettings({ env: { AWS_REGION: "eu-west-1" }, region: "ap-south-1" }).region).toBe("ap-south-1");
  expect(resolveSettings({ env: {} }).region).toBeUndefined();
});

test("nonsense options are a RangeError at start-up", () => {
  expect(() => resolveSettings({ maxAttempts: 0 })).toThrow(RangeError);
  expect(() => resolveSettings({ maxAttempts: 1.5 })).toThrow(RangeError);
  expect(() => resolveSettings({ requestTimeoutMs: -1 })).toThrow(RangeError);
  expect(() => resolveSettings({ maxResponseBodyBytes: -1 })).toThrow(RangeError);
  expect(resolveSettings({ env: {} }).clients).toMatchObject({ maxAttempts: 5, requestTimeoutMs: 10_000 });
});
