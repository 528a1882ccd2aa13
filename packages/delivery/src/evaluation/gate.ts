/**
 * The performance gate: pure comparison of the current app's evaluations with the baseline's.
 * Every metric is the median over the passes of each side, so one noisy evaluation cannot flip the
 * verdict; absolute changes below `minRegressionMs` are ignored because evaluations are noisy.
 */
import type {
  EvaluationSummary,
  GateError,
  GateResult,
  GateThresholds,
  MetricComparison,
  ObjectComparison,
  ObjectTiming,
  Regression,
} from "./types.ts";

/** The median of the numbers (mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!finite.length) return undefined;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** `12.3 ms` below 10 ms, `123 ms` above; `1.23 s` from 10 s. */
export function formatMs(ms: number): string {
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.abs(ms) < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

export function formatPercent(p: number | null): string {
  if (p === null) return "n/a";
  const sign = p > 0 ? "+" : "";
  return `${sign}${Math.abs(p) >= 100 ? Math.round(p) : round1(p)} %`;
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

interface MedianObject {
  id: string;
  title: string;
  type: string;
  sheetTitle?: string;
  ms: number;
}

/** Per object id, the median response time over the passes in which the object appeared. */
function medianObjects(passes: readonly EvaluationSummary[]): Map<string, MedianObject> {
  const byId = new Map<string, { spec: ObjectTiming; times: number[] }>();
  for (const pass of passes) {
    for (const o of pass.objects) {
      const entry = byId.get(o.id) ?? { spec: o, times: [] };
      entry.times.push(o.responseMs);
      byId.set(o.id, entry);
    }
  }
  const out = new Map<string, MedianObject>();
  for (const [id, { spec, times }] of byId) {
    out.set(id, {
      id,
      title: spec.title,
      type: spec.type,
      ...(spec.sheetTitle !== undefined && { sheetTitle: spec.sheetTitle }),
      ms: median(times) ?? 0,
    });
  }
  return out;
}

const signature = (o: MedianObject) => `${o.type}\u0000${o.title}\u0000${o.sheetTitle ?? ""}`;

/**
 * Pairs current objects with baseline objects: by id, then (for ids the other side lacks) by type,
 * title and sheet when that combination is unique on both sides — a rebuilt app can get new ids.
 */
function pairObjects(
  current: Map<string, MedianObject>,
  baseline: Map<string, MedianObject>,
): { cur?: MedianObject; base?: MedianObject }[] {
  const pairs: { cur?: MedianObject; base?: MedianObject }[] = [];
  const unmatchedCur: MedianObject[] = [];
  const unmatchedBase = new Map(baseline);
  for (const cur of current.values()) {
    const base = baseline.get(cur.id);
    if (base) {
      pairs.push({ cur, base });
      unmatchedBase.delete(cur.id);
    } else unmatchedCur.push(cur);
  }
  const count = (list: Iterable<MedianObject>) => {
    const m = new Map<string, MedianObject[]>();
    for (const o of list) m.set(signature(o), [...(m.get(signature(o)) ?? []), o]);
    return m;
  };
  const curSigs = count(unmatchedCur);
  const baseSigs = count(unmatchedBase.values());
  for (const cur of unmatchedCur) {
    const sig = signature(cur);
    const candidates = baseSigs.get(sig);
    if (cur.title && curSigs.get(sig)?.length === 1 && candidates?.length === 1) {
      pairs.push({ cur, base: candidates[0] });
      unmatchedBase.delete(candidates[0].id);
    } else pairs.push({ cur });
  }
  for (const base of unmatchedBase.values()) pairs.push({ base });
  return pairs;
}

interface Compared extends Omit<MetricComparison, "regressed"> {
  /** Unrounded values the decision is made on (the rounded ones are for people). */
  raw: { delta: number | null; deltaPercent: number | null };
}

function compareMetric(baseline: number | undefined, current: number | undefined): Compared {
  const b = baseline ?? null;
  const c = current ?? null;
  const delta = b !== null && c !== null ? c - b : null;
  const deltaPercent = delta !== null && b !== null && b > 0 ? (delta / b) * 100 : null;
  return {
    baseline: b === null ? null : round1(b),
    current: c === null ? null : round1(c),
    delta: delta === null ? null : round1(delta),
    deltaPercent: deltaPercent === null ? null : round1(deltaPercent),
    raw: { delta, deltaPercent },
  };
}

function publicPart(m: Compared): Omit<MetricComparison, "regressed"> {
  return { baseline: m.baseline, current: m.current, delta: m.delta, deltaPercent: m.deltaPercent };
}

/** Whether a slowdown counts: at least `floor` absolute and more than `percent` relative. */
function isRegression(m: Compared, floor: number, percent: number): boolean {
  const { delta, deltaPercent } = m.raw;
  if (delta === null || delta < floor || delta <= 0) return false;
  // A metric that was 0 and is now measurable has an unbounded relative change.
  return deltaPercent === null ? true : deltaPercent > percent;
}

const eventKey = (e: { errorCode?: string; objectId?: string; message: string }) =>
  `${e.errorCode ?? ""}\u0000${e.objectId ?? ""}\u0000${e.message}`;

function errorEvents(passes: readonly EvaluationSummary[]): Map<string, GateError> {
  const out = new Map<string, GateError>();
  for (const pass of passes) {
    for (const e of pass.events) {
      if (e.severity.toLowerCase() !== "error") continue;
      const key = eventKey(e);
      if (!out.has(key)) {
        out.set(key, {
          ...(e.errorCode !== undefined && { errorCode: e.errorCode }),
          message: e.message,
          ...(e.objectId !== undefined && { objectId: e.objectId }),
          ...(e.objectTitle !== undefined && { objectTitle: e.objectTitle }),
          inBaseline: false,
        });
      }
    }
  }
  return out;
}

function objectLabel(o: { title: string; type: string; id: string }): string {
  return o.title ? `'${o.title}' (${o.type})` : `${o.type} ${o.id}`;
}

const ERROR_SCORE = 3e9;
const MEMORY_LIMIT_SCORE = 2e9;

/**
 * Compares `current` evaluations (one per pass) with `baseline` evaluations (may be empty: then only
 * absolute limits and errors are checked) and returns the verdict with every regression, worst first.
 */
export function evaluateGate(
  current: readonly EvaluationSummary[],
  baseline: readonly EvaluationSummary[],
  thresholds: GateThresholds,
): GateResult {
  if (!current.length) throw new Error("evaluateGate needs at least one current evaluation.");
  const regressions: Regression[] = [];
  const curObjects = medianObjects(current);
  const baseObjects = medianObjects(baseline);

  const objects: ObjectComparison[] = [];
  for (const { cur, base } of pairObjects(curObjects, baseObjects)) {
    const spec = (cur ?? base) as MedianObject;
    const m = compareMetric(base?.ms, cur?.ms);
    let regressed = false;
    if (cur && base && isRegression(m, thresholds.minRegressionMs, thresholds.maxRegressionPercent)) {
      regressed = true;
      regressions.push({
        kind: "object",
        message: `Object ${objectLabel(spec)} went from ${formatMs(base.ms)} to ${formatMs(cur.ms)} (${formatPercent(m.deltaPercent)}, +${formatMs(m.delta as number)}), more than the ${thresholds.maxRegressionPercent} % allowed.`,
        objectId: spec.id,
        title: spec.title,
        baseline: m.baseline as number,
        current: m.current as number,
        delta: m.delta as number,
        ...(m.deltaPercent !== null && { deltaPercent: m.deltaPercent }),
        score: m.delta as number,
      });
    }
    if (cur && thresholds.maxObjectMs !== undefined && cur.ms > thresholds.maxObjectMs) {
      regressed = true;
      regressions.push({
        kind: "objectLimit",
        message: `Object ${objectLabel(spec)} takes ${formatMs(cur.ms)}, above the limit of ${formatMs(thresholds.maxObjectMs)}.`,
        objectId: spec.id,
        title: spec.title,
        current: round1(cur.ms),
        ...(base && { baseline: round1(base.ms) }),
        score: cur.ms - thresholds.maxObjectMs,
      });
    }
    objects.push({
      id: spec.id,
      title: spec.title,
      type: spec.type,
      ...(spec.sheetTitle !== undefined && { sheetTitle: spec.sheetTitle }),
      baselineMs: m.baseline,
      currentMs: m.current,
      deltaMs: m.delta,
      deltaPercent: m.deltaPercent,
      regressed,
      status: cur && base ? "changed" : cur ? "new" : "removed",
    });
  }
  objects.sort(
    (a, b) =>
      (b.currentMs ?? b.baselineMs ?? 0) - (a.currentMs ?? a.baselineMs ?? 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );

  // Opening the app.
  const openBase = median(baseline.map((e) => e.appOpenMs ?? NaN));
  const openCur = median(current.map((e) => e.appOpenMs ?? NaN));
  const open = compareMetric(openBase, openCur);
  let openRegressed = false;
  if (isRegression(open, thresholds.minRegressionMs, thresholds.maxRegressionPercent)) {
    openRegressed = true;
    regressions.push({
      kind: "appOpen",
      message: `Opening the app went from ${formatMs(open.baseline as number)} to ${formatMs(open.current as number)} (${formatPercent(open.deltaPercent)}), more than the ${thresholds.maxRegressionPercent} % allowed.`,
      baseline: open.baseline as number,
      current: open.current as number,
      delta: open.delta as number,
      ...(open.deltaPercent !== null && { deltaPercent: open.deltaPercent }),
      score: open.delta as number,
    });
  }
  if (thresholds.maxAppOpenMs !== undefined && openCur !== undefined && openCur > thresholds.maxAppOpenMs) {
    openRegressed = true;
    regressions.push({
      kind: "appOpenLimit",
      message: `Opening the app takes ${formatMs(openCur)}, above the limit of ${formatMs(thresholds.maxAppOpenMs)}.`,
      current: round1(openCur),
      ...(open.baseline !== null && { baseline: open.baseline }),
      score: openCur - thresholds.maxAppOpenMs,
    });
  }

  // Reload peak memory.
  const memBase = median(baseline.map((e) => e.peakMemoryBytes ?? NaN));
  const memCur = median(current.map((e) => e.peakMemoryBytes ?? NaN));
  const mem = compareMetric(memBase, memCur);
  let memRegressed = false;
  if (
    thresholds.maxMemoryRegressionPercent !== undefined &&
    isRegression(mem, thresholds.minMemoryRegressionBytes ?? 0, thresholds.maxMemoryRegressionPercent)
  ) {
    memRegressed = true;
    regressions.push({
      kind: "memory",
      message: `Reload peak memory went from ${formatBytes(mem.baseline as number)} to ${formatBytes(mem.current as number)} (${formatPercent(mem.deltaPercent)}), more than the ${thresholds.maxMemoryRegressionPercent} % allowed.`,
      baseline: mem.baseline as number,
      current: mem.current as number,
      delta: mem.delta as number,
      ...(mem.deltaPercent !== null && { deltaPercent: mem.deltaPercent }),
      score: (mem.delta as number) / 1048576,
    });
  }

  // Objects that now hit the engine's memory limit (in most current passes, and in no baseline pass).
  const limitCounts = new Map<string, number>();
  for (const pass of current)
    for (const id of new Set(pass.memoryLimitObjectIds)) limitCounts.set(id, (limitCounts.get(id) ?? 0) + 1);
  const baseLimited = new Set(baseline.flatMap((e) => e.memoryLimitObjectIds));
  for (const [id, n] of [...limitCounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (n * 2 <= current.length || baseLimited.has(id)) continue;
    const spec = curObjects.get(id) ?? { id, title: "", type: "object" };
    const row = objects.find((o) => o.id === id);
    if (row) row.regressed = true;
    regressions.push({
      kind: "memoryLimit",
      message: `Object ${objectLabel(spec)} now exceeds the engine's memory limit.`,
      objectId: id,
      ...(spec.title && { title: spec.title }),
      score: MEMORY_LIMIT_SCORE,
    });
  }

  // Error events.
  const baseErrors = errorEvents(baseline);
  const errors = [...errorEvents(current).values()].map((e) => ({
    ...e,
    inBaseline: baseErrors.has(eventKey(e)),
  }));
  errors.sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : eventKey(a) > eventKey(b) ? 1 : 0));
  if (thresholds.failOnErrors) {
    for (const e of errors) {
      regressions.push({
        kind: "error",
        message: `The evaluation reported an error${e.errorCode ? ` (${e.errorCode})` : ""}: ${e.message.replace(/[.\s]+$/, "")}.`,
        ...(e.objectId !== undefined && { objectId: e.objectId }),
        ...(e.objectTitle !== undefined && { title: e.objectTitle }),
        score: ERROR_SCORE,
      });
    }
  }

  regressions.sort(
    (a, b) => b.score - a.score || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
  return {
    verdict: regressions.length ? "fail" : "pass",
    regressions,
    objects,
    appOpen: { ...publicPart(open), regressed: openRegressed },
    memory: { ...publicPart(mem), regressed: memRegressed },
    errors,
    passes: { current: current.length, baseline: baseline.length },
    baselineMissing: baseline.length === 0,
  };
}

/** The sentence a failed step ends with: the worst regression, and how many more there are. */
export function failureSentence(gate: GateResult, appName?: string): string {
  const worst = gate.regressions[0];
  if (!worst) return `The performance gate passed${appName ? ` for app '${appName}'` : ""}.`;
  const more = gate.regressions.length - 1;
  const prefix = `Performance gate failed${appName ? ` for app '${appName}'` : ""}: `;
  const text = worst.message.replace(/\.$/, "");
  return `${prefix}${text}${more ? ` (and ${more} more regression${more === 1 ? "" : "s"})` : ""}.`;
}
