/** Helpers for stored properties and the records that hold them. */
import type { EntityRecord, JsonObject, JsonValue, ObjectRecord } from "../model/app-document.ts";
import type { CallContext } from "./context.ts";
import { invalidParams, QixError, QixErrorCode } from "./errors.ts";

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep copy through JSON: what goes in and out of the engine is plain JSON. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Validates and deep-copies given properties, forcing qInfo.qId = id and keeping/setting qInfo.qType. */
export function normalizeProps(
  raw: unknown,
  id: string,
  defaultType: string | undefined,
  param = "qProp",
): JsonObject {
  if (!isPlainObject(raw)) throw invalidParams(param);
  const props = cloneJson(raw) as JsonObject;
  const info = isPlainObject(props.qInfo) ? (props.qInfo as JsonObject) : {};
  const type = typeof info.qType === "string" && info.qType ? info.qType : defaultType;
  if (!type) throw new QixError(QixErrorCode.INVALID_PARAMS, "Invalid Params", "qInfo.qType");
  props.qInfo = { ...info, qId: id, qType: type };
  return props;
}

export function givenId(raw: unknown): string | undefined {
  if (!isPlainObject(raw) || !isPlainObject(raw.qInfo)) return undefined;
  const id = raw.qInfo.qId;
  return typeof id === "string" && id.length > 0 ? id : undefined;
}

/** Resolves a JSON pointer ("/qMetaDef/title") inside a value. */
function pointerGet(value: unknown, pointer: string): unknown {
  if (pointer === "" || pointer === "/") return value;
  const parts = pointer
    .replace(/^\//, "")
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let cur: unknown = value;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isPlainObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

/** Maps a list definition's qData (name → JSON pointer into the item's properties) to values. */
export function resolveQData(def: unknown, props: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (!isPlainObject(def)) return out;
  for (const [key, spec] of Object.entries(def)) {
    if (typeof spec === "string" && spec.startsWith("/")) {
      const v = pointerGet(props, spec);
      if (v !== undefined) out[key] = cloneJson(v) as JsonValue;
    } else if (isPlainObject(spec)) {
      out[key] = resolveQData(spec, props);
    } else if (spec !== undefined) {
      out[key] = cloneJson(spec) as JsonValue;
    }
  }
  return out;
}

/** Privileges the principal has on content of this app, as the layout's qMeta.privileges lists them. */
function privileges(ctx: CallContext): string[] {
  return ctx.canWrite()
    ? ["read", "update", "delete", "exportdata", "publish", "approve", "duplicate"]
    : ["read", "exportdata"];
}

const NEVER = "1753-01-01T00:00:00.000Z";

/** Layout qMeta: title/description/tags from qMetaDef plus the record's volatile fields. */
export function metaOf(ctx: CallContext, rec: EntityRecord): JsonObject {
  const metaDef = isPlainObject(rec.properties.qMetaDef) ? (rec.properties.qMetaDef as JsonObject) : {};
  return {
    title: "",
    description: "",
    tags: [],
    ...cloneJson(metaDef),
    createdDate: rec.createdDate,
    modifiedDate: rec.modifiedDate,
    published: rec.published,
    publishTime: rec.published ? rec.modifiedDate : NEVER,
    approved: rec.approved,
    owner: { id: rec.ownerId, userId: rec.ownerId },
    ownerId: rec.ownerId,
    privileges: privileges(ctx),
  };
}

export function newEntityRecord(ctx: CallContext, id: string, type: string, props: JsonObject): EntityRecord {
  const now = ctx.nowIso();
  return {
    id,
    type,
    properties: props,
    createdDate: now,
    modifiedDate: now,
    ownerId: ctx.session.principal.userId,
    published: false,
    approved: false,
  };
}

export function newObjectRecord(
  ctx: CallContext,
  id: string,
  props: JsonObject,
  parentId: string | null,
): ObjectRecord {
  return {
    ...newEntityRecord(ctx, id, String((props.qInfo as JsonObject).qType), props),
    parentId,
    childIds: [],
  };
}

/** Applies NxPatch operations (add/replace/remove with qPath and a JSON-encoded qValue). */
export function applyPatches(props: JsonObject, patches: unknown): void {
  if (!Array.isArray(patches)) throw invalidParams("qPatches");
  for (const p of patches) {
    if (!isPlainObject(p) || typeof p.qPath !== "string") throw invalidParams("qPatches");
    const op = String(p.qOp ?? "replace").toLowerCase();
    const parts = p.qPath
      .replace(/^\//, "")
      .split("/")
      .map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = parts.pop();
    if (last === undefined || last === "") throw invalidParams("qPath");
    let cur: unknown = props;
    for (const part of parts) {
      if (Array.isArray(cur)) cur = cur[Number(part)];
      else if (isPlainObject(cur)) {
        if (!isPlainObject(cur[part]) && !Array.isArray(cur[part])) {
          if (op === "remove") {
            cur = undefined;
            break;
          }
          cur[part] = {};
        }
        cur = cur[part];
      }
    }
    if (cur === undefined) continue;
    if (op === "remove") {
      if (Array.isArray(cur)) cur.splice(Number(last), 1);
      else if (isPlainObject(cur)) delete cur[last];
      continue;
    }
    let value: unknown;
    try {
      value = typeof p.qValue === "string" ? JSON.parse(p.qValue) : p.qValue;
    } catch {
      throw invalidParams("qValue");
    }
    if (Array.isArray(cur)) {
      if (last === "-") cur.push(value);
      else if (op === "add") cur.splice(Number(last), 0, value);
      else cur[Number(last)] = value;
    } else if (isPlainObject(cur)) {
      cur[last] = value;
    }
  }
}
