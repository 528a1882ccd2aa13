/** Build: make an open app converge to an AppTree (create, update, delete), then reload and save. */
import { CicdError, silentLogger, type Logger } from "@qlik-cicd/common";
import type { AppTree } from "./app-tree.ts";
import {
  applyBookmarkOperations,
  standingSelectionWarnings,
  type BookmarkWarning,
} from "./bookmark-build.ts";
import type { QixDoc } from "./doc.ts";
import {
  bookmarksSelectingData,
  OPERATION_ORDER,
  planBuild,
  summarizeOperations,
  type BuildOperation,
  type BuildPlan,
  type OperationAction,
} from "./plan.ts";
import type { AppConnection, JsonObject, ObjectEntry } from "./types.ts";
import { readLiveApp } from "./unbuild.ts";

export interface BuildOptions {
  /** Delete master items, variables, objects and bookmarks the files do not have (default true). */
  prune?: boolean;
  /**
   * Run the load script after applying changes (default false), before bookmarks are created so
   * their selections find the data. Skipped when nothing changed.
   */
  reload?: boolean;
  /**
   * Reload before creating bookmarks that select values, when `reload` is off (default: `reload`).
   * For callers that reload the app another way afterwards but need the data for the bookmarks now.
   */
  reloadForBookmarks?: boolean;
  /**
   * Called once the app's content (everything but bookmarks) is applied, before the reload and the
   * bookmarks: e.g. to set connection credentials the reload needs. Not called when nothing changes.
   */
  beforeBookmarks?: () => Promise<void>;
  /** Save the app after a change (default true). */
  save?: boolean;
  logger?: Logger;
}

export interface ReloadOutcome {
  ok: boolean;
  /** Why it failed, when the engine said so. */
  error?: string;
}

export interface BuildResult {
  changed: boolean;
  /** What was applied, in order, without content. */
  operations: Omit<BuildOperation, "value">[];
  /** Entities kept in the app although the files do not have them (prune off). */
  kept: BuildPlan["kept"];
  reload?: ReloadOutcome;
  saved: boolean;
  /**
   * Handles the build opened (created or updated entities), by `<kind>/<id>`, e.g. `measure/m1`:
   * callers that go on working on those entities in the same session need not ask for them again.
   */
  openedHandles: ReadonlyMap<string, unknown>;
  /** What bookmarks could not get: values the data lacks, variables the app lacks, … (also logged). */
  warnings: BookmarkWarning[];
}

