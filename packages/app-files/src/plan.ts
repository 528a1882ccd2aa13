/** Planning a build: the ordered operations that make an app's content equal to the files. */
import { canonicalJson } from "@qlik-cicd/common";
import type { AppTree } from "./app-tree.ts";
import { bookmarkProperties, selectionDigest, selectionsOf } from "./bookmark-state.ts";
import { sameJson } from "./canonical.ts";
import { infoOf, titleOf, type AppConnection, type JsonObject, type ObjectEntry } from "./types.ts";

export type OperationKind =
  "connection" | "dimension" | "variable" | "measure" | "object" | "bookmark" | "script" | "app-properties";

export type OperationAction = "create" | "update" | "delete";

/**
 * The order build applies kinds in: dependencies first, then script and app properties, and bookmarks
 * last — a bookmark captures selections on the app's data, so it is made once the app is complete
 * (and, when it selects values, reloaded).
 */
export const OPERATION_ORDER: readonly OperationKind[] = [
  "connection",
  "dimension",
  "variable",
  "measure",
  "object",
  "script",
  "app-properties",
  "bookmark",
];

export interface BuildOperation {
  kind: OperationKind;
  action: OperationAction;
  /** qInfo.qId; the connection name for connections; "script" / "app-properties" for those. */
  id: string;
  title: string;
  /** qInfo.qType of objects (sheet, barchart, …). */
  type?: string;
  /** Desired content for create and update. */
  value?: JsonObject | ObjectEntry | AppConnection | string;
  /**
   * Bookmark updates whose selections changed: the engine cannot change a bookmark's captured
   * selections, so the bookmark is destroyed and created again (same id).
   */
  recreate?: boolean;
}

export interface BuildPlan {
  operations: BuildOperation[];
  changed: boolean;
  /** Entities in the app but not in the files, kept because prune is off. */
  kept: { kind: OperationKind; id: string; title: string }[];
}

