import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dashboardJson } from "./dashboard";

/** deploy/monitoring, from this package's dist/. */
export const DEPLOY_MONITORING = join(__dirname, "..", "..", "..", "deploy", "monitoring");

/** The generated file committed in deploy/monitoring (a test fails when it is stale). */
export const DASHBOARD_FILE = join(DEPLOY_MONITORING, "grafana-dashboard.json");

if (require.main === module) {
  writeFileSync(DASHBOARD_FILE, dashboardJson());
  // The repository's formatter owns the committed layout (`biome check .` runs in `pnpm test`).
  const biome = join(__dirname, "..", "..", "..", "node_modules", ".bin", "biome");
  execFileSync(biome, ["format", "--write", DASHBOARD_FILE], { stdio: "ignore" });
  process.stdout.write(`wrote ${DASHBOARD_FILE}\n`);
}
