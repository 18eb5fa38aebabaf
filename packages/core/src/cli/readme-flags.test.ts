/**
 * The flag tables in core's README against the options commander has registered: same flags
 * per command, same short aliases, same environment variables, same defaults.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Option } from "commander";
import { createProgram } from "./main";

interface DocumentedFlag {
  long: string;
  shorts: string[];
  env: string[];
  defaultCell: string;
}

/** Every `### \`flyte-agent <command>\` flags` section and the rows of its table. */
function readmeFlagTables(markdown: string): Map<string, DocumentedFlag[]> {
  const tables = new Map<string, DocumentedFlag[]>();
  let command: string | undefined;
  for (const line of markdown.split("\n")) {
    const heading = /^#{2,3} /.test(line) ? /^### `flyte-agent ([a-z-]+)` flags$/.exec(line) : null;
    if (/^#{2,3} /.test(line)) {
      command = heading?.[1];
      if (command) tables.set(command, []);
      continue;
    }
    if (!command || !line.startsWith("| `-")) continue;
    const [flagCell = "", envCell = "", defaultCell = ""] = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    const flags = [...flagCell.matchAll(/`(-{1,2}[a-z][a-z-]*)`/g)].map((m) => m[1] ?? "");
    const long = flags.filter((f) => f.startsWith("--"));
    if (long.length !== 1) throw new Error(`README row must name exactly one long flag: ${line}`);
    tables.get(command)?.push({
      long: long[0] ?? "",
      shorts: flags.filter((f) => !f.startsWith("--")),
      env: [...envCell.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1] ?? ""),
      defaultCell,
    });
  }
  return tables;
}

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
const documented = readmeFlagTables(readme);
const commands = createProgram().commands;

/** The default as the README shows it: the option's description of it, else its value. */
function shownDefault(option: Option): string | undefined {
  const value: unknown = option.defaultValue;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  return option.defaultValueDescription ?? String(value);
}

test("every command has a flag table in the README, and every table a command", () => {
  expect([...documented.keys()].sort()).toEqual(commands.map((c) => c.name()).sort());
});

describe.each(commands.map((c) => [c.name(), c] as const))("flyte-agent %s", (name, command) => {
  const rows = documented.get(name) ?? [];
  const byLong = new Map(rows.map((r) => [r.long, r]));

  it("documents exactly the registered flags, each once", () => {
    const registered = command.options.map((o) => o.long ?? "").sort();
    expect(rows.map((r) => r.long).sort()).toEqual(registered);
  });

  it.each(command.options.map((o) => [o.long ?? "", o] as const))("%s: short alias, env and default match", (_long, option) => {
    const row = byLong.get(option.long ?? "");
    expect(row).toBeDefined();
    if (!row) return;
    expect(row.shorts).toEqual(option.short ? [option.short] : []);
    // The environment variable commander reads, or one the option's help names (read by discovery).
    const envNamed = [...option.description.matchAll(/env ([A-Z_]+)/g)].map((m) => m[1]);
    expect(row.env).toEqual(option.envVar ? [option.envVar] : envNamed);
    const expected = shownDefault(option);
    if (expected !== undefined) expect(/^`([^`]*)`/.exec(row.defaultCell)?.[1]).toBe(expected);
  });
});

test("the parser finds a wrong default, a missing flag and a stale env var", () => {
  const tables = readmeFlagTables(
    [
      "### `flyte-agent serve` flags",
      "| flag | env | default | meaning |",
      "|---|---|---|---|",
      "| `--port`, `-p` | `PORT` | `80` | gRPC port |",
      "## Next",
      "| `--ignored` | | | outside a flag section |",
    ].join("\n"),
  );
  expect(tables.get("serve")).toEqual([{ long: "--port", shorts: ["-p"], env: ["PORT"], defaultCell: "`80`" }]);
  const port = commands.find((c) => c.name() === "serve")?.options.find((o) => o.long === "--port");
  expect(port && shownDefault(port)).toBe("8000");
  expect(port?.envVar).toBe("FLYTE_AGENT_PORT");
});
