/**
 * Building bookmarks. The engine has no way to write a bookmark's selections: CreateBookmark captures
 * the session's current selections. So a bookmark is made by clearing the session, reproducing its
 * selections field by field in every state (and its variables' values when it includes variables),
 * creating it, and reading back what the engine captured. Values the data does not hold cannot be
 * selected; they are reported (bookmark, state, field, count), and the bookmark records what it was made
 * from so that later builds do not make it again and again.
 */
import type { Logger } from "@qlik-cicd/common";
import {
  bookmarkProperties,
  canonicalSelectionState,
  DEFAULT_STATE,
  readSelectionRecord,
  selectionDigest,
  selectionGaps,
  selectionsOf,
  SELECTION_RECORD_KEY,
  SELECTIONS_KEY,
  variableGaps,
} from "./bookmark-state.ts";
import type { AppTree } from "./app-tree.ts";
import type { QixBookmarkHandle, QixDoc, QixField, QixFieldValue, QixVariableHandle } from "./doc.ts";
import type { BuildOperation } from "./plan.ts";
import { infoOf, isObject, titleOf, type JsonObject, type JsonValue } from "./types.ts";

/** Something about a bookmark's selections that the app could not give it. */
export interface BookmarkWarning {
  bookmarkId: string;
  /** The bookmark's title. */
  bookmark: string;
  state?: string;
  field?: string;
  /** Values of `field` that could not be selected. */
  missing?: number;
  /** Values of `field` the bookmark selects. */
  requested?: number;
  variable?: string;
  /** One sentence for people. */
  message: string;
}

const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const stateLabel = (state: string) => (state === DEFAULT_STATE ? "" : ` (state '${state}')`);

function label(bookmark: JsonObject): string {
  return `Bookmark '${titleOf(bookmark)}' (${infoOf(bookmark).id})`;
}

/** Warnings for what `captured` lacks of `requested` (both canonical selection states). */
export function selectionWarnings(
  bookmark: JsonObject,
  requested: JsonObject | undefined,
  captured: JsonObject | undefined,
): BookmarkWarning[] {
  const base = { bookmarkId: infoOf(bookmark).id, bookmark: titleOf(bookmark) };
  const warnings: BookmarkWarning[] = selectionGaps(requested, captured).map((gap) => ({
    ...base,
    state: gap.state,
    field: gap.field,
    missing: gap.missing,
    requested: gap.requested,
    message:
      `${label(bookmark)}: ${gap.missing} of ${gap.requested} value${gap.requested === 1 ? "" : "s"} it selects ` +
      `in field '${gap.field}'${stateLabel(gap.state)} ${gap.missing === 1 ? "is" : "are"} not in the app's data, ` +
      "so the bookmark does not select them; reload the app with data that has them, then deploy again.",
  }));
  for (const gap of variableGaps(requested, captured)) {
    warnings.push({
      ...base,
      variable: gap.variable,
      message: `${label(bookmark)}: variable '${gap.variable}' does not hold the value the bookmark keeps for it: the app has no such variable, or the script sets it.`,
    });
  }
  return warnings;
}

/**
 * Warnings for bookmarks a build leaves as they are although the app lacks some of their selections
 * (recorded by an earlier build): reported on every build and deploy, not only the one that made them.
 */
export function standingSelectionWarnings(current: AppTree, desired: AppTree): BookmarkWarning[] {
  const warnings: BookmarkWarning[] = [];
  for (const want of desired.bookmarks) {
    const have = current.bookmark(infoOf(want).id);
    const requested = selectionsOf(want);
    const record = current.bookmarkRecords.get(infoOf(want).id);
    if (!have || !requested || !record || record.requested !== selectionDigest(requested)) continue;
    warnings.push(...selectionWarnings(want, requested, selectionsOf(have)));
  }
  return warnings;
}

/** States other than "$" that the bookmarks select in. */
function statesUsed(bookmarks: JsonObject[]): string[] {
  const names = new Set<string>();
  for (const b of bookmarks) {
    for (const data of list(selectionsOf(b)?.qStateData)) {
      if (isObject(data) && typeof data.qStateName === "string" && data.qStateName !== DEFAULT_STATE) {
        names.add(data.qStateName);
      }
    }
  }
  return [...names].sort();
}

