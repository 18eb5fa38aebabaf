/**
 * Edit distance between two strings: insertions, deletions, substitutions and transpositions of
 * two neighbouring characters (`alhpa` is one edit from `alpha`); case-sensitive.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const above = rows[i - 1] ?? [];
      let d = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = d;
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/** Lower-case with `_` and `-` dropped, so that `duration_seconds` and `durationSeconds` compare equal. */
const folded = (name: string): string => name.toLowerCase().replace(/[_-]/g, "");

/**
 * The known name closest to `name`, for a "did you mean" hint: an exact match after folding
 * case and separators first, else the nearest by edit distance when it is at most about a third
 * of the name's length (at least 1, at most 3). `undefined` when nothing is close.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const target = folded(name);
  const same = known.find((k) => folded(k) === target);
  if (same !== undefined) return same;
  const limit = Math.min(3, Math.max(1, Math.floor(target.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const d = editDistance(target, folded(k));
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` when a known name is close, else "". */
export function didYouMean(name: string, known: readonly string[]): string {
  const close = closestName(name, known);
  return close === undefined ? "" : ` (did you mean "${close}"?)`;
}
