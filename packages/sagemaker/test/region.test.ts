import { type AgentError, StatusCode } from "@flyte-agent/core";
import { resolveRegion } from "../src/region";

test("an input named region wins, then custom.region, then the configured region", () => {
  expect(resolveRegion("eu-west-1", "us-east-2", "ap-south-1")).toBe("eu-west-1");
  expect(resolveRegion(undefined, "us-east-2", "ap-south-1")).toBe("us-east-2");
  expect(resolveRegion("", null, "ap-south-1")).toBe("ap-south-1");
  expect(resolveRegion(undefined, "", "cn-north-1")).toBe("cn-north-1");
  expect(resolveRegion(undefined, "us-gov-west-1", undefined)).toBe("us-gov-west-1");
});

test("no region anywhere, or one that is not a region name, is INVALID_ARGUMENT saying so", () => {
  const error = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err as AgentError;
    }
    throw new Error("no error");
  };
  const none = error(() => resolveRegion(undefined, null, undefined));
  expect(none.code).toBe(StatusCode.INVALID_ARGUMENT);
  expect(none.message).toMatch(/^Region parameter is required/);
  const bad = error(() => resolveRegion(undefined, "evil.example.com/", undefined));
  expect(bad.code).toBe(StatusCode.INVALID_ARGUMENT);
  expect(bad.message).toBe('custom.region "evil.example.com/" is not an AWS region name (like us-east-1)');
  expect(error(() => resolveRegion(7, null, undefined)).message).toBe("the input `region` must be a string");
});