function fieldValues(v: JsonValue | undefined): QixFieldValue[] {
  return list(v).filter(isObject) as QixFieldValue[];
}

/** Makes one field item's selection in the session; false when the field is not in the data model. */
async function selectItem(doc: QixDoc, state: string, item: JsonObject): Promise<boolean> {
  const name = String((item.qDef as JsonObject).qName);
  let field: QixField | null | undefined;
  try {
    // The state goes by name, "$" included: an undefined argument reaches the engine as null, which
    // its description does not allow.
    field = await doc.getField(name, state);
  } catch {
    field = undefined;
  }
  if (!field) return false;
  const info = isObject(item.qSelectInfo) ? item.qSelectInfo : {};
  const values = fieldValues(item.qValues);
  const excluded = fieldValues(item.qExcludedValues);
  if (item.qAndMode === true) await field.setAndMode(true);
  if (typeof info.qTextSearch === "string" && info.qTextSearch !== "") {
    await field.select(info.qTextSearch, true);
  } else if (values.length > 0) {
    await field.selectValues(values, false, true);
  } else if (excluded.length > 0) {
    await field.selectAll(true);
    await field.selectValues(excluded, true, true);
  }
  if (item.qLocked === true) await field.lock();
  if (item.qOneAndOnlyOne === true) await field.setNxProperties({ qOneAndOnlyOne: true });
  return true;
}

interface SessionContext {
  doc: QixDoc;
  /** "$" and every alternate state of the app. */
  states: string[];
  logger: Logger;
  warnings: BookmarkWarning[];
}

async function clearSession(ctx: SessionContext): Promise<void> {
  await Promise.all(ctx.states.map((s) => ctx.doc.clearAll(true, s)));
}

function warn(ctx: SessionContext, warning: BookmarkWarning): void {
  ctx.warnings.push(warning);
  ctx.logger.warn(warning.message);
}

/** Sets the variables a bookmark keeps; returns how to put their properties back. */
async function setVariables(
  ctx: SessionContext,
  bookmark: JsonObject,
  state: JsonObject | undefined,
): Promise<() => Promise<void>> {
  const restore: { handle: QixVariableHandle; props: unknown }[] = [];
  if (bookmark.qIncludeVariables !== true) return async () => {};
  for (const item of list(state?.qVariableItems)) {
    if (!isObject(item) || !isObject(item.qValue)) continue;
    const handle = await ctx.doc.getVariableByName(String(item.qName)).catch(() => undefined);
    if (!handle) continue; // reported from what the engine captured
    // The script sets its own variables on every reload: only the app's variables are the bookmark's.
    const layout = (await handle.getLayout()) as { qIsScriptCreated?: boolean };
    if (layout.qIsScriptCreated === true) continue;
    restore.push({ handle, props: await handle.getProperties() });
    await handle.setStringValue(String(item.qValue.qText ?? ""));
  }
  return async () => {
    await Promise.all(restore.map((r) => r.handle.setProperties(r.props as object)));
  };
}