/** A QIX call failed while applying one operation; earlier operations stay applied. */
export class BuildError extends CicdError {
  readonly operation: Omit<BuildOperation, "value">;
  constructor(operation: BuildOperation, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Could not ${operation.action} ${operation.kind} "${operation.title}" (${operation.id}): ${reason}`,
      {
        cause,
        hint: "The app was not saved; fix the cause and build again.",
      },
    );
    const { kind, action, id, title, type } = operation;
    this.operation = type ? { kind, action, id, title, type } : { kind, action, id, title };
  }
}

/** Applies one operation; returns the handle it opened on the entity, if any. */
async function apply(doc: QixDoc, op: BuildOperation, connectionIds: Map<string, string>): Promise<unknown> {
  const props = op.value as JsonObject;
  switch (op.kind) {
    case "connection": {
      const c = op.value as AppConnection;
      const def = { qName: c.name, qConnectionString: c.connectionString, qType: c.type };
      if (op.action === "create") await doc.createConnection(def);
      else {
        const id = connectionIds.get(c.name);
        if (!id) throw new Error("the engine did not report this connection's id");
        await doc.modifyConnection(id, { ...def, qId: id }, false);
      }
      return;
    }
    case "dimension": {
      if (op.action === "delete") return void (await doc.destroyDimension(op.id));
      if (op.action === "create") return doc.createDimension(props);
      const handle = await doc.getDimension(op.id);
      await handle.setProperties(props);
      return handle;
    }
    case "measure": {
      if (op.action === "delete") return void (await doc.destroyMeasure(op.id));
      if (op.action === "create") return doc.createMeasure(props);
      const handle = await doc.getMeasure(op.id);
      await handle.setProperties(props);
      return handle;
    }
    case "variable": {
      if (op.action === "delete") return void (await doc.destroyVariableById(op.id));
      if (op.action === "create") return doc.createVariableEx(props);
      const handle = await doc.getVariableById(op.id);
      await handle.setProperties(props);
      return handle;
    }
    case "bookmark":
      throw new Error("bookmarks are applied by applyBookmarkOperations");
    case "object": {
      const entry = op.value as ObjectEntry;
      if (op.action === "delete") return void (await doc.destroyObject(op.id));
      const handle =
        op.action === "create" ? await doc.createObject(entry.qProperty) : await doc.getObject(op.id);
      if (op.action === "update" || entry.qChildren.length > 0) await handle.setFullPropertyTree(entry);
      return handle;
    }
    case "script":
      await doc.setScript(op.value as string);
      return;
    case "app-properties":
      await doc.setAppProperties(props);
      return;
  }
}

/**
 * Applies a plan to `doc`: kind by kind in build order; inside a kind deletes, then updates, then
 * creates, each group sent together (pipelined). Bookmarks come last and are created one by one (each
 * captures the session's selections, which build reproduces first); what they could not get is added
 * to `warnings`. Exposed for callers that planned already.
 */
export async function applyPlan(
  doc: QixDoc,
  plan: BuildPlan,
  connectionIds: Map<string, string> = new Map(),
  logger: Logger = silentLogger,
  warnings: BookmarkWarning[] = [],
): Promise<Map<string, unknown>> {
  const opened = new Map<string, unknown>();
  const phases: OperationAction[] = ["delete", "update", "create"];
  for (const kind of OPERATION_ORDER) {
    const ofKind = plan.operations.filter((op) => op.kind === kind);
    if (ofKind.length === 0) continue;
    if (kind === "bookmark") {
      await applyBookmarkOperations(doc, ofKind, opened, logger, warnings, (op, error) => {
        throw new BuildError(op, error);
      });
      logger.info(`Applied ${ofKind.length} bookmark change${ofKind.length === 1 ? "" : "s"}`);
      continue;
    }
    for (const action of phases) {
      const group = ofKind.filter((op) => op.action === action);
      if (group.length === 0) continue;
      await Promise.all(
        group.map((op) =>
          apply(doc, op, connectionIds).then(
            (handle) => {
              if (handle) opened.set(`${op.kind}/${op.id}`, handle);
            },
            (error: unknown) => {
              throw new BuildError(op, error);
            },
          ),
        ),
      );
      logger.info(
        `${action}d ${group.length} ${kind}${group.length === 1 ? "" : "s"}`.replace(/^(\w)/, (c) =>
          c.toUpperCase(),
        ),
      );
    }
  }
  return opened;
}

/**
 * Makes the app open in `doc` converge to `desired`: unbuilds it, plans, applies the plan in build
 * order (optionally reloading before the bookmarks), and saves. Unchanged input makes no write at all
 * (no reload, no save).
 */
export async function buildApp(
  doc: QixDoc,
  desired: AppTree,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const logger = options.logger ?? silentLogger;
  const live = await readLiveApp(doc, { logger });
  const plan = planBuild(live.tree, desired, { prune: options.prune ?? true });
  const warnings = standingSelectionWarnings(live.tree, desired);
  for (const w of warnings) logger.warn(w.message);
  if (!plan.changed) {
    logger.info("The app already matches the files; nothing to do.");
    return {
      changed: false,
      operations: [],
      kept: plan.kept,
      saved: false,
      openedHandles: new Map(),
      warnings,
    };
  }
  const content = plan.operations.filter((op) => op.kind !== "bookmark");
  const bookmarks = plan.operations.filter((op) => op.kind === "bookmark");
  const openedHandles = await applyPlan(doc, { ...plan, operations: content }, live.connectionIds, logger);
  await options.beforeBookmarks?.();

  let reload: ReloadOutcome | undefined;
  const selecting = bookmarksSelectingData(bookmarks);
  if (options.reload || (selecting.length > 0 && (options.reloadForBookmarks ?? false))) {
    reload = await reloadNow(doc, logger);
  } else if (selecting.length > 0) {
    const noData = ((await doc.getAppLayout()) as { qHasData?: boolean }).qHasData === false;
    const message =
      `Reload is off: ${selecting.length} bookmark${selecting.length === 1 ? "" : "s"} with selections ` +
      `(${selecting.map((op) => `'${op.title}'`).join(", ")}) ${selecting.length === 1 ? "is" : "are"} created on ` +
      (noData
        ? "an app that holds no data, so none of their values can be selected; turn reload on to keep their selections."
        : "the data the app holds now; values it lacks are reported below.");
    warnings.push({ bookmarkId: "", bookmark: "", message });
    logger.warn(message);
  }
  const bookmarkHandles = await applyPlan(
    doc,
    { ...plan, operations: bookmarks },
    live.connectionIds,
    logger,
    warnings,
  );
  for (const [key, handle] of bookmarkHandles) openedHandles.set(key, handle);

  let saved = false;
  if (options.save ?? true) {
    await doc.doSave();
    saved = true;
  }
  return {
    changed: true,
    operations: summarizeOperations(plan.operations),
    kept: plan.kept,
    ...(reload ? { reload } : {}),
    saved,
    openedHandles,
    warnings,
  };
}

async function reloadNow(doc: QixDoc, logger: Logger): Promise<ReloadOutcome> {
  let reload: ReloadOutcome;
  try {
    const ok = await doc.doReload();
    reload = ok ? { ok } : { ok, error: "The load script failed; see the reload log in Qlik Cloud." };
  } catch (error) {
    reload = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (reload.ok) logger.info("Reload succeeded.");
  else logger.error(`Reload failed: ${reload.error}`);
  return reload;
}
