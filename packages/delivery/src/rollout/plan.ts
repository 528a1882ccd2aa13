/**
 * Wave planning: deterministic (tenants sorted by name), each tenant in exactly one wave, canary first.
 * Selectors: `label=canary`, `region=eu`, `name=acme*`; terms joined with `&` must all match.
 * Sizes: a count (`2`) or a percent of the selected tenants (`5%`, rounded up, at least one).
 */
import { ConfigError, plural } from "@qlik-cicd/common";
import type { InventoryTenant, PlannedWave, RolloutPlan } from "./types.ts";

export interface SelectorTerm {
  key: "label" | "region" | "name";
  value: string;
  negate: boolean;
}
export type Selector = SelectorTerm[];

export type WaveSpec =
  | { kind: "selector"; selector: Selector; text: string }
  | { kind: "count"; count: number; text: string }
  | { kind: "percent"; percent: number; text: string };

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i");
}

/** Parses `label=canary&region=eu` (also `!label=x` / `label!=x` to exclude). */
export function parseSelector(text: string, field: string): Selector {
  const terms = text
    .split("&")
    .map((t) => t.trim())
    .filter(Boolean);
  if (!terms.length) throw new ConfigError(`Input '${field}': the selector is empty.`, { field });
  return terms.map((term) => {
    const m = /^(!?)(label|region|name)\s*(!?=)\s*(.+)$/i.exec(term);
    if (!m) {
      throw new ConfigError(
        `Input '${field}': '${term}' is not a selector; use label=<label>, region=<region> or name=<pattern> (join with &).`,
        { field },
      );
    }
    return {
      key: m[2].toLowerCase() as SelectorTerm["key"],
      value: m[4].trim(),
      negate: m[1] === "!" || m[3] === "!=",
    };
  });
}

export function matchesSelector(tenant: InventoryTenant, selector: Selector): boolean {
  return selector.every((term) => {
    let hit: boolean;
    if (term.key === "label") hit = tenant.labels.includes(term.value);
    else if (term.key === "region") hit = (tenant.region ?? "").toLowerCase() === term.value.toLowerCase();
    else hit = globToRegExp(term.value).test(tenant.name);
    return term.negate ? !hit : hit;
  });
}

/** One size or selector: `label=canary`, `2`, `5%`. */
export function parseWaveSpec(text: string, field: string): WaveSpec {
  const value = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
  if (percent) {
    const p = Number(percent[1]);
    if (!(p > 0 && p <= 100)) {
      throw new ConfigError(`Input '${field}': '${value}' must be a percent above 0 and at most 100.`, {
        field,
      });
    }
    return { kind: "percent", percent: p, text: value };
  }
  if (/^\d+$/.test(value)) {
    const count = Number(value);
    if (count < 1)
      throw new ConfigError(`Input '${field}': a count must be at least 1, got '${value}'.`, { field });
    return { kind: "count", count, text: value };
  }
  return { kind: "selector", selector: parseSelector(value, field), text: value };
}

/**
 * A wave's name says how it was chosen, as written (`25%`, `label=wave-1`, `5 tenants`); reports put its
 * position beside it ("Wave 2 (25%)"), so the name never carries a number of its own.
 */
function waveName(spec: WaveSpec): string {
  return spec.kind === "count" ? plural(spec.count, "tenant") : spec.text;
}

/** Comma separated wave specs, e.g. `10%,50%,100%` or `label=wave-1,label=wave-2`. */
export function parseWaves(text: string | undefined, field = "waves"): WaveSpec[] {
  if (!text?.trim()) return [];
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseWaveSpec(s, field));
}

/** `i/n` with 1 ≤ i ≤ n. */
export function parseShard(
  text: string | undefined,
  field = "shard",
): { index: number; count: number } | undefined {
  if (!text?.trim()) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new ConfigError(`Input '${field}' must look like i/n with 1 ≤ i ≤ n (e.g. 2/5), got '${text}'.`, {
      field,
    });
  }
  return { index, count };
}

/** Rounded up, at least one, at most `of`. */
export function percentCount(percent: number, of: number): number {
  if (of <= 0) return 0;
  return Math.min(of, Math.max(1, Math.ceil((percent * of) / 100 - 1e-9)));
}

export interface PlanOptions {
  /** Canary group: a selector, count or percent; none: no canary wave. */
  canary?: string;
  /** Later waves; the last wave always takes every tenant left (a final 100% is implied). */
  waves?: string;
  /** Only these tenants take part (comma separated selectors, any may match). */
  selector?: string;
  shard?: string;
}

