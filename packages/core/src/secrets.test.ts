import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StatusCode } from "./status-code";
import { getSecret, redactSecrets, requireSecret, SecretNotFoundError, secretLocations } from "./secrets";

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
});
