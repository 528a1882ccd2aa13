/**
 * App evaluations on the analytics path (module `@qlik/api/analytics/apps`):
 * - `POST /api/analytics/apps/{appId}/evaluations` → 201 `{id, status: "queued", …}`
 * - `GET  /api/analytics/apps/{appId}/evaluations` (list, `sort`, `limit`, `next`/`prev`, `all`)
 * - `GET  /api/analytics/apps/evaluations/{id}` (`?all=true` for full details)
 * - `GET  /api/analytics/apps/evaluations/{baselineId}/compare/{comparisonId}`
 * The deprecated `/api/v1/apps/…/evaluations` paths answer 410 Gone.
 *
 * An evaluation is queued, then running, then finished `ctx.timings.evaluationMs` after creation; its
 * metrics (see eval-metrics.ts) are computed from the app's document when it is created.
 */
import type { EvaluationStatus } from "@qlik-cicd/qlik-facts";
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import { qlikError } from "../../http/types.ts";
import { computeEvaluation } from "./eval-metrics.ts";
import type { EvalEvent, EvalMetrics, ObjTime } from "./eval-metrics.ts";
import { addGetById, badRequest, isTrue, notFound, ok } from "./util.ts";

export interface EvaluationRecord {
  id: string;
  appId: string;
  appItemId: string;
  appName: string;
  createdMs: number;
  startMs: number;
  endMs: number;
  /** Null when the app could not be opened (the evaluation fails). */
  metrics: EvalMetrics | null;
  failure?: EvalEvent;
}

const ENGINE = { shortName: "qlik-sim-engine" };
const SUMMARY_LIST_LENGTH = 5;

function state(tenant: TenantState): { evaluations: Map<string, EvaluationRecord> } {
  return tenant.moduleState("evaluations", () => ({ evaluations: new Map<string, EvaluationRecord>() }));
}

function evaluationStatus(e: EvaluationRecord, nowMs: number): EvaluationStatus {
  if (nowMs < e.startMs) return "queued";
  if (nowMs < e.endMs) return "running";
  return e.metrics ? "finished" : "failed";
}

function view(tenant: TenantState, e: EvaluationRecord, nowMs: number, all: boolean) {
  const status = evaluationStatus(e, nowMs);
  const done = status === "finished" || status === "failed";
  const base: Record<string, unknown> = {
    id: e.id,
    appId: e.appId,
    appItemId: e.appItemId,
    appName: e.appName,
    tenantId: tenant.id,
    status,
    timestamp: new Date(e.createdMs).toISOString(),
    version: 1,
    engine: ENGINE,
    ...(status !== "queued" ? { started: new Date(e.startMs).toISOString() } : {}),
    ...(done ? { ended: new Date(e.endMs).toISOString() } : {}),
  };
  if (!done) return base;
  if (!e.metrics) {
    base.events = e.failure ? [e.failure] : [];
    if (all) base.details = { errors: e.failure ? [e.failure.message] : [], warnings: [] };
    return base;
  }
  const m = e.metrics;
  const trim = <T>(l: T[]) => (all ? l : l.slice(0, SUMMARY_LIST_LENGTH));
  base.events = m.events;
  base.result = {
    ...m.result,
    objNoCache: trim(m.result.objNoCache),
    objSlowUncached: trim(m.result.objSlowUncached),
    objSlowCached: trim(m.result.objSlowCached),
    objSingleThreaded: trim(m.result.objSingleThreaded),
    objMemoryLimit: trim(m.result.objMemoryLimit),
    sheetsUncached: all
      ? m.result.sheetsUncached
      : m.result.sheetsUncached.map((s) => ({ ...s, sheetObjects: [] })),
    sheetsCached: all
      ? m.result.sheetsCached
      : m.result.sheetsCached.map((s) => ({ ...s, sheetObjects: [] })),
  };
  base.reloadInformation = m.reloadInformation;
  if (all) {
    base.details = m.details;
    base.openAppProgress = m.openAppProgress;
  }
  return base;
}

/** Relative and absolute difference with a trend (≥2 % counts as a change). */
function classify(baseline: number, comparison: number) {
  const absoluteDiff = comparison - baseline;
  const diff = baseline === 0 ? (comparison === 0 ? 0 : 1) : absoluteDiff / baseline;
  const trend = Math.abs(diff) < 0.02 ? "unchanged" : diff > 0 ? "up" : "down";
  return {
    baseline,
    comparison,
    absoluteDiff: Math.round(absoluteDiff * 1e6) / 1e6,
    diff: Math.round(diff * 1e4) / 1e4,
    trend,
  };
}

