/**
 * Webhooks: `/api/v1/webhooks` CRUD (the secret is write-only), `/event-types`, deliveries and resend.
 * `deliverEvent` POSTs an event to every enabled webhook subscribed to its type: a CloudEvents 1.0 body that
 * also carries Qlik's legacy fields, signed with header `Qlik-Signature` = hex HMAC-SHA256(secret, raw body).
 * Every attempt is recorded (see `webhookDeliveries`). The module subscribes to `ctx.onEvent` when mounted,
 * so every `ctx.emitEvent` is delivered without further wiring.
 */
import {
  isValidWebhookSecret,
  WEBHOOK_SECRET_MAX_LENGTH,
  WEBHOOK_SECRET_MIN_LENGTH,
} from "@qlik-cicd/qlik-facts";
import { createHmac, randomUUID } from "node:crypto";
import type { JsonObject } from "../../model/app-document.ts";
import type { RouteModule, SimContext, TenantState } from "../../http/types.ts";
import {
  addDeleteById,
  addGetById,
  addPatchById,
  badRequest,
  listResponse,
  noContent,
  notFound,
  objectBody,
  ok,
  parseFilter,
} from "./util.ts";
import type { ItemRoute } from "./util.ts";

export interface WebhookRecord {
  id: string;
  name: string;
  description: string;
  url: string;
  eventTypes: string[];
  headers: Record<string, string>;
  enabled: boolean;
  secret: string | null;
  filter: string;
  level: "tenant" | "user";
  origin: "api" | "automations" | "management-console";
  checkCertificateRevocation: boolean;
  enableCloudEventDelivery: boolean;
  ownerId: string;
  createdByUserId: string;
  updatedByUserId: string;
  createdAt: string;
  updatedAt: string;
  disabledReason?: string;
  disabledReasonCode?: string;
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventType: string;
  triggeredAt: string;
  status: "success" | "fail";
  statusMessage: string;
  request: { url: string; headers: Record<string, string>; body: unknown };
  /** The exact bytes sent (what the signature covers). */
  rawBody: string;
  response?: { statusCode: number; headers: Record<string, string>; body: string };
}

interface WebhooksState {
  hooks: Map<string, WebhookRecord>;
  deliveries: DeliveryRecord[];
}

function state(tenant: TenantState): WebhooksState {
  return tenant.moduleState("webhooks", () => ({ hooks: new Map<string, WebhookRecord>(), deliveries: [] }));
}

/** Event types the simulator knows (and emits where the matching feature exists). */
const WEBHOOK_EVENT_TYPES: { name: string; title: string; category: string }[] = [
  { name: "com.qlik.v1.app.created", title: "App created", category: "app" },
  { name: "com.qlik.v1.app.deleted", title: "App deleted", category: "app" },
  { name: "com.qlik.v1.app.published", title: "App published", category: "app" },
  { name: "com.qlik.v1.app.data.updated", title: "App data updated", category: "app" },
  { name: "com.qlik.v1.app.exported", title: "App exported", category: "app" },
  { name: "com.qlik.v1.app.reload.finished", title: "App reload finished", category: "app" },
  { name: "com.qlik.v1.reload.finished", title: "Reload finished", category: "reload" },
  { name: "com.qlik.v1.space.created", title: "Space created", category: "space" },
  { name: "com.qlik.v1.space.deleted", title: "Space deleted", category: "space" },
  { name: "com.qlik.user.created", title: "User created", category: "user" },
  { name: "com.qlik.user.updated", title: "User updated", category: "user" },
  { name: "com.qlik.user.deleted", title: "User deleted", category: "user" },
  { name: "com.qlik.v1.automation.run.ended", title: "Automation run ended", category: "automation" },
  { name: "com.qlik.v1.evaluation.finished", title: "App evaluation finished", category: "app" },
];

/** hex HMAC-SHA256 of the raw body with the webhook secret — the `Qlik-Signature` header value. */
export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return createHmac("sha256", secret).update(rawBody).digest("hex");
}

function view(w: WebhookRecord) {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    url: w.url,
    eventTypes: w.eventTypes,
    headers: w.headers,
    enabled: w.enabled,
    filter: w.filter,
    level: w.level,
    origin: w.origin,
    checkCertificateRevocation: w.checkCertificateRevocation,
    enableCloudEventDelivery: w.enableCloudEventDelivery,
    secretKeyAdded: w.secret !== null && w.secret !== "",
    ownerId: w.ownerId,
    createdByUserId: w.createdByUserId,
    updatedByUserId: w.updatedByUserId,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    ...(w.disabledReason
      ? { disabledReason: w.disabledReason, disabledReasonCode: w.disabledReasonCode }
      : {}),
  };
}

