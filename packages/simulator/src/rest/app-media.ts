/**
 * App media files (`/api/v1/apps/{appId}/media/files/{path}`): bytes stored with an app by path, as
 * Qlik's apps API describes them — GET answers the bytes (404 when absent), PUT stores new ones (409 when
 * the path is taken; delete first to replace), DELETE removes them. They are part of the app's content,
 * so copy, publish, republish, export and import carry them. Paths are one segment here (no folders).
 * Qlik's description gives these endpoints' errors no body, so none is sent.
 */
import type { RouteModule, SimContext, SimRequest, SimResponse } from "../http/types.ts";
import type { AppDocument } from "../model/app-document.ts";
import { isResponse } from "./http-helpers.ts";
import { isInAccessWindow } from "./store.ts";

/** Largest media file the simulator keeps (Qlik's limit for app media is in the same range). */
const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

/** An error answer without a body, as Qlik describes the media endpoints' errors. */
const bare = (status: 400 | 403 | 404 | 409): SimResponse => ({ status });

function appDocument(ctx: SimContext, req: SimRequest): AppDocument | SimResponse {
  const app = req.tenant.apps.get(req.params.appId);
  const doc = app ? req.tenant.docs.get(app.id) : undefined;
  if (!app || !doc) return bare(404);
  // Right after a publish the copy answers 403 for a while, as every app endpoint does.
  if (isInAccessWindow(ctx, req.tenant, app.id)) return bare(403);
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
      if (!bytes) return bare(404);
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
      // A taken path is a conflict: the file must be deleted before new bytes are stored there.
      if (doc.media.has(path)) return bare(409);
      if (req.rawBody.length === 0 || req.rawBody.length > MAX_MEDIA_BYTES) return bare(400);
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
      if (!doc.media.delete(req.params.path)) return bare(404);
      doc.revision += 1;
      doc.savedRevision = doc.revision;
      return { status: 200, body: {} };
    },
  });
};