function compareTimes(a: ObjTime[], b: ObjTime[]) {
  const ids = [...new Set([...a.map((x) => x.id), ...b.map((x) => x.id)])];
  const list = ids.map((id) => {
    const x = a.find((o) => o.id === id);
    const y = b.find((o) => o.id === id);
    const spec = y ?? x!;
    const dataSourceStatus = x && y ? "full" : x ? "comparisonmissing" : "baselinemissing";
    return {
      id,
      objectType: spec.objectType,
      sheetId: spec.sheetId,
      sheetTitle: spec.sheetTitle,
      title: spec.title,
      dataSourceStatus,
      responseTimeSeconds1: classify(x?.responseTimeSeconds ?? 0, y?.responseTimeSeconds ?? 0),
    };
  });
  type Row = (typeof list)[number];
  const by = (f: (r: Row) => number, desc: boolean) =>
    [...list].sort((p, q) => (desc ? f(q) - f(p) : f(p) - f(q)));
  return {
    dataSourceStatus:
      a.length && b.length ? "full" : a.length ? "comparisonmissing" : b.length ? "baselinemissing" : "none",
    list,
    absoluteDiffAsc: by((r) => r.responseTimeSeconds1.absoluteDiff, false),
    absoluteDiffDesc: by((r) => r.responseTimeSeconds1.absoluteDiff, true),
    relativeDiffAsc: by((r) => r.responseTimeSeconds1.diff, false),
    relativeDiffDesc: by((r) => r.responseTimeSeconds1.diff, true),
  };
}

function sheetTimes(m: EvalMetrics, cached: boolean): ObjTime[] {
  return (cached ? m.result.sheetsCached : m.result.sheetsUncached).map((s) => s.sheet);
}

function compareNamed(a: { name: string; byteSize: number }[], b: { name: string; byteSize: number }[]) {
  const names = [...new Set([...a.map((x) => x.name), ...b.map((x) => x.name)])];
  const list = names.map((name) => {
    const x = a.find((t) => t.name === name);
    const y = b.find((t) => t.name === name);
    return {
      name,
      isSystem: false,
      dataSourceStatus: x && y ? "full" : x ? "comparisonmissing" : "baselinemissing",
      byteSize: classify(x?.byteSize ?? 0, y?.byteSize ?? 0),
    };
  });
  return {
    dataSourceStatus: "full",
    list,
    absoluteDiffDesc: [...list].sort((p, q) => q.byteSize.absoluteDiff - p.byteSize.absoluteDiff),
    absoluteDiffAsc: [...list].sort((p, q) => p.byteSize.absoluteDiff - q.byteSize.absoluteDiff),
    relativeDiffDesc: [...list].sort((p, q) => q.byteSize.diff - p.byteSize.diff),
    relativeDiffAsc: [...list].sort((p, q) => p.byteSize.diff - q.byteSize.diff),
  };
}

function comparison(a: EvalMetrics, b: EvalMetrics) {
  return {
    documentSizeMiB: classify(a.result.documentSizeMiB, b.result.documentSizeMiB),
    objectCount: classify(a.result.objectCount, b.result.objectCount),
    sheetCount: classify(a.result.sheetCount, b.result.sheetCount),
    rowCount: classify(a.result.rowCount, b.result.rowCount),
    hasSectionAccess: {
      baseline: a.result.hasSectionAccess,
      comparison: b.result.hasSectionAccess,
      trend: a.result.hasSectionAccess === b.result.hasSectionAccess ? "unchanged" : "changed",
    },
    engine: { baseline: ENGINE, comparison: ENGINE, changed: false },
    objNoCache: compareTimes(a.result.objNoCache, b.result.objNoCache),
    objSlowUncached: compareTimes(a.result.objSlowUncached, b.result.objSlowUncached),
    objSlowCached: compareTimes(a.result.objSlowCached, b.result.objSlowCached),
    objSingleThreaded: compareTimes(a.result.objSingleThreaded, b.result.objSingleThreaded),
    sheetsUncached: compareTimes(sheetTimes(a, false), sheetTimes(b, false)),
    sheetsCached: compareTimes(sheetTimes(a, true), sheetTimes(b, true)),
    objMemoryLimit: [],
    topTablesByBytes: compareNamed(a.result.topTablesByBytes, b.result.topTablesByBytes),
    topFieldsByBytes: compareNamed(a.result.topFieldsByBytes, b.result.topFieldsByBytes),
  };
}

function findEval(tenant: TenantState, id: string) {
  return state(tenant).evaluations.get(id);
}

function gone(req: SimRequest) {
  return qlikError(
    410,
    "HTTP-410",
    "Gone",
    `${req.method} ${req.path} is deprecated and removed; use /api/analytics/apps/{appId}/evaluations (module @qlik/api/analytics/apps).`,
  );
}

