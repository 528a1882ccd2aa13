/**
 * Items API: `/api/v1/items` (filters `resourceType`, `resourceId`, `resourceIds`, `spaceId`, `spaceType`,
 * `name`, `query`, `ownerId`, `id`, `noActions`, sort, cursor paging with `links.next`), `/items/{id}`
 * and `/items/{id}/publisheditems` (the published copies of an app).
 */
import type { ItemRecord, RouteModule, SimRequest, SimResponse } from "../http/types.ts";
import { badRequest, isResponse, json, notFound, page, parseLimit, sortList } from "./http-helpers.ts";

const APP_ACTIONS = [
  "create",
  "delete",
  "duplicate",
  "exportappdata",
  "read",
  "reload",
  "update",
  "publish",
  "change_owner",
  "change_space",
];

function itemView(req: SimRequest, item: ItemRecord, withActions = true) {
  const attrs = item.resourceAttributes;
  const reloadStatus = attrs.resourceReloadStatus;
  const reloadEnd = attrs.resourceReloadEndTime;
  const resourceAttributes = { ...attrs };
  delete resourceAttributes.resourceReloadStatus;
  delete resourceAttributes.resourceReloadEndTime;
  const doc = item.resourceType === "app" ? req.tenant.docs.get(item.resourceId) : undefined;
  const size = doc ? JSON.stringify([...doc.objects.values()]).length + doc.script.length : 0;
  const view: Record<string, unknown> = {
    id: item.id,
    name: item.name,
    description: typeof attrs.description === "string" ? attrs.description : "",
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    resourceSubType: "",
    resourceAttributes,
    resourceCustomAttributes: null,
    resourceCreatedAt: typeof attrs.createdDate === "string" ? attrs.createdDate : item.createdAt,
    resourceUpdatedAt: typeof attrs.modifiedDate === "string" ? attrs.modifiedDate : item.updatedAt,
    resourceSize: { appFile: size, appMemory: size * 2 },
    ...(typeof reloadStatus === "string" ? { resourceReloadStatus: reloadStatus } : {}),
    ...(typeof reloadEnd === "string" ? { resourceReloadEndTime: reloadEnd } : {}),
    ...(item.spaceId ? { spaceId: item.spaceId } : {}),
    tenantId: req.tenant.id,
    ownerId: item.ownerId,
    creatorId: item.ownerId,
    updaterId: item.ownerId,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    thumbnailId: "",
    collectionIds: [],
    isFavorited: false,
    meta: { actions: withActions ? APP_ACTIONS : [], collections: [], isFavorited: false, tags: [] },
    links: {
      self: { href: `${req.baseUrl}/api/v1/items/${item.id}` },
      collections: { href: `${req.baseUrl}/api/v1/items/${item.id}/collections` },
      ...(item.resourceType === "app"
        ? { open: { href: `${req.baseUrl}/sense/app/${item.resourceId}` } }
        : {}),
    },
  };
  if (withActions) view.actions = APP_ACTIONS;
  return view;
}

function parseResourceTypes(raw: string): string[] {
  // "app[qvd,chart-monitoring],qvapp" → ["app", "qvapp"] (sub-type filters are accepted and ignored).
  return raw
    .replace(/\[[^\]]*\]/g, "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function sortItems(req: SimRequest, list: ItemRecord[]): ItemRecord[] | SimResponse {
  const sorted = sortList(
    list,
    req.query.get("sort") ?? "+createdAt",
    ["createdAt", "updatedAt", "name", "recentlyUsed"],
    (x, f) => (f === "recentlyUsed" ? x.updatedAt : (x as unknown as Record<string, unknown>)[f]),
  );
  if (!sorted)
    return badRequest("ITEMS-400", "sort supports +/-createdAt, updatedAt, name and recentlyUsed.");
  return sorted;
}

