/**
 * Did-you-mean suggestions for names people type (spaces, apps, inputs, keys of config files): one edit
 * distance and one notion of "close" for all of them.
 */

/** Levenshtein distance, case-insensitive: how far a typo is from a real name. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

/** Names close to `wanted` (typos, case, prefixes), nearest first; at most `limit`. */
export function nearbyNames(wanted: string, names: readonly string[], limit = 3): string[] {
  const w = wanted.toLowerCase();
  return [...new Set(names)]
    .map((name) => {
      const n = name.toLowerCase();
      let d = editDistance(wanted, name);
      if (n.includes(w) || w.includes(n)) d = Math.min(d, 1);
      return { name, d };
    })
    .filter(({ name, d }) => d <= Math.max(2, Math.floor(Math.max(wanted.length, name.length) / 3)))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((x) => x.name);
}

/** "Did you mean 'a' or 'b'?" for the names near `wanted`, or "" when none is near. */
export function didYouMean(wanted: string, names: readonly string[], limit = 3): string {
  const near = nearbyNames(wanted, names, limit);
  return near.length ? `Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
}