export const evaluationsModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "POST",
    pattern: "/api/analytics/apps/:appId/evaluations",
    tier: "tier2",
    handler: (req) => {
      const app = req.tenant.apps.get(req.params.appId);
      if (!app) return notFound("App", req.params.appId);
      const body = req.body;
      if (body !== undefined && body !== null && (typeof body !== "object" || Array.isArray(body)))
        return badRequest("The evaluation request body must be a JSON object.");
      const hint = (body as { engineSizeHint?: unknown } | undefined)?.engineSizeHint;
      if (hint !== undefined && typeof hint !== "string")
        return badRequest("'engineSizeHint' must be a string.");
      const doc = req.tenant.docs.get(app.id);
      const r = ctx.random(`eval:${app.id}`);
      const createdMs = ctx.now().getTime();
      const total = ctx.timings.evaluationMs;
      const item = [...req.tenant.items.values()].find(
        (i) => i.resourceType === "app" && i.resourceId === app.id,
      );
      const e: EvaluationRecord = {
        id: ctx.newId("hex"),
        appId: app.id,
        appItemId: item?.id ?? "",
        appName: app.name,
        createdMs,
        startMs: createdMs + Math.floor(total / 5),
        endMs: createdMs + total,
        metrics: doc ? computeEvaluation(doc, r, app.id) : null,
        ...(doc
          ? {}
          : {
              failure: {
                severity: "error" as const,
                errorCode: "EVAL-APP-OPEN-FAILED",
                message: `App '${app.id}' could not be opened for evaluation.`,
              },
            }),
      };
      state(req.tenant).evaluations.set(e.id, e);
      return ok(view(req.tenant, e, createdMs, false), 201);
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/analytics/apps/:appId/evaluations",
    tier: "tier1",
    handler: (req) => {
      const appId = req.params.appId;
      if (
        !req.tenant.apps.has(appId) &&
        ![...state(req.tenant).evaluations.values()].some((e) => e.appId === appId)
      )
        return notFound("App", appId);
      const all = isTrue(req.query.get("all"));
      const sort = req.query.get("sort") ?? "-started";
      if (!["started", "+started", "-started"].includes(sort))
        return badRequest(`'sort' must be one of started, +started, -started; got '${sort}'.`);
      const desc = sort === "-started";
      const list = [...state(req.tenant).evaluations.values()]
        .filter((e) => e.appId === appId)
        .sort(
          (a, b) => (desc ? b.createdMs - a.createdMs : a.createdMs - b.createdMs) || (a.id < b.id ? -1 : 1),
        );
      const rawLimit = Number(req.query.get("limit") ?? 20);
      const limit = Number.isInteger(rawLimit) && rawLimit > 0 ? Math.min(rawLimit, 100) : 20;
      let start = 0;
      const next = req.query.get("next");
      const prev = req.query.get("prev");
      if (next) start = list.findIndex((e) => e.id === next) + 1;
      else if (prev) start = Math.max(0, list.findIndex((e) => e.id === prev) - limit);
      const page = list.slice(start, start + limit);
      const nowMs = ctx.now().getTime();
      const href = (key: string, id: string) =>
        `/analytics/apps/${appId}/evaluations?${new URLSearchParams({ ...(all ? { all: "true" } : {}), sort, limit: String(limit), [key]: id })}`;
      const links: Record<string, { href: string }> = {};
      if (start + limit < list.length && page.length)
        links.next = { href: href("next", page[page.length - 1].id) };
      if (start > 0 && page.length) links.prev = { href: href("prev", page[0].id) };
      return ok({ data: page.map((e) => view(req.tenant, e, nowMs, all)), links });
    },
  });
  addGetById(
    routes,
    {
      pattern: "/api/analytics/apps/evaluations/:id",
      records: (req) => state(req.tenant).evaluations,
      missing: (id) => notFound("Evaluation", id),
    },
    (e, req) => view(req.tenant, e, ctx.now().getTime(), isTrue(req.query.get("all"))),
  );
  routes.add({
    method: "GET",
    pattern: "/api/analytics/apps/evaluations/:baselineId/compare/:comparisonId",
    tier: "tier1",
    handler: (req) => {
      const a = findEval(req.tenant, req.params.baselineId);
      if (!a) return notFound("Evaluation", req.params.baselineId);
      const b = findEval(req.tenant, req.params.comparisonId);
      if (!b) return notFound("Evaluation", req.params.comparisonId);
      if (a.appId !== b.appId)
        return badRequest(
          `Evaluations '${a.id}' (app ${a.appId}) and '${b.id}' (app ${b.appId}) belong to different apps; both must evaluate the same app.`,
        );
      const nowMs = ctx.now().getTime();
      for (const e of [a, b]) {
        const s = evaluationStatus(e, nowMs);
        if (s !== "finished")
          return badRequest(`Evaluation '${e.id}' is ${s}; only finished evaluations can be compared.`);
      }
      return ok(comparison(a.metrics!, b.metrics!));
    },
  });
  // Deprecated v1 paths: gone.
  routes.add({ method: "POST", pattern: "/api/v1/apps/:appId/evaluations", tier: "tier2", handler: gone });
  routes.add({ method: "GET", pattern: "/api/v1/apps/:appId/evaluations", tier: "tier1", handler: gone });
  routes.add({ method: "GET", pattern: "/api/v1/apps/evaluations/:id", tier: "tier1", handler: gone });
  routes.add({
    method: "GET",
    pattern: "/api/v1/apps/evaluations/:baselineId/actions/compare/:comparisonId",
    tier: "tier1",
    handler: gone,
  });
};
