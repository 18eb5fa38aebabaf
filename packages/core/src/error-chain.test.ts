import { describeErrorChain } from "./error-chain";
import { registerSecretValue } from "./secrets";

const systemError = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("describeErrorChain", () => {
  it("follows the cause chain, skipping links that repeat what is already said", () => {
    const root = systemError("connect ECONNREFUSED 127.0.0.1:443", "ECONNREFUSED");
    const mid = new Error("request to https://jobs.example failed", { cause: root });
    const top = new Error("request to https://jobs.example failed\nstack-like second line", { cause: mid });
    expect(describeErrorChain(top)).toBe("request to https://jobs.example failed: connect ECONNREFUSED 127.0.0.1:443");
  });

  it("lists the members of an AggregateError (one refused connection per address tried)", () => {
    const aggregate = Object.assign(
      new AggregateError(
        [
          systemError("connect ECONNREFUSED ::1:443", "ECONNREFUSED"),
          systemError("connect ECONNREFUSED 127.0.0.1:443", "ECONNREFUSED"),
        ],
        "",
      ),
      { code: "ECONNREFUSED" },
    );
    const err = new TypeError("fetch failed", { cause: aggregate });
    expect(describeErrorChain(err)).toBe("fetch failed: connect ECONNREFUSED ::1:443, connect ECONNREFUSED 127.0.0.1:443");
  });

  it("uses a code when a link has no message, and survives a cycle", () => {
    const a = new Error("outer");
    const b = Object.assign(new Error(""), { code: "ETIMEDOUT" });
    Object.assign(a, { cause: b });
    Object.assign(b, { cause: a });
    expect(describeErrorChain(a)).toBe("outer: ETIMEDOUT");
  });

  it("describes strings and unknown values", () => {
    expect(describeErrorChain("plain text")).toBe("plain text");
    expect(describeErrorChain({})).toBe("unknown error");
    expect(describeErrorChain(42)).toBe("42");
  });

  it("is bounded in length", () => {
    const long = new Error("x".repeat(2000), { cause: new Error("y".repeat(2000)) });
    const text = describeErrorChain(long, 100);
    expect(text).toBe(`${"x".repeat(100)}...`);
  });

  it("never echoes a known secret, even when the bound would cut it", () => {
    const secret = "s3cr3t-token-value-0123456789";
    registerSecretValue(secret);
    const err = new Error("auth failed", { cause: new Error(`token ${secret} rejected`) });
    expect(describeErrorChain(err)).toBe("auth failed: token [REDACTED] rejected");
    const clipped = describeErrorChain(new Error(`${"a".repeat(10)}${secret}`), 20);
    expect(clipped).not.toContain(secret.slice(0, 10));
  });
});
