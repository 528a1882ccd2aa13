/**
 * Reloads API: `POST /api/v1/reloads {appId, partial?, variables?}` → 201 QUEUED, then asynchronously
 * RELOADING → SUCCEEDED | FAILED (with `log`, `errorCode`, `errorMessage`), `GET /api/v1/reloads/{id}`,
 * `GET /api/v1/reloads?appId=` and cancel. The script runs through the engine's load-script runner;
 * tests can make the next reload of an app fail (`failNextReload`).
 */
import type { ReloadStatus } from "@qlik-cicd/qlik-facts";
import type { JsonObject } from "../model/app-document.ts";
import type { RouteModule, SimContext, SimRequest, TenantState } from "../http/types.ts";
import { engine } from "../qix/gateway.ts";
import {
  badRequest,
  forbidden,
  isResponse,
  json,
  notFound,
  objectBody,
  page,
  parseLimit,
} from "./http-helpers.ts";
import { isInAccessWindow, touchApp, upsertAppItem } from "./store.ts";

export type { ReloadStatus };

export interface ReloadRecord {
  id: string;
  appId: string;
  userId: string;
  status: ReloadStatus;
  partial: boolean;
  type: "external";
  creationTime: string;
  startTime?: string;
  endTime?: string;
  engineTime?: string;
  log: string;
  errorCode?: string;
  errorMessage?: string;
  weight?: number;
}

interface ReloadState {
  reloads: Map<string, ReloadRecord>;
  failNext: Map<string, { errorCode: string; message: string }>;
  /** Total reloads queued per app (for tests asserting how often an app was reloaded). */
  counts: Map<string, number>;
}

export function reloadState(tenant: TenantState): ReloadState {
  return tenant.moduleState("core:reloads", () => ({
    reloads: new Map(),
    failNext: new Map(),
    counts: new Map(),
  }));
}

/** Makes the next reload of `appId` fail with `errorCode`/`message` (test control). */
export function failNextReload(
  tenant: TenantState,
  appId: string,
  opts: { errorCode?: string; message?: string } = {},
): void {
  reloadState(tenant).failNext.set(appId, {
    errorCode: opts.errorCode ?? "RELOADS-FAILED",
    message: opts.message ?? "The reload failed (injected by the simulator).",
  });
}

function view(req: SimRequest, r: ReloadRecord, withLog = true): JsonObject {
  const out: JsonObject = {
    id: r.id,
    appId: r.appId,
    tenantId: req.tenant.id,
    userId: r.userId,
    type: r.type,
    status: r.status,
    partial: r.partial,
    creationTime: r.creationTime,
    links: { self: { href: `${req.baseUrl}/api/v1/reloads/${r.id}` } },
  };
  if (r.startTime) out.startTime = r.startTime;
  if (r.endTime) out.endTime = r.endTime;
  if (r.engineTime) out.engineTime = r.engineTime;
  if (withLog) out.log = r.log;
  if (r.errorCode) out.errorCode = r.errorCode;
  if (r.errorMessage) out.errorMessage = r.errorMessage;
  if (r.weight !== undefined) out.weight = r.weight;
  return out;
}

function run(ctx: SimContext, tenant: TenantState, r: ReloadRecord): void {
  const st = reloadState(tenant);
  const total = Math.max(0, ctx.timings.reloadMs);
  ctx.setTimer(Math.floor(total / 3), () => {
    if (r.status !== "QUEUED") return;
    r.status = "RELOADING";
    r.startTime = ctx.now().toISOString();
    ctx.setTimer(total - Math.floor(total / 3), () => finish(ctx, tenant, st, r));
  });
}

function finish(ctx: SimContext, tenant: TenantState, st: ReloadState, r: ReloadRecord): void {
  if (r.status === "CANCELING") {
    r.status = "CANCELED";
    r.endTime = ctx.now().toISOString();
    return;
  }
  const app = tenant.apps.get(r.appId);
  const doc = tenant.docs.get(r.appId);
  const end = ctx.now().toISOString();
  r.endTime = end;
  if (!app || !doc) {
    r.status = "FAILED";
    r.errorCode = "RELOADS-APP-NOT-FOUND";
    r.errorMessage = `App '${r.appId}' no longer exists.`;
    r.log = `${end} Reload failed: the app was deleted.\n`;
    return;
  }
  const injected = st.failNext.get(r.appId);
  let ok: boolean;
  if (injected) {
    st.failNext.delete(r.appId);
    ok = false;
    r.errorCode = injected.errorCode;
    r.errorMessage = injected.message;
    r.log = `${r.startTime ?? end} Started loading data\n${end} Error: ${injected.message}\n${end} Execution Failed\n`;
  } else {
    const result = engine().runLoadScript(doc, { now: () => ctx.now() });
    ok = result.ok;
    r.log = result.log;
    r.engineTime = `${Math.max(1, Math.round(result.durationMs))}ms`;
    if (result.ok) {
      if (!r.partial) doc.tables = result.tables;
      else
        doc.tables = [
          ...doc.tables,
          ...result.tables.filter((t) => !doc.tables.some((x) => x.name === t.name)),
        ];
      doc.scriptVariables = result.scriptVariables;
      doc.lastReloadTime = end;
      doc.revision += 1;
      doc.savedRevision = doc.revision;
    } else {
      r.errorCode = "RELOADS-SCRIPT-ERROR";
      r.errorMessage = result.errorLines[0] ?? "The load script failed.";
    }
  }
  r.status = ok ? "SUCCEEDED" : "FAILED";
  if (ok) touchApp(ctx, tenant, app);
  upsertAppItem(ctx, tenant, app, { status: ok ? "ok" : "error", endTime: end });
  ctx.emitEvent(tenant, "com.qlik.v1.reload.finished", {
    reloadId: r.id,
    appId: r.appId,
    status: ok ? "ok" : "error",
    ...(r.errorCode ? { errorCode: r.errorCode } : {}),
  });
}