function byName(a: InventoryTenant, b: InventoryTenant): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Plans the waves. Percent waves are cumulative (`10%,50%,100%`: up to 10 % of the estate after the
 * canary, then up to 50 %, then the rest); counts are the size of that wave; selectors take the
 * matching tenants not yet planned. Tenants left after the last wave form one more wave.
 */
export function planWaves(tenants: readonly InventoryTenant[], options: PlanOptions): RolloutPlan {
  const all = [...tenants].sort(byName);
  let selected = all;
  const excluded: string[] = [];
  if (options.selector?.trim()) {
    const selectors = options.selector
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => parseSelector(s, "selector"));
    selected = all.filter((t) => selectors.some((s) => matchesSelector(t, s)));
    for (const t of all) if (!selected.includes(t)) excluded.push(t.name);
    if (!selected.length) {
      throw new ConfigError(
        `Input 'selector': '${options.selector}' matches none of the ${all.length} tenants.`,
        {
          field: "selector",
        },
      );
    }
  }
  const total = selected.length;
  const remaining = [...selected];
  const taken = (): number => total - remaining.length;
  const take = (n: number): InventoryTenant[] => remaining.splice(0, Math.max(0, n));
  const takeMatching = (selector: Selector): InventoryTenant[] => {
    const hit = remaining.filter((t) => matchesSelector(t, selector));
    for (const t of hit) remaining.splice(remaining.indexOf(t), 1);
    return hit;
  };
  const groups: { name: string; tenants: InventoryTenant[] }[] = [];

  if (options.canary?.trim()) {
    const spec = parseWaveSpec(options.canary, "canary");
    const canary =
      spec.kind === "selector"
        ? takeMatching(spec.selector)
        : take(spec.kind === "count" ? spec.count : percentCount(spec.percent, total));
    if (!canary.length) {
      throw new ConfigError(
        `Input 'canary': '${options.canary}' matches no tenant, so there would be no canary.`,
        {
          field: "canary",
        },
      );
    }
    groups.push({ name: "canary", tenants: canary });
  }
  const specs = parseWaves(options.waves);
  specs.forEach((spec) => {
    let wave: InventoryTenant[];
    if (spec.kind === "selector") wave = takeMatching(spec.selector);
    else if (spec.kind === "count") wave = take(spec.count);
    else wave = take(percentCount(spec.percent, total) - taken());
    if (wave.length) groups.push({ name: waveName(spec), tenants: wave });
  });
  if (remaining.length) {
    groups.push({ name: specs.length ? "the rest" : "all tenants", tenants: take(remaining.length) });
  }

  const shard = parseShard(options.shard);
  const waves: PlannedWave[] = groups.map((g, i) => ({
    index: i + 1,
    name: g.name,
    total: g.tenants.length,
    tenants: (shard ? g.tenants.filter((_, k) => k % shard.count === shard.index - 1) : g.tenants).sort(
      byName,
    ),
  }));
  return { waves, excluded, ...(shard ? { shard } : {}) };
}

/** A `strategy.matrix` value: one entry per wave × shard (shards with no tenant left out). */
export function rolloutMatrix(
  plan: RolloutPlan,
  shards: number,
): { include: { wave: number; shard: string; tenants: number }[] } {
  const include: { wave: number; shard: string; tenants: number }[] = [];
  for (const wave of plan.waves) {
    const n = Math.max(1, Math.min(shards, wave.total));
    for (let i = 1; i <= n; i++) {
      const size = Math.floor(wave.total / n) + (i - 1 < wave.total % n ? 1 : 0);
      include.push({ wave: wave.index, shard: `${i}/${n}`, tenants: size });
    }
  }
  return { include };
}

/** `2` failures or `10%` of the wave (rounded down); default 0. */
export function parseBudget(
  text: string | undefined,
  field = "max-failures",
): { count?: number; percent?: number } {
  if (!text?.trim()) return { count: 0 };
  const v = text.trim();
  const p = /^(\d+(?:\.\d+)?)\s*%$/.exec(v);
  if (p) {
    const percent = Number(p[1]);
    if (percent > 100) throw new ConfigError(`Input '${field}' must be at most 100%, got '${v}'.`, { field });
    return { percent };
  }
  if (/^\d+$/.test(v)) return { count: Number(v) };
  throw new ConfigError(`Input '${field}' must be a count (e.g. 2) or a percent (e.g. 10%), got '${v}'.`, {
    field,
  });
}

/** How many failures a wave of `size` tenants may have and still count as healthy. */
export function errorBudget(budget: { count?: number; percent?: number }, size: number): number {
  if (budget.percent !== undefined) return Math.floor((budget.percent * size) / 100 + 1e-9);
  return budget.count ?? 0;
}
