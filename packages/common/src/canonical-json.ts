/** Whether `keys` are already in default sort order (UTF-16 code units), so sorting can be skipped. */
export function keysInOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

/** Object keys in default sort order; content read back from canonical files is sorted already. */
export function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  return keysInOrder(keys) ? keys : keys.sort();
}

/** Deep copy with object keys sorted, so serialised output is byte-identical across runs. */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of sortedKeys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeysDeep(v);
    }
    return out as T;
  }
  return value;
}

/**
 * Whether two JSON values serialise to the same canonical JSON, without serialising them: key order
 * and keys whose value is undefined do not matter, `undefined` in an array equals `null`.
 */
export function sameCanonicalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") {
    // JSON writes NaN and ±Infinity as null.
    return !Number.isFinite(a) && !Number.isFinite(b);
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameCanonicalJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key) || x[key] === undefined) continue;
    defined++;
    if (!Object.hasOwn(y, key) || !sameCanonicalJson(x[key], y[key])) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key) && y[key] !== undefined) defined--;
  return defined === 0;
}

/** JSON with sorted keys, two-space indent, LF endings and a trailing newline: the form committed to git. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}