export const reloadsRouteModule: RouteModule = (routes, ctx) => {
  routes.add({
    method: "POST",
    pattern: "/api/v1/reloads",
    tier: "reloads",
    handler: (req) => {
      const b = objectBody(req);
      if (!b || typeof b.appId !== "string" || b.appId === "")
        return badRequest("RELOADS-400", "appId is required.", "/appId");
      if (b.partial !== undefined && typeof b.partial !== "boolean")
        return badRequest("RELOADS-400", "partial must be a boolean.", "/partial");
      if (
        b.variables !== undefined &&
        (typeof b.variables !== "object" || b.variables === null || Array.isArray(b.variables))
      )
        return badRequest("RELOADS-400", "variables must be an object of strings.", "/variables");
      if (b.weight !== undefined && (typeof b.weight !== "number" || b.weight < 1 || b.weight > 100))
        return badRequest("RELOADS-400", "weight must be a number between 1 and 100.", "/weight");
      const app = req.tenant.apps.get(b.appId);
      if (!app) return notFound("RELOADS-404", `App '${b.appId}' was not found.`);
      if (isInAccessWindow(ctx, req.tenant, app.id))
        return forbidden("RELOADS-403", `Access to app '${app.id}' is not yet available.`);
      const st = reloadState(req.tenant);
      const r: ReloadRecord = {
        id: ctx.newId("hex"),
        appId: app.id,
        userId: req.principal!.userId,
        status: "QUEUED",
        partial: b.partial === true,
        type: "external",
        creationTime: ctx.now().toISOString(),
        log: "",
        ...(typeof b.weight === "number" ? { weight: b.weight } : {}),
      };
      st.reloads.set(r.id, r);
      st.counts.set(app.id, (st.counts.get(app.id) ?? 0) + 1);
      run(ctx, req.tenant, r);
      return json(201, view(req, r));
    },
  });

  routes.add({
    method: "GET",
    pattern: "/api/v1/reloads/:reloadId",
    tier: "tier1",
    handler: (req) => {
      const r = reloadState(req.tenant).reloads.get(req.params.reloadId);
      return r
        ? json(200, view(req, r))
        : notFound("RELOADS-404", `Reload '${req.params.reloadId}' was not found.`);
    },
  });

  routes.add({
    method: "GET",
    pattern: "/api/v1/reloads",
    tier: "tier1",
    handler: (req) => {
      const limit = parseLimit(req, 10, 100, "RELOADS-400");
      if (typeof limit !== "number") return limit;
      const appId = req.query.get("appId");
      if (!appId) return badRequest("RELOADS-400", "appId is required.");
      let list = [...reloadState(req.tenant).reloads.values()].filter((r) => r.appId === appId);
      const partial = req.query.get("partial");
      if (partial !== null) list = list.filter((r) => r.partial === (partial === "true"));
      const filter = req.query.get("filter");
      if (filter) {
        const m = /^status\s+eq\s+"?([A-Z_]+)"?$/i.exec(filter.trim());
        if (!m) return badRequest("RELOADS-400", 'filter supports status eq "<STATUS>".');
        list = list.filter((r) => r.status === m[1].toUpperCase());
      }
      const sort = req.query.get("sort") ?? "-creationTime";
      const field = sort.replace(/^[+-]/, "") as "creationTime" | "status" | "startTime" | "endTime";
      if (!["creationTime", "status", "startTime", "endTime"].includes(field))
        return badRequest("RELOADS-400", "sort is not valid.");
      const desc = sort.startsWith("-");
      list.sort((a, b) => {
        const ka = String(a[field] ?? "");
        const kb = String(b[field] ?? "");
        return (ka < kb ? -1 : ka > kb ? 1 : 0) * (desc ? -1 : 1);
      });
      const p = page(req, list, limit);
      if (isResponse(p)) return p;
      const withLog = req.query.get("log") === "true";
      return json(200, { data: p.data.map((r) => view(req, r, withLog)), links: p.links });
    },
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/reloads/:reloadId/actions/cancel",
    tier: "tier2",
    handler: (req) => {
      const r = reloadState(req.tenant).reloads.get(req.params.reloadId);
      if (!r) return notFound("RELOADS-404", `Reload '${req.params.reloadId}' was not found.`);
      if (r.status === "QUEUED") {
        r.status = "CANCELED";
        r.endTime = ctx.now().toISOString();
        return { status: 204 };
      }
      if (r.status === "RELOADING") {
        r.status = "CANCELING";
        return json(202, { status: "CANCELING" });
      }
      return json(409, {
        errors: [
          {
            code: "RELOADS-409",
            title: "Conflict",
            detail: `Reload '${r.id}' is already ${r.status}.`,
            status: "409",
          },
        ],
      });
    },
  });
};