function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventType: d.eventType,
    triggeredAt: d.triggeredAt,
    status: d.status,
    statusMessage: d.statusMessage,
    request: d.request,
    ...(d.response ? { response: d.response } : {}),
  };
}

function validUrl(u: unknown): u is string {
  if (typeof u !== "string") return false;
  try {
    const p = new URL(u);
    return p.protocol === "http:" || p.protocol === "https:";
  } catch {
    return false;
  }
}

const STRING_MAP = (v: unknown): v is Record<string, string> =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === "string");

/** Validates create/update input; returns a problem sentence or undefined. */
function validate(b: Record<string, unknown>): string | undefined {
  if (typeof b.name !== "string" || b.name.trim() === "") return "The webhook needs a non-empty 'name'.";
  if (!validUrl(b.url)) return `'url' must be an http(s) URL, got ${JSON.stringify(b.url)}.`;
  if (b.eventTypes !== undefined) {
    if (
      !Array.isArray(b.eventTypes) ||
      !b.eventTypes.every((e) => typeof e === "string" && e.startsWith("com.qlik."))
    )
      return "'eventTypes' must be an array of Qlik event type names such as \"com.qlik.v1.app.published\".";
  }
  if (b.headers !== undefined && !STRING_MAP(b.headers))
    return "'headers' must be an object of string values.";
  // null: the secret is removed (PATCH remove).
  if (b.secret !== undefined && b.secret !== null) {
    if (typeof b.secret !== "string") return "'secret' must be a string.";
    if (!isValidWebhookSecret(b.secret))
      return `'secret' must be ${WEBHOOK_SECRET_MIN_LENGTH} to ${WEBHOOK_SECRET_MAX_LENGTH} characters long; it has ${b.secret.length}.`;
  }
  if (b.enabled !== undefined && typeof b.enabled !== "boolean") return "'enabled' must be a boolean.";
  if (b.filter !== undefined) {
    if (typeof b.filter !== "string") return "'filter' must be a string.";
    if (b.filter !== "") {
      const p = parseFilter(b.filter);
      if (typeof p === "string") return p;
    }
  }
  return undefined;
}

function apply(w: WebhookRecord, b: Record<string, unknown>, full: boolean) {
  if (full || b.name !== undefined) w.name = b.name as string;
  if (full || b.description !== undefined)
    w.description = typeof b.description === "string" ? b.description : "";
  if (full || b.url !== undefined) w.url = b.url as string;
  if (full || b.eventTypes !== undefined) w.eventTypes = (b.eventTypes as string[] | undefined) ?? [];
  if (full || b.headers !== undefined) w.headers = (b.headers as Record<string, string> | undefined) ?? {};
  if (full || b.enabled !== undefined) w.enabled = b.enabled === undefined ? true : (b.enabled as boolean);
  if (b.secret !== undefined) w.secret = (b.secret as string) || null;
  if (full || b.filter !== undefined) w.filter = typeof b.filter === "string" ? b.filter : "";
  if (b.checkCertificateRevocation !== undefined)
    w.checkCertificateRevocation = b.checkCertificateRevocation === true;
  if (b.enableCloudEventDelivery !== undefined)
    w.enableCloudEventDelivery = b.enableCloudEventDelivery === true;
  if (b.level === "user" || b.level === "tenant") w.level = b.level;
}

export interface DeliverOptions {
  ctx?: Pick<SimContext, "now" | "newId">;
  /** User the event is attributed to (CloudEvents `userid`). */
  userId?: string;
  /** Source service, e.g. "com.qlik/apps"; derived from the event type when absent. */
  source?: string;
  /** Per-request timeout in ms (default 5000). */
  timeoutMs?: number;
}

function buildEnvelope(
  tenant: TenantState,
  eventType: string,
  data: JsonObject,
  id: string,
  time: string,
  opts: DeliverOptions,
) {
  const service = eventType.replace(/^com\.qlik\.(v\d+\.)?/, "").split(".")[0] ?? "events";
  const source = opts.source ?? `com.qlik/${service}`;
  return {
    // CloudEvents 1.0 attributes
    specversion: "1.0",
    id,
    source,
    type: eventType,
    time,
    datacontenttype: "application/json",
    tenantid: tenant.id,
    ...(opts.userId ? { userid: opts.userId } : {}),
    // Qlik's legacy attributes (hybrid format)
    cloudEventsVersion: "0.1",
    contentType: "application/json",
    eventId: id,
    eventTime: time,
    eventType,
    eventTypeVersion: "1.0.0",
    tenantId: tenant.id,
    ...(opts.userId ? { userId: opts.userId } : {}),
    data,
  };
}

