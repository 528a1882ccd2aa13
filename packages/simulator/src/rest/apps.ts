/**
 * Apps API: create, get, update, delete, copy, export (→ temp content download), import, publish to a
 * managed space, republish over an existing published copy (keeping its id), move between spaces and
 * change owner. Every app has an item (resourceType "app"). Right after publish, the new copy answers
 * 403 for `timings.publishAccessWindowMs`, as Qlik Cloud does while access is provisioned.
 */
import { adoptAppDocument, cloneAppDocument } from "../model/app-document.ts";
import type { AppDocument } from "../model/app-document.ts";
import type {
  AppRecord,
  RouteModule,
  SimContext,
  SimRequest,
  SimResponse,
  SpaceRecord,
  TenantState,
} from "../http/types.ts";
import { unpackApp, packApp } from "./archive.ts";
import { badRequest, forbidden, isResponse, json, notFound, objectBody } from "./http-helpers.ts";
import {
  createAppRecord,
  deleteAppRecord,
  isInAccessWindow,
  nxApp,
  publishWindows,
  touchApp,
  upsertAppItem,
} from "./store.ts";

interface TempContent {
  id: string;
  name: string;
  data: Buffer;
  createdAt: string;
  ownerId: string;
}

function tempContents(tenant: TenantState): Map<string, TempContent> {
  return tenant.moduleState("core:temp-contents", () => new Map<string, TempContent>());
}

function getApp(ctx: SimContext, req: SimRequest): AppRecord | SimResponse {
  const app = req.tenant.apps.get(req.params.appId);
  if (!app || !req.tenant.docs.has(app.id))
    return notFound("APPS-404", `App '${req.params.appId}' was not found.`);
  if (isInAccessWindow(ctx, req.tenant, app.id))
    return forbidden(
      "APPS-403",
      `Access to app '${app.id}' is not yet available; it was just published. Retry shortly.`,
    );
  return app;
}

/**
 * Resolves the space an app is created in, copied to, imported into or moved to. Apps live in shared
 * or personal spaces; managed spaces only receive apps through publish.
 */
function targetSpace(req: SimRequest, spaceId: unknown, action: string): SpaceRecord | null | SimResponse {
  if (spaceId === undefined || spaceId === null || spaceId === "") return null;
  if (typeof spaceId !== "string")
    return badRequest("APPS-400", "spaceId must be a string.", "/attributes/spaceId");
  const space = req.tenant.spaces.get(spaceId);
  if (!space) return notFound("APPS-404", `Space '${spaceId}' was not found.`);
  if (space.type === "managed")
    return forbidden(
      "APPS-403",
      `Cannot ${action} an app in managed space '${space.name}'; apps reach managed spaces only by publishing.`,
    );
  if (space.type === "data")
    return forbidden("APPS-403", `Cannot ${action} an app in data space '${space.name}'.`);
  return space;
}

function attributesOf(
  body: Record<string, unknown> | null,
  required: boolean,
): Record<string, unknown> | SimResponse {
  const attrs = body?.attributes;
  if (attrs === undefined && !required) return {};
  if (attrs === null || typeof attrs !== "object" || Array.isArray(attrs))
    return badRequest("APPS-400", "The request body must have an attributes object.", "/attributes");
  const a = attrs as Record<string, unknown>;
  if (a.name !== undefined && (typeof a.name !== "string" || a.name.trim() === ""))
    return badRequest("APPS-400", "attributes.name must be a non-empty string.", "/attributes/name");
  if (a.description !== undefined && typeof a.description !== "string")
    return badRequest("APPS-400", "attributes.description must be a string.", "/attributes/description");
  return a;
}

/** Content of a published copy: every sheet, story, master item and bookmark becomes public and approved. */
function markPublished(doc: AppDocument): void {
  for (const m of [doc.objects, doc.dimensions, doc.measures, doc.variables, doc.bookmarks] as Map<
    string,
    { published: boolean; approved: boolean }
  >[]) {
    for (const e of m.values()) {
      e.published = true;
      e.approved = true;
    }
  }
}

/** Replaces `target`'s content in place (open engine sessions keep seeing the same object). */
function replaceContent(target: AppDocument, source: AppDocument): void {
  target.script = source.script;
  target.appProperties = source.appProperties;
  target.connections = source.connections;
  target.dimensions = source.dimensions;
  target.measures = source.measures;
  target.variables = source.variables;
  target.bookmarks = source.bookmarks;
  target.objects = source.objects;
  target.alternateStates = source.alternateStates;
  target.media = source.media;
  target.scriptVariables = source.scriptVariables;
  target.tables = source.tables;
  target.lastReloadTime = source.lastReloadTime;
  target.revision += 1;
  target.savedRevision = target.revision;
}

