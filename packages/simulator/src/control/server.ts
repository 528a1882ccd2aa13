/**
 * The control API over HTTP, on its own listener (the `control` URL): JSON in, JSON out.
 *
 *   GET    /                                   description (tenants, URLs, credentials)
 *   GET    /state                              summary of every tenant
 *   GET    /tenants/:t/state                   apps, spaces, items, reloads, docs, faults, counters
 *   GET    /tenants/:t/apps/:appId/document    an app's full document (no credentials)
 *   GET    /tenants/:t/requests                request log; DELETE clears it
 *   PUT    /tenants/:t/faults                  {rate?, kinds?, latencyMs?, down?}; t = "*" for all
 *   POST   /tenants/:t/faults/next             {kind, method?, path?, count?} (or a list)
 *   POST   /tenants/:t/apps/:appId/fail-next-reload   {errorCode?, message?}
 *   PUT    /timings                            {reloadMs?, publishAccessWindowMs?, ...}
 *   PUT    /rate-limits                        {tier1?: {limit, windowMs}, tier2?, reloads?}
 *   POST   /reset                              everything back to the start; /tenants/:t/reset for one
 *   POST   /tenants                            {region, name?, hostnameAlias?, licenseKey?}
 *   GET    /events                             events emitted (webhook sources)
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import { validateFaultConfig, validateScheduledFault } from "../core/faults.ts";
import { readBody } from "../core/http-io.ts";
import type { SimulatorControl } from "./api.ts";
import { ControlError } from "./api.ts";

export function createControlServer(control: SimulatorControl, describe: () => unknown): Server {
  return createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      const text = body === undefined ? "" : JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": String(Buffer.byteLength(text)),
      });
      res.end(text);
    };
    try {
      const url = new URL(req.url ?? "/", "http://control.invalid");
      const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
      const method = req.method ?? "GET";
      const raw = await readBody(req);
      let body: unknown = undefined;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          return send(400, { error: "The request body is not valid JSON." });
        }
      }
      const obj = (body ?? {}) as Record<string, unknown>;
      const route = `${method} /${parts.map((p, i) => (parts[0] === "tenants" && i === 1 ? ":t" : parts[2] === "apps" && i === 3 ? ":app" : p)).join("/")}`;
      const t = parts[1];
      switch (route) {
        case "GET /":
          return send(200, describe());
        case "GET /state":
          return send(200, { tenants: control.summary() });
        case "GET /events":
          return send(200, { events: control.events() });
        case "GET /tenants/:t/state":
          return send(200, control.state(t));
        case "GET /tenants/:t/apps/:app/document":
          return send(200, control.document(t, parts[3]));
        case "GET /tenants/:t/requests":
          return send(200, { requests: control.requestLog(t) });
        case "DELETE /tenants/:t/requests":
          control.clearRequestLog(t);
          return send(204, undefined);
        case "PUT /tenants/:t/faults": {
          let cfg;
          try {
            cfg = validateFaultConfig(body);
          } catch (e) {
            return send(400, { error: (e as Error).message });
          }
          await control.setFaults(t, cfg);
          return send(200, t === "*" ? { ok: true } : control.state(t).faults);
        }
        case "POST /tenants/:t/faults/next": {
          const list = Array.isArray(body) ? body : [body];
          try {
            for (const f of list.map(validateScheduledFault)) control.scheduleFault(t, f);
          } catch (e) {
            return send(400, { error: (e as Error).message });
          }
          return send(200, control.state(t).faults);
        }
        case "POST /tenants/:t/apps/:app/fail-next-reload":
          control.failNextReload(t, parts[3], {
            errorCode: typeof obj.errorCode === "string" ? obj.errorCode : undefined,
            message: typeof obj.message === "string" ? obj.message : undefined,
          });
          return send(204, undefined);
        case "PUT /timings": {
          for (const [k, v] of Object.entries(obj))
            if (typeof v !== "number" || v < 0)
              return send(400, { error: `timings.${k} must be a number >= 0.` });
          return send(200, control.setTimings(obj as Record<string, number>));
        }
        case "PUT /rate-limits": {
          for (const [k, v] of Object.entries(obj)) {
            const l = v as { limit?: unknown; windowMs?: unknown };
            if (
              !["tier1", "tier2", "reloads"].includes(k) ||
              typeof l?.limit !== "number" ||
              typeof l?.windowMs !== "number"
            )
              return send(400, {
                error: `rate-limits.${k} must be {limit, windowMs} for tier1, tier2 or reloads.`,
              });
          }
          return send(200, control.setRateLimits(obj));
        }
        case "POST /reset":
          await control.reset();
          return send(204, undefined);
        case "POST /tenants/:t/reset":
          await control.reset(t);
          return send(204, undefined);
        case "POST /tenants": {
          if (typeof obj.region !== "string") return send(400, { error: "region is required." });
          const tenant = await control.createTenant(obj.region, {
            name: typeof obj.name === "string" ? obj.name : undefined,
            hostnameAlias: typeof obj.hostnameAlias === "string" ? obj.hostnameAlias : undefined,
            licenseKey: typeof obj.licenseKey === "string" ? obj.licenseKey : undefined,
          });
          return send(201, { name: tenant.name, id: tenant.id, url: tenant.url, region: tenant.region });
        }
        default:
          return send(404, { error: `No control endpoint ${method} ${url.pathname}.` });
      }
    } catch (e) {
      if (e instanceof ControlError) return send(e.status, { error: e.message });
      return send(500, { error: (e as Error).message });
    }
  });
}
