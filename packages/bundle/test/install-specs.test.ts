import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageNameOf, planInstall } from "../src/install-specs";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bundle-tarballs-"));
  for (const f of [
    "flyte-agent-core-0.1.0.tgz",
    "flyte-agent-template-0.1.0.tgz",
    "flyte-agent-bigquery-0.1.0.tgz",
    "flyte-agent-bigquery-extras-2.0.0.tgz",
  ]) {
    writeFileSync(join(dir, f), "");
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("planInstall", () => {
  it("takes bundled plugins from the packed tarballs and the rest from the registry", () => {
    const plan = planInstall("template @flyte-agent/bigquery some-npm-plugin@1.2.3,@acme/agent@^2", dir);
    expect(plan.npmArgs).toEqual([
      join(dir, "flyte-agent-template-0.1.0.tgz"),
      join(dir, "flyte-agent-bigquery-0.1.0.tgz"),
      "some-npm-plugin@1.2.3",
      "@acme/agent@^2",
    ]);
    expect(plan.packageNames).toEqual(["@flyte-agent/template", "@flyte-agent/bigquery", "some-npm-plugin", "@acme/agent"]);
  });

  it("refuses what it cannot install, saying why", () => {
    expect(() => planInstall("databricks", dir)).toThrow(/no packed tarball for @flyte-agent\/databricks/);
    expect(() => planInstall("redshift", dir)).toThrow(
      /"redshift" is not a bundled plugin \(bigquery, databricks, openai, sagemaker, sensor, snowflake, template, webhook\); .*redshift@1\.2\.3/,
    );
    expect(() => planInstall("Bad Name@1", dir)).toThrow(/not an npm package name/);
    expect(() => planInstall("  ", dir)).toThrow(/no plugins given/);
  });

  it("installs a packed plugin given by its absolute path, and refuses a missing one", () => {
    const tgz = join(dir, "team-jobs-0.1.0.tgz");
    writeFileSync(tgz, "");
    expect(planInstall(`template ${tgz}`, dir).npmArgs).toEqual([join(dir, "flyte-agent-template-0.1.0.tgz"), tgz]);
    expect(() => planInstall(join(dir, "gone-1.0.0.tgz"), dir)).toThrow(/gone-1\.0\.0\.tgz": no such package tarball/);
    expect(() => planInstall("relative.tgz", dir)).toThrow(/"relative\.tgz": no such package tarball/);
  });

  it("packageNameOf strips the version of plain and scoped specs", () => {
    expect(packageNameOf("a@1")).toBe("a");
    expect(packageNameOf("@s/a@~1.2")).toBe("@s/a");
    expect(packageNameOf("@s/a")).toBe("@s/a");
  });
});