export const appsRouteModule: RouteModule = (routes, ctx) => {
  routes.add({
    method: "POST",
    pattern: "/api/v1/apps",
    tier: "tier2",
    handler: (req) => {
      const body = objectBody(req);
      const a = attributesOf(body, true);
      if (isResponse(a)) return a;
      if (typeof a.name !== "string")
        return badRequest("APPS-400", "attributes.name is required.", "/attributes/name");
      const space = targetSpace(req, a.spaceId, "create");
      if (isResponse(space)) return space;
      const app = createAppRecord(ctx, req.tenant, {
        name: a.name,
        description: (a.description as string | undefined) ?? "",
        spaceId: space?.id ?? null,
        ownerId: req.principal!.userId,
      });
      return json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "GET",
    pattern: "/api/v1/apps/:appId",
    tier: "tier1",
    handler: (req) => {
      const app = getApp(ctx, req);
      return isResponse(app) ? app : json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "PUT",
    pattern: "/api/v1/apps/:appId",
    tier: "tier2",
    handler: (req) => {
      const app = getApp(ctx, req);
      if (isResponse(app)) return app;
      const a = attributesOf(objectBody(req), true);
      if (isResponse(a)) return a;
      const doc = req.tenant.docs.get(app.id)!;
      if (typeof a.name === "string") {
        app.name = a.name;
        doc.appProperties = { ...doc.appProperties, qTitle: a.name };
      }
      if (typeof a.description === "string") {
        app.description = a.description;
        doc.appProperties = { ...doc.appProperties, description: a.description };
      }
      touchApp(ctx, req.tenant, app);
      return json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "DELETE",
    pattern: "/api/v1/apps/:appId",
    tier: "tier2",
    handler: (req) => {
      const app = getApp(ctx, req);
      if (isResponse(app)) return app;
      deleteAppRecord(req.tenant, app.id);
      ctx.emitEvent(req.tenant, "com.qlik.v1.app.deleted", { id: app.id, name: app.name });
      return { status: 200 };
    },
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/apps/:appId/copy",
    tier: "tier2",
    handler: (req) => {
      const src = getApp(ctx, req);
      if (isResponse(src)) return src;
      const a = attributesOf(objectBody(req), false);
      if (isResponse(a)) return a;
      const space = targetSpace(req, a.spaceId, "copy");
      if (isResponse(space)) return space;
      const id = ctx.newId("uuid");
      const doc = cloneAppDocument(req.tenant.docs.get(src.id)!, id);
      const app = createAppRecord(ctx, req.tenant, {
        id,
        name: (a.name as string | undefined) ?? src.name,
        description: (a.description as string | undefined) ?? src.description,
        spaceId: space?.id ?? null,
        ownerId: req.principal!.userId,
        doc,
      });
      return json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/apps/:appId/export",
    tier: "tier2",
    handler: (req) => {
      const app = getApp(ctx, req);
      if (isResponse(app)) return app;
      const space = app.spaceId ? req.tenant.spaces.get(app.spaceId) : undefined;
      if (space?.type === "managed")
        return forbidden("APPS-403", `Apps in managed space '${space.name}' cannot be exported.`);
      const noData = (req.query.get("NoData") ?? "").toLowerCase() === "true";
      const content: TempContent = {
        id: ctx.newId("hex"),
        name: `${app.name}.qvf`,
        data: packApp(app.name, app.description, req.tenant.docs.get(app.id)!, { noData }),
        createdAt: ctx.now().toISOString(),
        ownerId: req.principal!.userId,
      };
      tempContents(req.tenant).set(content.id, content);
      return { status: 201, headers: { location: `/api/v1/temp-contents/${content.id}?inline=1` } };
    },
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/apps/import",
    tier: "tier2",
    handler: (req) => {
      const q = req.query;
      const mode = (q.get("mode") ?? "NEW").toUpperCase();
      if (mode === "AUTOREPLACE")
        return badRequest("APPS-400", "mode AUTOREPLACE is internal to Qlik and not permitted; use NEW.");
      if (mode !== "NEW") return badRequest("APPS-400", `mode '${q.get("mode")}' is not valid; use NEW.`);
      let bytes = req.rawBody;
      const fileId = q.get("fileId");
      if (fileId) {
        const c = tempContents(req.tenant).get(fileId);
        if (!c) return notFound("APPS-404", `Temporary file '${fileId}' was not found.`);
        bytes = c.data;
      }
      if (bytes.length === 0)
        return badRequest("APPS-400", "The request body must be the app file to import (or give fileId).");
      const archive = unpackApp(bytes);
      if (!archive) return badRequest("APPS-400", "The request body is not a valid app file.");
      const space = targetSpace(req, q.get("spaceId"), "import");
      if (isResponse(space)) return space;
      const id = ctx.newId("uuid");
      // The archive was parsed for this request: its document is this app's own.
      const doc = adoptAppDocument(archive.document, id);
      if ((q.get("NoData") ?? "").toLowerCase() === "true") {
        doc.tables = [];
        doc.scriptVariables = new Map();
        doc.lastReloadTime = null;
      }
      const app = createAppRecord(ctx, req.tenant, {
        id,
        name: q.get("name") || archive.name,
        description: archive.description,
        spaceId: space?.id ?? null,
        ownerId: req.principal!.userId,
        doc,
      });
      return json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/apps/:appId/publish",
    tier: "tier2",
    handler: (req) => {
      const src = getApp(ctx, req);
      if (isResponse(src)) return src;
      const b = objectBody(req);
      if (!b) return badRequest("APPS-400", "The request body must be a JSON object with spaceId.");
      if (typeof b.spaceId !== "string" || b.spaceId === "")
        return badRequest("APPS-400", "spaceId is required.", "/spaceId");
      const space = req.tenant.spaces.get(b.spaceId);
      if (!space) return notFound("APPS-404", `Space '${b.spaceId}' was not found.`);
      if (space.type !== "managed")
        return badRequest(
          "APPS-400",
          `Apps can only be published to managed spaces; '${space.name}' is ${space.type}.`,
          "/spaceId",
        );
      if (src.published)
        return badRequest("APPS-400", `App '${src.id}' is a published app; publish its source app instead.`);
      if (b.data !== undefined && b.data !== "source")
        return badRequest("APPS-400", 'data must be "source" when publishing a new copy.', "/data");
      const a = attributesOf(b, false);
      if (isResponse(a)) return a;
      const now = ctx.now().toISOString();
      if (b.moveApp === true) {
        if (typeof b.originAppId !== "string")
          return badRequest("APPS-400", "originAppId is required when moveApp is true.", "/originAppId");
        src.spaceId = space.id;
        src.published = true;
        src.publishTime = now;
        src.originAppId = b.originAppId;
        markPublished(req.tenant.docs.get(src.id)!);
        touchApp(ctx, req.tenant, src);
        return json(200, nxApp(req.tenant, src));
      }
      const id = ctx.newId("uuid");
      const doc = cloneAppDocument(req.tenant.docs.get(src.id)!, id);
      markPublished(doc);
      doc.savedRevision = doc.revision;
      const app = createAppRecord(ctx, req.tenant, {
        id,
        name: (a.name as string | undefined) ?? src.name,
        description: (a.description as string | undefined) ?? src.description,
        spaceId: space.id,
        ownerId: req.principal!.userId,
        doc,
        published: true,
        publishTime: now,
        originAppId: src.id,
      });
      publishWindows(req.tenant).set(app.id, ctx.now().getTime() + ctx.timings.publishAccessWindowMs);
      ctx.emitEvent(req.tenant, "com.qlik.v1.app.published", {
        id: app.id,
        name: app.name,
        originAppId: src.id,
        spaceId: space.id,
      });
      return json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "PUT",
    pattern: "/api/v1/apps/:appId/publish",
    tier: "tier2",
    handler: (req) => {
      const src = getApp(ctx, req);
      if (isResponse(src)) return src;
      const b = objectBody(req);
      if (!b) return badRequest("APPS-400", "The request body must be a JSON object with targetId.");
      if (typeof b.targetId !== "string" || b.targetId === "")
        return badRequest("APPS-400", "targetId is required.", "/targetId");
      if (b.data !== undefined && b.data !== "source" && b.data !== "target")
        return badRequest("APPS-400", 'data must be "source" or "target".', "/data");
      const a = attributesOf(b, false);
      if (isResponse(a)) return a;
      if (src.published)
        return badRequest("APPS-400", `App '${src.id}' is a published app; republish from its source app.`);
      const target = req.tenant.apps.get(b.targetId);
      const targetDoc = target ? req.tenant.docs.get(target.id) : undefined;
      if (!target || !targetDoc) return notFound("APPS-404", `Target app '${b.targetId}' was not found.`);
      if (isInAccessWindow(ctx, req.tenant, target.id))
        return forbidden(
          "APPS-403",
          `Access to app '${target.id}' is not yet available; it was just published. Retry shortly.`,
        );
      const space = target.spaceId ? req.tenant.spaces.get(target.spaceId) : undefined;
      if (!target.published || space?.type !== "managed")
        return badRequest(
          "APPS-400",
          `Target app '${target.id}' is not a published app in a managed space.`,
          "/targetId",
        );
      if (b.checkOriginAppId !== false && target.originAppId !== src.id)
        return badRequest(
          "APPS-400",
          `Target app '${target.id}' was not published from app '${src.id}'.`,
          "/targetId",
        );
      const fresh = cloneAppDocument(req.tenant.docs.get(src.id)!, target.id);
      markPublished(fresh);
      // Community content (private, not approved) that consumers created in the published app stays.
      for (const [id, o] of targetDoc.objects)
        if (!o.approved && !fresh.objects.has(id)) fresh.objects.set(id, o);
      for (const [id, o] of targetDoc.bookmarks)
        if (!o.approved && !fresh.bookmarks.has(id)) fresh.bookmarks.set(id, o);
      if (b.data === "target") {
        fresh.tables = targetDoc.tables;
        fresh.scriptVariables = targetDoc.scriptVariables;
        fresh.lastReloadTime = targetDoc.lastReloadTime;
      }
      fresh.revision = targetDoc.revision;
      replaceContent(targetDoc, fresh);
      if (typeof a.name === "string") target.name = a.name;
      if (typeof a.description === "string") target.description = a.description;
      targetDoc.appProperties = {
        ...targetDoc.appProperties,
        qTitle: target.name,
        description: target.description,
      };
      target.publishTime = ctx.now().toISOString();
      target.modifiedDate = target.publishTime;
      upsertAppItem(ctx, req.tenant, target);
      ctx.emitEvent(req.tenant, "com.qlik.v1.app.published", {
        id: target.id,
        name: target.name,
        originAppId: src.id,
        spaceId: target.spaceId ?? "",
      });
      return json(200, nxApp(req.tenant, target));
    },
  });

  routes.add({
    method: "PUT",
    pattern: "/api/v1/apps/:appId/space",
    tier: "tier2",
    handler: (req) => {
      const app = getApp(ctx, req);
      if (isResponse(app)) return app;
      const b = objectBody(req);
      if (!b || typeof b.spaceId !== "string" || b.spaceId === "")
        return badRequest("APPS-400", "spaceId is required.", "/spaceId");
      if (app.published)
        return forbidden("APPS-403", `App '${app.id}' is published in a managed space and cannot be moved.`);
      const space = targetSpace(req, b.spaceId, "move");
      if (isResponse(space)) return space;
      app.spaceId = space?.id ?? null;
      touchApp(ctx, req.tenant, app);
      return json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "DELETE",
    pattern: "/api/v1/apps/:appId/space",
    tier: "tier2",
    handler: (req) => {
      const app = getApp(ctx, req);
      if (isResponse(app)) return app;
      if (app.published)
        return forbidden("APPS-403", `App '${app.id}' is published in a managed space and cannot be moved.`);
      app.spaceId = null;
      touchApp(ctx, req.tenant, app);
      return json(200, nxApp(req.tenant, app));
    },
  });

  routes.add({
    method: "PUT",
    pattern: "/api/v1/apps/:appId/owner",
    tier: "tier2",
    handler: (req) => {
      const app = getApp(ctx, req);
      if (isResponse(app)) return app;
      const b = objectBody(req);
      const ownerId = b?.ownerId;
      const user = typeof ownerId === "string" ? req.tenant.users.get(ownerId) : undefined;
      if (!user || user.status === "deleted")
        return badRequest("APPS-400", `ownerId '${String(ownerId)}' is not an existing user.`, "/ownerId");
      app.ownerId = user.id;
      touchApp(ctx, req.tenant, app);
      return json(200, nxApp(req.tenant, app));
    },
  });

  // ---------------------------------------------------------------- temporary contents

  routes.add({
    method: "GET",
    pattern: "/api/v1/temp-contents/:id",
    tier: "tier1",
    handler: (req) => {
      const c = tempContents(req.tenant).get(req.params.id);
      if (!c) return notFound("TEMP-CONTENTS-404", `Temporary content '${req.params.id}' was not found.`);
      return {
        status: 200,
        raw: c.data,
        headers: {
          "content-type": "application/octet-stream",
          "content-disposition": `attachment; filename="${c.name.replace(/["\\\r\n]/g, "_")}"`,
        },
      };
    },
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/temp-contents",
    tier: "tier2",
    handler: (req) => {
      const filename = req.query.get("filename") ?? "upload";
      if (req.rawBody.length === 0) return badRequest("TEMP-CONTENTS-400", "The request body is empty.");
      const c: TempContent = {
        id: ctx.newId("hex"),
        name: filename,
        data: Buffer.from(req.rawBody),
        createdAt: ctx.now().toISOString(),
        ownerId: req.principal!.userId,
      };
      tempContents(req.tenant).set(c.id, c);
      return { status: 201, headers: { location: `${req.baseUrl}/api/v1/temp-contents/${c.id}` } };
    },
  });
};
