// Redaction cost per log line: core's redactSecrets (what the logger's streamWrite hook runs on
// every line) on a request log line, with as many values registered as a server holds: none,
// pod secrets, pod secrets plus the Snowflake JWTs still valid, and, for comparison, the set a
// server would have grown to when renewed tokens never left it.
import { randomBytes } from "node:crypto";
import { loadCore } from "../lib/repo.mjs";
import { round } from "../lib/stats.mjs";

const LINE = `${JSON.stringify({
  level: "info",
  time: 1_765_100_000_000,
  service: "flyte-agent",
  operation: "get",
  task_type: "snowflake",
  protocol: "v1",
  attempt: "flytesnacks-development-a1b2c3d4e5f6-n0-0",
  phase: "RUNNING",
  ms: 212.4,
  msg: "GetTask snowflake: RUNNING",
})}\n`;

/** A JWT-shaped value of Snowflake's size (header, claims, RS256 signature). */
const jwtLike = () =>
  `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${randomBytes(120).toString("base64url")}.${randomBytes(256).toString("base64url")}`;

function nsPerLine(redact, iterations) {
  for (let i = 0; i < 2000; i++) redact(LINE); // warm-up
  const t0 = process.hrtime.bigint();
  let keep = 0;
  for (let i = 0; i < iterations; i++) keep += redact(LINE).length;
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  if (keep === 0) throw new Error("redaction returned nothing");
  return round(ns, 0);
}

/** Measures each case in this process (the values registered stay registered: run it last). */
export function redactionSection({ log, iterations = 200_000 }) {
  const core = loadCore();
  const rows = [];
  const measure = (label) => {
    const row = { case: label, values: core.redactedValueCount(), nsPerLine: nsPerLine(core.redactSecrets, iterations) };
    rows.push(row);
    log(`  ${label}: ${row.values} values, ${row.nsPerLine} ns per line`);
  };
  measure("nothing registered");
  for (let i = 0; i < 3; i++) core.registerSecretValue(randomBytes(24).toString("base64")); // pod secrets
  measure("3 pod secrets");
  // Ten connections' JWTs renewed every 8 minutes for a day: only the ones still valid stay.
  const now = Date.now();
  for (let minute = 0; minute < 24 * 60; minute += 8) {
    for (let c = 0; c < 10; c++) {
      core.registerSecretValue(jwtLike(), { expiresAt: now + (minute + 10) * 60_000, now: now + minute * 60_000 });
    }
  }
  measure("3 pod secrets + the JWTs of 10 connections after a day of renewals");
  for (let i = 0; i < 1800; i++) core.registerSecretValue(jwtLike(), { expiresAt: Number.POSITIVE_INFINITY, now });
  measure("for comparison: a day of renewals that never left the set (the old behaviour)");
  return { line: LINE.length, rows };
}
