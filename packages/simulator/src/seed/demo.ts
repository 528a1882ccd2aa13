/**
 * The demo seed: every initial tenant gets the spaces `development` (shared), `test`, `acceptance` and
 * `production` (managed); the first tenant (or every tenant when asked) also gets the "Sales Analytics"
 * app in `development`, reloaded once so it has a data model (and its bookmark selections on it).
 */
import type { SimContext, TenantState } from "../http/types.ts";
import { createAppRecord, createSpaceRecord } from "../rest/store.ts";
import { bookmarkStateFor } from "../engine/index.ts";
import { engine } from "../qix/gateway.ts";
import { SEED_BOOKMARK, salesAnalyticsDocument } from "./sales-analytics.ts";

const DEMO_SPACES = [
  { name: "development", type: "shared" as const, description: "Where the BI team develops apps." },
  { name: "test", type: "managed" as const, description: "Builds from main, evaluated automatically." },
  { name: "acceptance", type: "managed" as const, description: "Business acceptance before production." },
  { name: "production", type: "managed" as const, description: "What consumers use." },
];

export function seedDemoTenant(
  ctx: SimContext,
  tenant: TenantState,
  opts: { withApp: boolean; ownerId: string },
): void {
  const spaces = DEMO_SPACES.map((s) => createSpaceRecord(ctx, tenant, { ...s, ownerId: opts.ownerId }));
  if (!opts.withApp) return;
  const id = ctx.newId("uuid");
  const doc = salesAnalyticsDocument(id, opts.ownerId);
  const result = engine().runLoadScript(doc, { now: () => ctx.now() });
  if (result.ok) {
    doc.tables = result.tables;
    doc.scriptVariables = result.scriptVariables;
    doc.lastReloadTime = ctx.now().toISOString();
    // As the engine does: the bookmark captures selections made on the loaded data.
    const bookmark = doc.bookmarks.get(SEED_BOOKMARK.id);
    if (bookmark) {
      bookmark.selectionState = bookmarkStateFor(
        doc,
        SEED_BOOKMARK.selections,
        new Date(bookmark.createdDate),
      );
    }
  }
  doc.revision = 1;
  doc.savedRevision = 1;
  createAppRecord(ctx, tenant, {
    id,
    name: "Sales Analytics",
    description: String(doc.appProperties.description ?? ""),
    spaceId: spaces[0].id,
    ownerId: opts.ownerId,
    doc,
  });
}