/** Reproduces a bookmark's selections in the cleared session, creates it and checks what it captured. */
async function createWithSelections(ctx: SessionContext, bookmark: JsonObject): Promise<QixBookmarkHandle> {
  const requested = selectionsOf(bookmark);
  const props = bookmarkProperties(bookmark);
  await clearSession(ctx);
  const missingFields: string[] = [];
  for (const data of list(requested?.qStateData)) {
    if (!isObject(data)) continue;
    const state = String(data.qStateName ?? DEFAULT_STATE);
    for (const item of list(data.qFieldItems)) {
      if (!isObject(item)) continue;
      const info = isObject(item.qSelectInfo) ? item.qSelectInfo : {};
      if (
        info.qRangeLo !== undefined ||
        info.qRangeHi !== undefined ||
        info.qRangeInfo ||
        info.qContinuousRangeInfo
      ) {
        warn(ctx, {
          bookmarkId: infoOf(bookmark).id,
          bookmark: titleOf(bookmark),
          state,
          field: String((item.qDef as JsonObject).qName),
          message: `${label(bookmark)}: the range selection in field '${String((item.qDef as JsonObject).qName)}'${stateLabel(state)} cannot be reproduced; its listed values are selected instead.`,
        });
      }
      if (!(await selectItem(ctx.doc, state, item)))
        missingFields.push(String((item.qDef as JsonObject).qName));
    }
  }
  if (list(requested?.qGroupStates).length > 0) {
    warn(ctx, {
      bookmarkId: infoOf(bookmark).id,
      bookmark: titleOf(bookmark),
      message: `${label(bookmark)}: its cyclic group states cannot be reproduced and are left out.`,
    });
  }
  const restoreVariables = await setVariables(ctx, bookmark, requested);
  let handle: QixBookmarkHandle;
  try {
    handle = await ctx.doc.createBookmark(props);
  } finally {
    await restoreVariables();
  }
  const layout = await handle.getLayout();
  const captured = canonicalSelectionState(
    isObject(layout as JsonValue) ? (layout as JsonObject)[SELECTIONS_KEY] : undefined,
  );
  if (selectionDigest(captured) !== selectionDigest(requested)) {
    for (const w of selectionWarnings(bookmark, requested, captured)) {
      if (w.field && missingFields.includes(w.field)) {
        w.message = `${label(bookmark)}: field '${w.field}'${stateLabel(w.state ?? DEFAULT_STATE)} is not in the app's data model, so the ${w.requested} value${w.requested === 1 ? "" : "s"} it selects there ${w.requested === 1 ? "is" : "are"} left out; reload the app with data that has it, then deploy again.`;
      }
      warn(ctx, w);
    }
    // What it was made from and what it holds: later builds leave it alone while both still match.
    await handle.setProperties({
      ...((await handle.getProperties()) as JsonObject),
      [SELECTION_RECORD_KEY]: { requested: selectionDigest(requested), captured: selectionDigest(captured) },
    });
  }
  return handle;
}

/**
 * Applies bookmark operations (all of one plan): deletes, property-only updates, then creates and
 * re-creates one by one in this session (selections are session state), leaving the session cleared.
 * Missing alternate states the bookmarks select in are added to the app first.
 */
export async function applyBookmarkOperations(
  doc: QixDoc,
  operations: readonly BuildOperation[],
  opened: Map<string, unknown>,
  logger: Logger,
  warnings: BookmarkWarning[],
  onError: (op: BuildOperation, error: unknown) => never,
): Promise<void> {
  const run = async (op: BuildOperation, fn: () => Promise<unknown>) => {
    try {
      const handle = await fn();
      if (handle) opened.set(`bookmark/${op.id}`, handle);
    } catch (error) {
      onError(op, error);
    }
  };
  const deletes = operations.filter((op) => op.action === "delete");
  const updates = operations.filter((op) => op.action === "update" && !op.recreate);
  const creates = operations.filter((op) => op.action === "create" || op.recreate === true);

  await Promise.all(deletes.map((op) => run(op, async () => void (await doc.destroyBookmark(op.id)))));
  await Promise.all(
    updates.map((op) =>
      run(op, async () => {
        // Only the properties changed: the selections (and the record of how they were made) stay.
        const handle = await doc.getBookmark(op.id);
        const record = readSelectionRecord((await handle.getProperties()) as JsonObject);
        const props = bookmarkProperties(op.value as JsonObject);
        await handle.setProperties(record ? { ...props, [SELECTION_RECORD_KEY]: { ...record } } : props);
        return handle;
      }),
    ),
  );
  if (creates.length === 0) return;

  const bookmarks = creates.map((op) => op.value as JsonObject);
  const layout = (await doc.getAppLayout()) as JsonObject;
  const existing = list(layout.qStateNames).filter((s): s is string => typeof s === "string");
  for (const state of statesUsed(bookmarks)) {
    if (existing.includes(state)) continue;
    await doc.addAlternateState(state);
    existing.push(state);
    logger.info(`Added alternate state '${state}' to the app: bookmarks select in it.`);
  }
  const ctx: SessionContext = { doc, states: [DEFAULT_STATE, ...existing], logger, warnings };
  for (const op of creates) {
    await run(op, async () => {
      if (op.recreate) await doc.destroyBookmark(op.id);
      return createWithSelections(ctx, op.value as JsonObject);
    });
  }
  await clearSession(ctx);
}