export interface PlanOptions {
  /** Delete master items, variables, objects and bookmarks the files do not have (default true). */
  prune?: boolean;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Keyed<T> {
  key: string;
  id: string;
  title: string;
  type?: string;
  value: T;
}

function diffKind<T>(
  kind: OperationKind,
  current: Keyed<T>[],
  desired: Keyed<T>[],
  prune: boolean,
  equal: (a: T, b: T) => boolean,
  updateValue: (cur: Keyed<T>, want: Keyed<T>) => T,
  mustDelete: (cur: Keyed<T>) => boolean = () => false,
): { ops: BuildOperation[]; kept: BuildPlan["kept"] } {
  const cur = new Map(current.map((c) => [c.key, c]));
  const want = new Map(desired.map((d) => [d.key, d]));
  const deletes: BuildOperation[] = [];
  const updates: BuildOperation[] = [];
  const creates: BuildOperation[] = [];
  const kept: BuildPlan["kept"] = [];
  for (const c of current) {
    if (want.has(c.key)) continue;
    if (prune || mustDelete(c))
      deletes.push({ kind, action: "delete", id: c.id, title: c.title, type: c.type });
    else kept.push({ kind, id: c.id, title: c.title });
  }
  for (const d of desired) {
    const c = cur.get(d.key);
    if (!c) {
      creates.push({
        kind,
        action: "create",
        id: d.id,
        title: d.title,
        type: d.type,
        value: d.value as never,
      });
    } else if (!equal(c.value, d.value)) {
      updates.push({
        kind,
        action: "update",
        id: c.id,
        title: d.title,
        type: d.type,
        value: updateValue(c, d) as never,
      });
    }
  }
  const byId = (a: BuildOperation, b: BuildOperation) => cmp(a.id, b.id);
  return { ops: [...deletes.sort(byId), ...updates.sort(byId), ...creates.sort(byId)], kept };
}

const keyedById = (list: readonly JsonObject[]): Keyed<JsonObject>[] =>
  list.map((p) => ({ key: infoOf(p).id, id: infoOf(p).id, title: titleOf(p), value: p }));

function withoutId(p: JsonObject): JsonObject {
  const info = p.qInfo;
  if (!info || typeof info !== "object" || Array.isArray(info)) return p;
  return { ...p, qInfo: { ...info, qId: "" } };
}

function collectIds(entries: readonly ObjectEntry[], into: Set<string>): Set<string> {
  for (const e of entries) {
    into.add(infoOf(e.qProperty).id);
    collectIds(e.qChildren, into);
  }
  return into;
}

/**
 * Operations that make `current` (an unbuilt live app) equal to `desired` (the files), in build
 * order: connections, dimensions, variables, measures, objects, script, app properties, bookmarks.
 * Within a kind: deletes, then updates, then creates, each by id. Kinds the files do not manage are
 * left alone; connections are created or updated but never deleted (they are shared in a space).
 * Equal content gives an empty plan.
 */
export function planBuild(current: AppTree, desired: AppTree, options: PlanOptions = {}): BuildPlan {
  const prune = options.prune ?? true;
  const operations: BuildOperation[] = [];
  const kept: BuildPlan["kept"] = [];
  const add = (r: { ops: BuildOperation[]; kept: BuildPlan["kept"] }) => {
    operations.push(...r.ops);
    kept.push(...r.kept);
  };
  const d = desired.content;
  const replace = <T>(_c: Keyed<T>, w: Keyed<T>) => w.value;

  if (d.connections) {
    const key = (c: AppConnection): Keyed<AppConnection> => ({
      key: c.name,
      id: c.name,
      title: c.name,
      value: c,
    });
    // Connections are never pruned: they belong to the space and other apps may use them.
    const r = diffKind(
      "connection",
      current.connections.map(key),
      d.connections.map(key),
      false,
      sameJson,
      replace,
    );
    add({ ops: r.ops, kept: [] });
  }
  if (d.dimensions) {
    add(
      diffKind("dimension", keyedById(current.dimensions), keyedById(d.dimensions), prune, sameJson, replace),
    );
  }
  if (d.variables) {
    // Variables are identified by name (unique in an app); an update keeps the app's variable id.
    const keyed = (list: readonly JsonObject[]): Keyed<JsonObject>[] =>
      list.map((p) => ({ key: String(p.qName), id: infoOf(p).id, title: String(p.qName), value: p }));
    const result = diffKind(
      "variable",
      keyed(current.variables),
      keyed(d.variables),
      prune,
      (a, b) => sameJson(withoutId(a), withoutId(b)),
      (c, w) => ({ ...w.value, qInfo: { ...(w.value.qInfo as JsonObject), qId: c.id } }),
    );
    // A new variable whose id another (kept) variable still holds gets a fresh id from the engine.
    const deleted = new Set(result.ops.filter((o) => o.action === "delete").map((o) => o.id));
    const taken = new Set(current.variables.map((v) => infoOf(v).id).filter((id) => !deleted.has(id)));
    for (const op of result.ops) {
      if (op.action === "create" && taken.has(op.id)) op.value = withoutId(op.value as JsonObject);
    }
    add(result);
  }
  if (d.measures) {
    add(diffKind("measure", keyedById(current.measures), keyedById(d.measures), prune, sameJson, replace));
  }
  if (d.objects) {
    const keyed = (list: readonly ObjectEntry[]): Keyed<ObjectEntry>[] =>
      list.map((e) => {
        const { id, type } = infoOf(e.qProperty);
        return { key: id, id, type, title: titleOf(e.qProperty), value: e };
      });
    // An object that moves under another parent must leave its old place first, prune or not.
    const desiredIds = collectIds(d.objects, new Set());
    add(
      diffKind("object", keyed(current.objects), keyed(d.objects), prune, sameJson, replace, (c) =>
        desiredIds.has(c.id),
      ),
    );
  }
  if (d.script !== undefined && d.script !== (current.script ?? "")) {
    operations.push({
      kind: "script",
      action: "update",
      id: "script",
      title: "Load script",
      value: d.script,
    });
  }
  if (d.appProperties && canonicalJson(d.appProperties) !== canonicalJson(current.appProperties ?? {})) {
    operations.push({
      kind: "app-properties",
      action: "update",
      id: "app-properties",
      title: "App properties",
      value: d.appProperties,
    });
  }
  operations.push(...bookmarkOperations(current, desired, prune, kept));
  return { operations, changed: operations.length > 0, kept };
}

/**
 * Bookmarks: equal when their properties are equal and their selections are — or when a build
 * recorded that it made this bookmark from these very selections and the engine still holds what it
 * captured then (values the data lacks cannot be selected; see SELECTION_RECORD_KEY).
 */
function bookmarkOperations(
  current: AppTree,
  desired: AppTree,
  prune: boolean,
  kept: BuildPlan["kept"],
): BuildOperation[] {
  if (!desired.content.bookmarks) return [];
  const selectionsMatch = (cur: JsonObject, want: JsonObject): boolean => {
    const have = selectionsOf(cur);
    const wanted = selectionsOf(want);
    if (sameJson(have ?? null, wanted ?? null)) return true;
    const record = current.bookmarkRecords.get(infoOf(cur).id);
    return (
      wanted !== undefined &&
      record?.requested === selectionDigest(wanted) &&
      record.captured === selectionDigest(have)
    );
  };
  const equal = (cur: JsonObject, want: JsonObject) =>
    sameJson(bookmarkProperties(cur), bookmarkProperties(want)) && selectionsMatch(cur, want);
  const result = diffKind(
    "bookmark",
    keyedById(current.bookmarks),
    keyedById(desired.content.bookmarks),
    prune,
    equal,
    (_c, w) => w.value,
  );
  for (const op of result.ops) {
    const cur = current.bookmark(op.id);
    if (op.action === "update" && cur && !selectionsMatch(cur, op.value as JsonObject)) op.recreate = true;
  }
  kept.push(...result.kept);
  return result.ops;
}

/** Bookmark operations that capture selections on the app's data: creates and re-creates with selections. */
export function bookmarksSelectingData(operations: readonly BuildOperation[]): BuildOperation[] {
  return operations.filter(
    (op) =>
      op.kind === "bookmark" &&
      (op.action === "create" || op.recreate === true) &&
      selectionsOf(op.value as JsonObject)?.qStateData !== undefined,
  );
}

/** Operations without their content: what dry-run output and job summaries show. */
export function summarizeOperations(operations: readonly BuildOperation[]): Omit<BuildOperation, "value">[] {
  return operations.map(({ kind, action, id, title, type }) =>
    type ? { kind, action, id, title, type } : { kind, action, id, title },
  );
}
