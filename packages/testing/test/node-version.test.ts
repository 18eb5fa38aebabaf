import { execFileSync } from "node:child_process";

// The repository's suites run on Node 24 (the root devDependency node@24 is first on the PATH of
// every pnpm script and turbo task). A suite that quietly ran on the host's older Node fails here.
const major = (version: string) => Number(version.replace(/^v/, "").split(".")[0]);

describe("the Node that runs the test suites", () => {
  it("is Node 24 or newer in jest", () => {
    expect(major(process.version)).toBeGreaterThanOrEqual(24);
  });

  it("is Node 24 or newer as `node` on the PATH of the processes the tests start", () => {
    const child = execFileSync("node", ["-p", "process.version"], { encoding: "utf8" }).trim();
    expect(major(child)).toBeGreaterThanOrEqual(24);
  });
});
