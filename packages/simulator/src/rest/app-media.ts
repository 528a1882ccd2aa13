/**
 * App media files (`/api/v1/apps/{appId}/media/files/{path}`): bytes stored with an app by path, as
 * Qlik's apps API describes them — GET answers the bytes (404 when absent), PUT stores new ones (409 when
 * the path is taken; delete first to replace), DELETE removes them. They are part of the app's content,
 * so copy, publish, republish, export and import carry them. Paths are one segment here (no folders).
 */
import type { RouteModule, SimContext, SimRequest, SimResponse } from "../http/types.ts";
import type { AppDocument } from "../model/app-document.ts";
import { badRequest, conflict, forbidden, isResponse, notFound } from "./http-helpers.ts";
import { isInAccessWindow } from "./store.ts";

/** Largest media file the simulator keeps (Qlik's limit for app media is in the same range). */
const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

function appDocument(ctx: SimContext, req: SimRequest): AppDocument | SimResponse {
  const app = req.tenant.apps.get(req.params.appId);
  const doc = app ? req.tenant.docs.get(app.id) : undefined;
  if (!app || !doc) return notFound("APPS-404", `App '${req.params.appId}' was not found.`);
  if (isInAccessWindow(ctx, req.tenant, app.id))
    return forbidden(
      "APPS-403",
      `Access to app '${app.id}' is not yet available; it was just published. Retry shortly.`,
    );
  return doc;
}

export const appMediaRouteModule: RouteModule = (routes, ctx) => {
  const pattern = "/api/v1/apps/:appId/media/files/:path";

  routes.add({
    method: "GET",
    pattern,
    tier: "tier1",
    handler: (req) => {
      const doc = appDocument(ctx, req);
      if (isResponse(doc)) return doc;
      const bytes = doc.media.get(req.params.path);
      if (!bytes) return notFound("APPS-404", `Media file '${req.params.path}' was not found.`);
      return { status: 200, raw: bytes, headers: { "content-type": "application/octet-stream" } };
    },
  });

  routes.add({
    method: "PUT",
    pattern,
    tier: "tier2",
    handler: (req) => {
      const doc = appDocument(ctx, req);
      if (isResponse(doc)) return doc;
      const path = req.params.path;
      if (doc.media.has(path))
        return conflict(
          "APPS-409",
          `Media file '${path}' already exists; delete it before storing a new one.`,
        );
      if (req.rawBody.length === 0)
        return badRequest("APPS-400", "The request body must be the file's bytes.");
      if (req.rawBody.length > MAX_MEDIA_BYTES)
        return badRequest("APPS-400", `Media files are limited to ${MAX_MEDIA_BYTES} bytes.`);
      doc.media.set(path, Buffer.from(req.rawBody));
      doc.revision += 1;
      doc.savedRevision = doc.revision;
      return { status: 200, body: {} };
    },
  });

  routes.add({
    method: "DELETE",
    pattern,
    tier: "tier2",
    handler: (req) => {
      const doc = appDocument(ctx, req);
      if (isResponse(doc)) return doc;
      if (!doc.media.delete(req.params.path))
        return notFound("APPS-404", `Media file '${req.params.path}' was not found.`);
      doc.revision += 1;
      doc.savedRevision = doc.revision;
      return { status: 200, body: {} };
    },
  });
};
