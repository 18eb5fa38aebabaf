import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StatusCode } from "./status-code";
import { getSecret, redactSecrets, redactValues, requireSecret, SecretNotFoundError, secretLocations } from "./secrets";

describe("secrets", () => {
  const dir = mkdtempSync(join(tmpdir(), "secrets-"));
  writeFileSync(join(dir, "file_token"), "from-the-file\n");

  it("reads _FSEC_<KEY> first, then <dir>/<key lower case>", () => {
    const env = { _FSEC_MY_TOKEN: "from-the-env", FLYTE_SECRETS_DEFAULT_DIR: dir };
    expect(getSecret("my_token", { env })).toBe("from-the-env");
    expect(getSecret("FILE_TOKEN", { env })).toBe("from-the-file");
    expect(getSecret("absent", { env })).toBeUndefined();
  });

  it("honours a custom prefix and directory", () => {
    expect(getSecret("k", { env: { CUSTOM_K: "custom-value" }, envPrefix: "CUSTOM_" })).toBe("custom-value");
    expect(getSecret("file_token", { env: {}, dir })).toBe("from-the-file");
  });

  it("says where it looked without printing values, and redacts values it read", () => {
    expect(() => requireSecret("missing_key", { env: {}, dir })).toThrow(
      `set _FSEC_MISSING_KEY or mount ${join(dir, "missing_key")}`,
    );
    getSecret("t", { env: { _FSEC_T: "s3cr3t-value" } });
    expect(redactSecrets("Bearer s3cr3t-value failed")).toBe("Bearer [REDACTED] failed");
  });

  it("requireSecret: FAILED_PRECONDITION naming the variable and file, with the configured prefix and directory", () => {
    const env = { FLYTE_SECRETS_ENV_PREFIX: "MY_", FLYTE_SECRETS_DEFAULT_DIR: "/run/flyte" };
    expect(secretLocations("api_key", { env })).toEqual({ envVar: "MY_API_KEY", file: "/run/flyte/api_key" });
    let err: unknown;
    try {
      requireSecret("api_key", { env, what: "warehouse API key" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect(err).toMatchObject({
      code: StatusCode.FAILED_PRECONDITION,
      message: "no warehouse API key: set MY_API_KEY or mount /run/flyte/api_key on the agent",
    });
  });

  it("requireSecret treats a blank secret as missing and trims the value", () => {
    expect(() => requireSecret("blank", { env: { _FSEC_BLANK: "  \n" } })).toThrow(SecretNotFoundError);
    expect(requireSecret("padded", { env: { _FSEC_PADDED: " tok-1234\n" } })).toBe("tok-1234");
  });

  describe("with the call's connection", () => {
    const connection = (secrets: Record<string, string>) => ({ taskType: "t", secrets, configs: {} });

    it("looks in the connection first, under connectionKey when given, then in the pod's secrets", () => {
      const env = { _FSEC_POD_TOKEN: "pod-value-1" };
      expect(getSecret("pod_token", { env, connection: connection({ pod_token: "conn-value-1" }) })).toBe("conn-value-1");
      expect(
        requireSecret("POD_TOKEN", { env, connection: connection({ api_token: "conn-value-2" }), connectionKey: "api_token" }),
      ).toBe("conn-value-2");
      expect(requireSecret("pod_token", { env, connection: connection({ other: "x-value" }) })).toBe("pod-value-1");
      expect(getSecret("pod_token", { env, connection: connection({ pod_token: "  " }) })).toBe("pod-value-1");
    });

    it("does not remember connection values for every call's redaction", () => {
      getSecret("k", { env: {}, connection: connection({ k: "conn-only-value-9" }) });
      expect(redactSecrets("conn-only-value-9")).toBe("conn-only-value-9");
      expect(redactValues("a conn-only-value-9 b", ["conn-only-value-9", "abc"])).toBe("a [REDACTED] b");
    });

    it("says the connection lacks the key, and where else it looked", () => {
      expect(() =>
        requireSecret("FLYTE_X", { env: {}, dir, connection: connection({}), connectionKey: "x_token", what: "X token" }),
      ).toThrow(
        `no X token: the connection has no secret "x_token", and neither _FSEC_FLYTE_X nor ${join(dir, "flyte_x")} is set on the agent`,
      );
    });
  });
});