export const itemsRouteModule: RouteModule = (routes) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/items",
    tier: "tier1",
    handler: (req) => {
      const q = req.query;
      const limit = parseLimit(req, 10, 100, "ITEMS-400");
      if (typeof limit !== "number") return limit;
      if (q.get("next") && q.get("prev"))
        return badRequest("ITEMS-400", "Provide either next or prev, not both.");
      const resourceType = q.get("resourceType");
      const resourceId = q.get("resourceId");
      const resourceIds = q.get("resourceIds");
      if ((resourceId || resourceIds || q.get("resourceLink")) && !resourceType)
        return badRequest(
          "ITEMS-400",
          "resourceType is required when resourceId, resourceIds or resourceLink is given.",
        );
      if (resourceId && q.get("resourceLink"))
        return badRequest("ITEMS-400", "Provide either resourceId or resourceLink, not both.");
      let list = [...req.tenant.items.values()];
      if (resourceType) {
        const types = parseResourceTypes(resourceType);
        list = list.filter((i) => types.includes(i.resourceType));
      }
      if (resourceId) list = list.filter((i) => i.resourceId === resourceId);
      if (resourceIds) {
        const ids = resourceIds.split(",");
        if (ids.length > 100) return badRequest("ITEMS-400", "resourceIds supports at most 100 ids.");
        list = list.filter((i) => ids.includes(i.resourceId));
      }
      const spaceId = q.get("spaceId");
      if (spaceId === "personal")
        list = list.filter((i) => i.spaceId === null && i.ownerId === req.principal!.userId);
      else if (spaceId) list = list.filter((i) => i.spaceId === spaceId);
      const spaceType = q.get("spaceType");
      if (spaceType) {
        const types = spaceType.split(",");
        list = list.filter((i) => {
          const t = i.spaceId ? req.tenant.spaces.get(i.spaceId)?.type : "personal";
          return t !== undefined && types.includes(t);
        });
      }
      const name = q.get("name");
      if (name) list = list.filter((i) => i.name.toLowerCase() === name.toLowerCase());
      const query = q.get("query");
      if (query) {
        const needle = query.toLowerCase();
        list = list.filter(
          (i) =>
            i.name.toLowerCase().includes(needle) ||
            String(i.resourceAttributes.description ?? "")
              .toLowerCase()
              .includes(needle),
        );
      }
      const id = q.get("id");
      if (id) list = list.filter((i) => i.id === id);
      const ownerId = q.get("ownerId") ?? q.get("createdByUserId");
      if (ownerId) list = list.filter((i) => i.ownerId === ownerId);
      const notOwnerId = q.get("notOwnerId") ?? q.get("notCreatedByUserId");
      if (notOwnerId) list = list.filter((i) => i.ownerId !== notOwnerId);
      const sorted = sortItems(req, list);
      if (isResponse(sorted)) return sorted;
      const p = page(req, sorted, limit);
      if (isResponse(p)) return p;
      const noActions = q.get("noActions") === "true";
      return json(200, { data: p.data.map((i) => itemView(req, i, !noActions)), links: p.links });
    },
  });

  routes.add({
    method: "GET",
    pattern: "/api/v1/items/:itemId",
    tier: "tier1",
    handler: (req) => {
      const item = req.tenant.items.get(req.params.itemId);
      return item
        ? json(200, itemView(req, item))
        : notFound("ITEMS-404", `Item '${req.params.itemId}' was not found.`);
    },
  });

  routes.add({
    method: "GET",
    pattern: "/api/v1/items/:itemId/publisheditems",
    tier: "tier1",
    handler: (req) => {
      const item = req.tenant.items.get(req.params.itemId);
      if (!item) return notFound("ITEMS-404", `Item '${req.params.itemId}' was not found.`);
      const limit = parseLimit(req, 10, 100, "ITEMS-400");
      if (typeof limit !== "number") return limit;
      let list: ItemRecord[] = [];
      if (item.resourceType === "app") {
        list = [...req.tenant.items.values()].filter((i) => {
          if (i.resourceType !== "app") return false;
          const app = req.tenant.apps.get(i.resourceId);
          return !!app && app.published && app.originAppId === item.resourceId;
        });
      }
      const rt = req.query.get("resourceType");
      if (rt) list = list.filter((i) => parseResourceTypes(rt).includes(i.resourceType));
      const sorted = sortItems(req, list);
      if (isResponse(sorted)) return sorted;
      const p = page(req, sorted, limit);
      if (isResponse(p)) return p;
      return json(200, { data: p.data.map((i) => itemView(req, i)), links: p.links });
    },
  });
};
