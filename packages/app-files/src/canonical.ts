/**
 * Canonical form: what is kept in git. Volatile fields (reload times, dates, owners, publish and
 * approval state, layout-only state) are removed, lists are put in a stable order, text uses LF.
 * Canonicalising twice gives the same result, so canonical forms can be compared directly.
 */
import { sameCanonicalJson, sortedKeys } from "@qlik-cicd/common";
import { bookmarkProperties, canonicalSelectionState, SELECTIONS_KEY } from "./bookmark-state.ts";
import {
  infoOf,
  isObject,
  type AppConnection,
  type AppTreeContent,
  type JsonObject,
  type JsonValue,
  type ObjectEntry,
} from "./types.ts";

/** Layout-only keys: never part of properties, removed at any depth. */
const LAYOUT_ONLY_KEYS = new Set([
  "qMeta",
  "qSelectionInfo",
  "qHyperCube",
  "qListObject",
  "qTreeData",
  "qChildList",
  "qDataPages",
  "qHasSoftPatches",
  "qEmbeddedSnapshotRef",
]);

/** Volatile keys inside qMetaDef (dates, ownership, publish/approval state). */
const VOLATILE_META_KEYS = new Set([
  "createdDate",
  "modifiedDate",
  "published",
  "publishTime",
  "approved",
  "owner",
  "ownerId",
  "ownerName",
  "privileges",
  "sourceObject",
  "draftObject",
]);

/** Volatile keys at the root of any generic entity's properties. */
const VOLATILE_ROOT_KEYS = new Set([
  "creationDate",
  "createdDate",
  "modifiedDate",
  "published",
  "publishTime",
  "approved",
  "owner",
  "ownerId",
  "qIsScriptCreated",
  "qIsReserved",
  "qIsConfig",
]);

/**
 * Where deploys record the commit and run that produced an app. It is a record of the deploy, not
 * design, so unbuild, diff and verification leave it out.
 */
export const PROVENANCE_APP_PROPERTY = "qlikCicdProvenance";

/** App properties that describe the app's state, not its design. */
const VOLATILE_APP_KEYS = new Set([
  PROVENANCE_APP_PROPERTY,
  "qLastReloadTime",
  "qMigrationHash",
  "qSavedInProductVersion",
  "qHasScript",
  "qHasData",
  "qHasSectionAccess",
  "qIsOpenedWithoutData",
  "qIsBDILiveMode",
  "qIsDirectQueryMode",
  "qUsage",
  "qReadOnly",
  "qFileSize",
  "qIsSessionApp",
  "qLocaleInfo",
  "qUnsupportedFeatures",
  "qStateNames",
  "published",
  "publishTime",
  "createdDate",
  "modifiedDate",
  "lastReloadTime",
  "owner",
  "ownerId",
  "encrypted",
  "originAppId",
  "hasSectionAccess",
  // qlik-cli writes the app attribute in lower case; it follows the script (state, not design).
  "hassectionaccess",
  "isDirectQueryMode",
  "spaceId",
  "id",
  "resourceId",
  "usage",
]);

/** Connection-string keys whose values are credentials; removed wherever they appear. */
const CREDENTIAL_KEY =
  /^(x?password|pwd|x?userid|user ?id|uid|username|secret|client_?secret|token|access_?token|api_?key|access_?key|secret_?key)$/i;

function cleanNode(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(cleanNode);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of sortedKeys(value)) {
    const v = value[key];
    if (v === undefined || LAYOUT_ONLY_KEYS.has(key)) continue;
    if (key === "qStateName" && (v === "" || v === null)) continue;
    if (key === "qMetaDef" && isObject(v)) {
      const meta: JsonObject = {};
      for (const mk of sortedKeys(v)) {
        if (!VOLATILE_META_KEYS.has(mk) && v[mk] !== undefined) meta[mk] = cleanNode(v[mk]);
      }
      out[key] = meta;
      continue;
    }
    out[key] = cleanNode(v);
  }
  return out;
}

/** Canonical generic properties (measure, dimension, variable, bookmark, or one object node). */
export function canonicalProperties(props: JsonObject): JsonObject {
  const cleaned = cleanNode(props) as JsonObject;
  for (const key of VOLATILE_ROOT_KEYS) delete cleaned[key];
  if (isObject(cleaned.qInfo)) {
    const { id, type } = infoOf(cleaned);
    cleaned.qInfo = { qId: id, qType: type };
  }
  return cleaned;
}

