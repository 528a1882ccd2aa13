/** Generic object trees (sheets and their children) in the app or in one connection's session. */
import type { JsonObject, ObjectRecord } from "../model/app-document.ts";
import type { CallContext } from "./context.ts";
import { invalidParams, QixError, QixErrorCode } from "./errors.ts";
import { cloneJson, givenId, isPlainObject, newObjectRecord, normalizeProps } from "./records.ts";

export type ObjectStore = Map<string, ObjectRecord>;

export function storeFor(ctx: CallContext, session: boolean): ObjectStore {
  return session ? ctx.sessionObjects : ctx.doc.objects;
}

export function childrenOf(store: ObjectStore, rec: ObjectRecord): ObjectRecord[] {
  return rec.childIds.map((id) => store.get(id)).filter((c): c is ObjectRecord => c !== undefined);
}

/** Creates an object (and registers it with its parent). Fails when an explicitly given id is taken. */
export function createObjectRecord(
  ctx: CallContext,
  store: ObjectStore,
  rawProps: unknown,
  parent: ObjectRecord | null,
): ObjectRecord {
  if (!isPlainObject(rawProps)) throw invalidParams("qProp");
  const wanted = givenId(rawProps);
  const id = ctx.newId(wanted);
  if (wanted && id !== wanted) {
    throw new QixError(QixErrorCode.ALREADY_EXISTS, "Object already exists", wanted);
  }
  const props = normalizeProps(rawProps, id, undefined);
  const rec = newObjectRecord(ctx, id, props, parent ? parent.id : null);
  store.set(id, rec);
  if (parent) parent.childIds.push(id);
  return rec;
}

/** Removes an object and its descendants; returns the removed ids. */
export function destroyObjectTree(store: ObjectStore, id: string): string[] {
  const rec = store.get(id);
  if (!rec) return [];
  const removed: string[] = [];
  const walk = (r: ObjectRecord) => {
    for (const c of childrenOf(store, r)) walk(c);
    store.delete(r.id);
    removed.push(r.id);
  };
  walk(rec);
  if (rec.parentId) {
    const parent = store.get(rec.parentId);
    if (parent) parent.childIds = parent.childIds.filter((c) => c !== id);
  }
  return removed;
}

export function fullPropertyTree(store: ObjectStore, rec: ObjectRecord): JsonObject {
  return {
    qProperty: cloneJson(rec.properties),
    qChildren: childrenOf(store, rec).map((c) => fullPropertyTree(store, c)),
    qEmbeddedSnapshotRef: null,
  };
}

function isAncestorOrSelf(store: ObjectStore, candidate: string, rec: ObjectRecord): boolean {
  for (
    let cur: ObjectRecord | undefined = rec;
    cur;
    cur = cur.parentId ? store.get(cur.parentId) : undefined
  ) {
    if (cur.id === candidate) return true;
  }
  return false;
}

/**
 * Makes `rec` and its subtree match `entry` (GenericObjectEntry): sets properties, creates missing
 * children, updates existing ones, destroys children that are not listed, and keeps the given order.
 * Returns removed ids.
 */
export function applyFullPropertyTree(
  ctx: CallContext,
  store: ObjectStore,
  rec: ObjectRecord,
  entry: unknown,
): string[] {
  if (!isPlainObject(entry) || !isPlainObject(entry.qProperty)) throw invalidParams("qPropEntry");
  const removed: string[] = [];
  const props = normalizeProps(entry.qProperty, rec.id, rec.type, "qPropEntry.qProperty");
  rec.properties = props;
  rec.type = String((props.qInfo as JsonObject).qType);
  rec.modifiedDate = ctx.nowIso();
  const wanted = Array.isArray(entry.qChildren) ? entry.qChildren : [];
  const wantedIds = new Set(wanted.map((c) => (isPlainObject(c) ? givenId(c.qProperty) : undefined)));
  for (const cid of [...rec.childIds]) {
    if (!wantedIds.has(cid)) removed.push(...destroyObjectTree(store, cid));
  }
  const order: string[] = [];
  for (const childEntry of wanted) {
    if (!isPlainObject(childEntry) || !isPlainObject(childEntry.qProperty)) throw invalidParams("qChildren");
    const cid = givenId(childEntry.qProperty);
    let child = cid ? store.get(cid) : undefined;
    if (child && child.parentId !== rec.id) {
      if (isAncestorOrSelf(store, child.id, rec)) {
        child = undefined; // would create a cycle: the entry becomes a new object
      } else {
        if (child.parentId) {
          const oldParent = store.get(child.parentId);
          if (oldParent) oldParent.childIds = oldParent.childIds.filter((x) => x !== child?.id);
        }
        child.parentId = rec.id;
      }
    }
    if (!child) {
      const id = ctx.newId(cid);
      const childProps = normalizeProps(childEntry.qProperty, id, undefined, "qChildren.qProperty");
      child = newObjectRecord(ctx, id, childProps, rec.id);
      store.set(id, child);
    }
    removed.push(...applyFullPropertyTree(ctx, store, child, childEntry));
    order.push(child.id);
  }
  rec.childIds = order;
  return removed;
}

/** Sets `published` (and optionally `approved`) on an object and its descendants. */
export function setFlagTree(
  store: ObjectStore,
  rec: ObjectRecord,
  flag: "published" | "approved",
  value: boolean,
) {
  rec[flag] = value;
  for (const c of childrenOf(store, rec)) setFlagTree(store, c, flag, value);
}

/** Id of the top-level ancestor. */
export function rootOf(store: ObjectStore, rec: ObjectRecord): ObjectRecord {
  let cur = rec;
  while (cur.parentId) {
    const p = store.get(cur.parentId);
    if (!p) break;
    cur = p;
  }
  return cur;
}
