/**
 * Operations on a tenant's shared data that several route modules (and the seed) need: apps with their
 * documents and items, spaces, and the Qlik-shaped views of them.
 */
import { emptyAppDocument } from "../model/app-document.ts";
import type { AppDocument, JsonObject } from "../model/app-document.ts";
import type { AppRecord, ItemRecord, SimContext, SpaceRecord, TenantState } from "../http/types.ts";

export const SPACE_TYPES = ["shared", "managed", "data"] as const;

/** Roles assignable per space type (Qlik's spaces API documentation). */
export const ASSIGNABLE_ROLES: Record<SpaceRecord["type"], string[]> = {
  shared: ["codeveloper", "consumer", "dataconsumer", "facilitator", "producer"],
  managed: ["basicconsumer", "consumer", "contributor", "dataconsumer", "facilitator", "publisher"],
  data: ["consumer", "dataconsumer", "datapreview", "facilitator", "operator", "producer", "publisher"],
};

/** appId → itemId for the app items the simulator maintains. */
function appItemIndex(tenant: TenantState): Map<string, string> {
  return tenant.moduleState("core:app-items", () => new Map<string, string>());
}

/** Apps that were just published answer 403 until this time (ms since epoch). */
export function publishWindows(tenant: TenantState): Map<string, number> {
  return tenant.moduleState("core:publish-windows", () => new Map<string, number>());
}

export function isInAccessWindow(ctx: SimContext, tenant: TenantState, appId: string): boolean {
  const until = publishWindows(tenant).get(appId);
  if (until === undefined) return false;
  if (ctx.now().getTime() < until) return true;
  publishWindows(tenant).delete(appId);
  return false;
}

function appAttributes(tenant: TenantState, app: AppRecord): JsonObject {
  const doc = tenant.docs.get(app.id);
  const attrs: JsonObject = {
    id: app.id,
    name: app.name,
    description: app.description,
    thumbnail: "",
    lastReloadTime: doc?.lastReloadTime ?? "",
    createdDate: app.createdDate,
    modifiedDate: app.modifiedDate,
    owner: `auth0|${app.ownerId}`,
    ownerId: app.ownerId,
    dynamicColor: "",
    published: app.published,
    publishTime: app.publishTime ?? "",
    custom: app.custom,
    hasSectionAccess: /^\s*section\s+access\s*;/im.test(doc?.script ?? ""),
    encrypted: true,
    originAppId: app.originAppId ?? "",
    isDirectQueryMode: false,
    usage: "ANALYTICS",
    _resourcetype: "app",
  };
  if (app.spaceId) attrs.spaceId = app.spaceId;
  return attrs;
}

const APP_PRIVILEGES = [
  "read",
  "update",
  "delete",
  "reload",
  "export",
  "publish",
  "change_owner",
  "change_space",
  "duplicate",
  "exportdata",
];

/** The NxApp shape @qlik/api types for `GET /api/v1/apps/{id}`. */
export function nxApp(tenant: TenantState, app: AppRecord): JsonObject {
  const managed = app.spaceId ? tenant.spaces.get(app.spaceId)?.type === "managed" : false;
  return {
    attributes: appAttributes(tenant, app),
    privileges: managed
      ? APP_PRIVILEGES.filter((p) => p !== "export" && p !== "change_space")
      : APP_PRIVILEGES,
    create: [
      { resource: "sheet", canCreate: true },
      { resource: "bookmark", canCreate: true },
      { resource: "story", canCreate: true },
    ],
  };
}

/** Creates or refreshes the item that represents `app` (resourceType "app", item id ≠ app id). */
export function upsertAppItem(
  ctx: SimContext,
  tenant: TenantState,
  app: AppRecord,
  reload?: { status: "ok" | "error"; endTime: string },
): ItemRecord {
  const index = appItemIndex(tenant);
  const now = ctx.now().toISOString();
  const existingId = index.get(app.id);
  const existing = existingId ? tenant.items.get(existingId) : undefined;
  const attrs = appAttributes(tenant, app);
  if (existing) {
    existing.name = app.name;
    existing.spaceId = app.spaceId;
    existing.ownerId = app.ownerId;
    existing.updatedAt = now;
    const prev = existing.resourceAttributes;
    existing.resourceAttributes = {
      ...attrs,
      ...(reload ? { resourceReloadStatus: reload.status, resourceReloadEndTime: reload.endTime } : {}),
      ...(reload ? {} : pick(prev, ["resourceReloadStatus", "resourceReloadEndTime"])),
    };
    return existing;
  }
  const item: ItemRecord = {
    id: ctx.newId("hex"),
    name: app.name,
    resourceType: "app",
    resourceId: app.id,
    spaceId: app.spaceId,
    ownerId: app.ownerId,
    createdAt: now,
    updatedAt: now,
    resourceAttributes: attrs,
  };
  tenant.items.set(item.id, item);
  index.set(app.id, item.id);
  return item;
}

function pick(o: JsonObject, keys: string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function createAppRecord(
  ctx: SimContext,
  tenant: TenantState,
  input: {
    name: string;
    spaceId: string | null;
    description?: string;
    ownerId: string;
    doc?: AppDocument;
    published?: boolean;
    publishTime?: string | null;
    originAppId?: string | null;
    id?: string;
  },
): AppRecord {
  const now = ctx.now().toISOString();
  const id = input.id ?? ctx.newId("uuid");
  const app: AppRecord = {
    id,
    name: input.name,
    description: input.description ?? "",
    spaceId: input.spaceId,
    ownerId: input.ownerId,
    createdDate: now,
    modifiedDate: now,
    published: input.published ?? false,
    publishTime: input.publishTime ?? null,
    originAppId: input.originAppId ?? null,
    custom: {},
  };
  const doc = input.doc ?? emptyAppDocument(id, input.name);
  doc.id = id;
  doc.appProperties = { ...doc.appProperties, qTitle: input.name, description: app.description };
  tenant.apps.set(id, app);
  tenant.docs.set(id, doc);
  upsertAppItem(ctx, tenant, app);
  return app;
}

export function deleteAppRecord(tenant: TenantState, appId: string): void {
  tenant.apps.delete(appId);
  tenant.docs.delete(appId);
  const index = appItemIndex(tenant);
  const itemId = index.get(appId);
  if (itemId) tenant.items.delete(itemId);
  index.delete(appId);
  publishWindows(tenant).delete(appId);
}

/** Marks the app changed (REST or engine): bumps modifiedDate and keeps name/description in sync with the document. */
export function touchApp(ctx: SimContext, tenant: TenantState, app: AppRecord): void {
  const doc = tenant.docs.get(app.id);
  if (doc) {
    const title = doc.appProperties.qTitle;
    if (typeof title === "string" && title !== "" && title !== app.name) app.name = title;
    const desc = doc.appProperties.description;
    if (typeof desc === "string" && desc !== app.description) app.description = desc;
  }
  app.modifiedDate = ctx.now().toISOString();
  upsertAppItem(ctx, tenant, app);
}

export function createSpaceRecord(
  ctx: SimContext,
  tenant: TenantState,
  input: { name: string; type: SpaceRecord["type"]; description?: string; ownerId: string },
): SpaceRecord {
  const now = ctx.now().toISOString();
  const space: SpaceRecord = {
    id: ctx.newId("hex"),
    name: input.name,
    type: input.type,
    description: input.description ?? "",
    ownerId: input.ownerId,
    createdAt: now,
    updatedAt: now,
  };
  tenant.spaces.set(space.id, space);
  return space;
}