async function send(
  tenant: TenantState,
  hook: WebhookRecord,
  eventType: string,
  envelope: unknown,
  opts: DeliverOptions,
): Promise<DeliveryRecord> {
  const raw = JSON.stringify(envelope);
  const headers: Record<string, string> = {
    ...hook.headers,
    "content-type": "application/json",
    "user-agent": "Qlik-Webhooks/1.0 (qlik-sim)",
  };
  if (hook.secret) headers["qlik-signature"] = signWebhookBody(hook.secret, raw);
  const now = opts.ctx ? opts.ctx.now() : new Date();
  const record: DeliveryRecord = {
    id: opts.ctx ? opts.ctx.newId("uuid") : randomUUID(),
    webhookId: hook.id,
    eventType,
    triggeredAt: now.toISOString(),
    status: "fail",
    statusMessage: "",
    // The recorded request never repeats the signature secret; the signature header itself is not secret.
    request: { url: hook.url, headers, body: envelope },
    rawBody: raw,
  };
  try {
    const res = await fetch(hook.url, {
      method: "POST",
      headers,
      body: raw,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    const text = await res.text();
    const resHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => (resHeaders[k] = v));
    record.response = { statusCode: res.status, headers: resHeaders, body: text.slice(0, 2000) };
    record.status = res.status >= 200 && res.status < 300 ? "success" : "fail";
    record.statusMessage = record.status === "success" ? "OK" : `Receiver answered HTTP ${res.status}.`;
  } catch (e) {
    record.statusMessage = `Delivery failed: ${(e as Error).message}`;
  }
  state(tenant).deliveries.push(record);
  return record;
}

/**
 * Delivers `eventType` with `data` to every enabled webhook of `tenant` subscribed to it (and whose `filter`,
 * if any, matches the event). Resolves with the delivery records once every attempt has finished; never
 * rejects. The HTTP core's `ctx.emitEvent` calls this (fire and forget).
 */
export async function deliverEvent(
  tenant: TenantState,
  eventType: string,
  data: JsonObject,
  opts: DeliverOptions = {},
): Promise<DeliveryRecord[]> {
  const hooks = [...state(tenant).hooks.values()].filter(
    (h) => h.enabled && h.eventTypes.includes(eventType),
  );
  if (hooks.length === 0) return [];
  const id = opts.ctx ? opts.ctx.newId("uuid") : randomUUID();
  const time = (opts.ctx ? opts.ctx.now() : new Date()).toISOString();
  const envelope = buildEnvelope(tenant, eventType, data, id, time, opts);
  const targets = hooks.filter((h) => {
    if (!h.filter) return true;
    const pred = parseFilter(h.filter);
    return typeof pred === "string" ? false : pred(envelope);
  });
  return Promise.all(targets.map((h) => send(tenant, h, eventType, envelope, opts)));
}

/** Control hook: every delivery attempt recorded for a tenant (optionally one webhook), oldest first. */
export function webhookDeliveries(tenant: TenantState, webhookId?: string): DeliveryRecord[] {
  const all = state(tenant).deliveries;
  return webhookId ? all.filter((d) => d.webhookId === webhookId) : [...all];
}

const webhookItem: ItemRoute<WebhookRecord> = {
  pattern: "/api/v1/webhooks/:id",
  records: (req) => state(req.tenant).hooks,
  missing: (id) => notFound("Webhook", id),
};

export const webhooksModule: RouteModule = (routes, ctx: SimContext) => {
  // Every ctx.emitEvent reaches registered webhooks (fire and forget; attempts are recorded).
  ctx.onEvent((tenant, eventType, data) => {
    void deliverEvent(tenant, eventType, data, { ctx });
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/webhooks",
    tier: "tier1",
    handler: (req) => {
      let list = [...state(req.tenant).hooks.values()];
      const q = req.query;
      if (q.get("enabled") !== null) list = list.filter((w) => String(w.enabled) === q.get("enabled"));
      if (q.get("name")) list = list.filter((w) => w.name === q.get("name"));
      if (q.get("url")) list = list.filter((w) => w.url === q.get("url"));
      if (q.get("eventTypes")) {
        const wanted = q.get("eventTypes")!.split(",");
        list = list.filter((w) => w.eventTypes.some((e) => wanted.includes(e)));
      }
      if (q.get("origins")) list = list.filter((w) => w.origin === q.get("origins"));
      return listResponse(req, list, {
        view,
        sort: { fields: ["name", "url", "createdAt", "updatedAt"], default: "+createdAt" },
        defaultLimit: 20,
      });
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/webhooks/event-types",
    tier: "tier1",
    handler: () =>
      ok({
        data: WEBHOOK_EVENT_TYPES.map((e) => ({
          name: e.name,
          title: e.title,
          description: e.title,
          category: e.category,
          levels: ["tenant"],
        })),
      }),
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/webhooks",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b) return badRequest("The request body must be a JSON object.");
      const problem = validate(b);
      if (problem) return badRequest(problem);
      const now = ctx.now().toISOString();
      const who = req.principal?.userId ?? "";
      const w: WebhookRecord = {
        id: ctx.newId("uuid"),
        name: "",
        description: "",
        url: "",
        eventTypes: [],
        headers: {},
        enabled: true,
        secret: null,
        filter: "",
        level: "tenant",
        origin: b.origin === "automations" || b.origin === "management-console" ? b.origin : "api",
        checkCertificateRevocation: true,
        enableCloudEventDelivery: true,
        ownerId: typeof b.ownerId === "string" ? b.ownerId : who,
        createdByUserId: who,
        updatedByUserId: who,
        createdAt: now,
        updatedAt: now,
      };
      apply(w, b, true);
      state(req.tenant).hooks.set(w.id, w);
      return ok(view(w), 201);
    },
  });
  addGetById(routes, webhookItem, view);
  routes.add({
    method: "PUT",
    pattern: "/api/v1/webhooks/:id",
    tier: "tier2",
    handler: (req) => {
      const w = state(req.tenant).hooks.get(req.params.id);
      if (!w) return notFound("Webhook", req.params.id);
      const b = objectBody(req);
      if (!b) return badRequest("The request body must be a JSON object.");
      const problem = validate(b);
      if (problem) return badRequest(problem);
      apply(w, b, true);
      w.updatedAt = ctx.now().toISOString();
      w.updatedByUserId = req.principal?.userId ?? "";
      return ok(view(w));
    },
  });
  const patchable = [
    "name",
    "description",
    "url",
    "eventTypes",
    "headers",
    "enabled",
    "secret",
    "encryptedHeaders",
    "enableCloudEventDelivery",
  ];
  addPatchById(
    routes,
    webhookItem,
    (p) => patchable.includes(p.slice(1)),
    (req, w, ops) => {
      const merged: Record<string, unknown> = { ...view(w), secret: undefined };
      for (const op of ops) {
        const key = op.path.slice(1);
        if (key === "encryptedHeaders") continue;
        if (op.op === "remove")
          merged[key] =
            key === "eventTypes" ? [] : key === "headers" ? {} : key === "secret" ? null : undefined;
        else merged[key] = op.value;
      }
      const problem = validate(merged);
      if (problem) return badRequest(problem);
      apply(w, merged, false);
      w.updatedAt = ctx.now().toISOString();
      w.updatedByUserId = req.principal?.userId ?? "";
      return noContent();
    },
  );
  addDeleteById(routes, webhookItem);
  routes.add({
    method: "GET",
    pattern: "/api/v1/webhooks/:id/deliveries",
    tier: "tier1",
    handler: (req) => {
      if (!state(req.tenant).hooks.has(req.params.id)) return notFound("Webhook", req.params.id);
      let list = webhookDeliveries(req.tenant, req.params.id);
      const status = req.query.get("status");
      if (status) list = list.filter((d) => d.status === status);
      const et = req.query.get("eventType");
      if (et) list = list.filter((d) => d.eventType === et);
      return listResponse(req, list, {
        view: deliveryView,
        sort: { fields: ["status", "triggeredAt"], default: "-triggeredAt" },
        defaultLimit: 20,
      });
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/webhooks/:id/deliveries/:deliveryId",
    tier: "tier1",
    handler: (req) => {
      const d = webhookDeliveries(req.tenant, req.params.id).find((x) => x.id === req.params.deliveryId);
      return d ? ok(deliveryView(d)) : notFound("Delivery", req.params.deliveryId);
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/webhooks/:id/deliveries/:deliveryId/actions/resend",
    tier: "tier2",
    handler: async (req) => {
      const w = state(req.tenant).hooks.get(req.params.id);
      const d = webhookDeliveries(req.tenant, req.params.id).find((x) => x.id === req.params.deliveryId);
      if (!w || !d) return notFound("Delivery", req.params.deliveryId);
      const again = await send(req.tenant, w, d.eventType, d.request.body, { ctx });
      return ok(deliveryView(again), 201);
    },
  });
};