/** A bookmark as the files keep it: canonical properties plus its canonical selection state. */
export function canonicalBookmark(bookmark: JsonObject): JsonObject {
  const props = canonicalProperties(bookmarkProperties(bookmark));
  const state = canonicalSelectionState(bookmark[SELECTIONS_KEY]);
  if (state) props[SELECTIONS_KEY] = state;
  return props;
}

/**
 * App properties whose empty value is the same as none: Qlik gives every app a `description`, `""`
 * until someone writes one (a new app, a published copy of an app without one), while older qlik-cli
 * trees leave the key out.
 */
const EMPTY_MEANS_ABSENT_APP_KEYS = ["description"];

export function canonicalAppProperties(props: JsonObject): JsonObject {
  const cleaned = cleanNode(props) as JsonObject;
  for (const key of VOLATILE_APP_KEYS) delete cleaned[key];
  for (const key of EMPTY_MEANS_ABSENT_APP_KEYS) if (cleaned[key] === "") delete cleaned[key];
  return cleaned;
}

/** LF line endings and a trailing newline (an empty script stays empty). */
export function canonicalScript(script: string): string {
  let s = script.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (s.length > 0 && !s.endsWith("\n")) s += "\n";
  return s;
}

/** The password of `scheme://user:password@host` (the user name stays). */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"[\]]+):[^\s/@'"[\]]+@/gi;

/**
 * Removes `key=value` credential segments from a connection string (`;`-separated), and the password of
 * a URL in it.
 */
export function stripConnectionCredentials(text: string): string {
  const connectionString = text.includes("://") ? text.replace(URL_PASSWORD, "$1@") : text;
  if (!connectionString.includes("=")) return connectionString;
  const parts = connectionString.split(";");
  const kept = parts.filter((part) => {
    const eq = part.indexOf("=");
    if (eq < 0) return true;
    return !CREDENTIAL_KEY.test(part.slice(0, eq).trim());
  });
  return kept.length === parts.length ? connectionString : kept.join(";");
}

export function canonicalConnection(c: AppConnection): AppConnection {
  return {
    name: c.name,
    type: c.type ?? "",
    connectionString: stripConnectionCredentials(c.connectionString ?? ""),
  };
}

export function canonicalObjectEntry(entry: ObjectEntry): ObjectEntry {
  return {
    qProperty: canonicalProperties(entry.qProperty ?? {}),
    qChildren: sortById((entry.qChildren ?? []).map(canonicalObjectEntry), (e) => infoOf(e.qProperty).id),
  };
}

function sortById<T>(list: T[], key: (item: T) => string): T[] {
  return list
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.item);
}

const byInfoId = (p: JsonObject) => infoOf(p).id;
const byName = (p: JsonObject) => (typeof p.qName === "string" ? p.qName : "");

export function canonicalizeContent(content: AppTreeContent): AppTreeContent {
  const out: AppTreeContent = {};
  if (content.appProperties !== undefined) out.appProperties = canonicalAppProperties(content.appProperties);
  if (content.script !== undefined) out.script = canonicalScript(content.script);
  if (content.connections !== undefined) {
    out.connections = sortById(content.connections.map(canonicalConnection), (c) => c.name);
  }
  if (content.dimensions !== undefined) {
    out.dimensions = sortById(content.dimensions.map(canonicalProperties), byInfoId);
  }
  if (content.measures !== undefined)
    out.measures = sortById(content.measures.map(canonicalProperties), byInfoId);
  if (content.variables !== undefined)
    out.variables = sortById(content.variables.map(canonicalProperties), byName);
  if (content.bookmarks !== undefined)
    out.bookmarks = sortById(content.bookmarks.map(canonicalBookmark), byInfoId);
  if (content.objects !== undefined) {
    out.objects = sortById(content.objects.map(canonicalObjectEntry), (e) => infoOf(e.qProperty).id);
  }
  return out;
}

/** Equality of two values by their canonical JSON text (compared without writing the text). */
export function sameJson(a: unknown, b: unknown): boolean {
  return sameCanonicalJson(a, b);
}
