/** Prints rows as an aligned text table. */
export function printTable(out: NodeJS.WritableStream, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  out.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
  if (rows.length === 0) out.write("(none)\n");
}
