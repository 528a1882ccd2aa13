/**
 * The content of one simulated app, shared by the REST side (apps, publish, copy, export/import,
 * reloads, evaluations) and the QIX engine. Both read and write the same object, so an app's content is
 * the same whichever way it is observed.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A master dimension, master measure, variable or bookmark: its full generic properties (qInfo, qMetaDef, …). */
export interface EntityRecord {
  id: string;
  /** qInfo.qType: "dimension" | "measure" | "variable" | "bookmark" | … */
  type: string;
  properties: JsonObject;
  createdDate: string;
  modifiedDate: string;
  ownerId: string;
  /** Public (published) in the app; in a managed space only public content is visible to consumers. */
  published: boolean;
  /** Approved = part of the published app's base content. */
  approved: boolean;
  /**
   * Bookmarks only: the selection state the engine captured when the bookmark was created (an
   * NxBookmark: qStateData, qVariableItems, qUtcModifyTime, …). It is layout, never properties.
   */
  selectionState?: JsonObject;
}

/** A generic object (sheet, chart, …); children form the full property tree. */
export interface ObjectRecord extends EntityRecord {
  parentId: string | null;
  childIds: string[];
}

/** A data connection as the engine lists it (credentials are held separately and never returned). */
export interface ConnectionRecord {
  id: string;
  name: string;
  connectionString: string;
  type: string;
  /** Held only so the simulator can tell a reload it has them; never serialised to clients. */
  credentials?: { username?: string; password?: string };
  createdDate: string;
  modifiedDate: string;
}

export interface TableRecord {
  name: string;
  fields: string[];
  rows: number;
  /**
   * Distinct values of the table's fields, in load order, for data the simulator can read (INLINE
   * loads and what resident loads derive from them). A field without an entry holds values the
   * simulator cannot know (files, databases).
   */
  fieldValues?: Record<string, string[]>;
}

export interface AppDocument {
  id: string;
  script: string;
  /** GetAppProperties/SetAppProperties payload (qTitle, description, …); volatile fields are added on read. */
  appProperties: JsonObject;
  connections: Map<string, ConnectionRecord>;
  dimensions: Map<string, EntityRecord>;
  measures: Map<string, EntityRecord>;
  variables: Map<string, EntityRecord>;
  bookmarks: Map<string, EntityRecord>;
  objects: Map<string, ObjectRecord>;
  /** Alternate states of the app (AddAlternateState), in creation order; "$" is implicit. */
  alternateStates: string[];
  /**
   * The app's media files (`/api/v1/apps/{appId}/media/files/{path}`) by path. Part of the app: they
   * travel with copy, publish, republish, export and import.
   */
  media: Map<string, Buffer>;
  /** Variables the last reload's script created (SET/LET); listed with qIsScriptCreated. */
  scriptVariables: Map<string, string>;
  /** Data model produced by the last successful reload. */
  tables: TableRecord[];
  lastReloadTime: string | null;
  /** Bumped on every change; lets REST and QIX observers see that content changed. */
  revision: number;
  /** Saved revision (DoSave); the REST side persists only saved content. */
  savedRevision: number;
}

export function emptyAppDocument(id: string, title: string): AppDocument {
  return {
    id,
    script: "///$tab Main\nSET ThousandSep=',';\nSET DecimalSep='.';\n",
    appProperties: { qTitle: title },
    connections: new Map(),
    dimensions: new Map(),
    measures: new Map(),
    variables: new Map(),
    bookmarks: new Map(),
    objects: new Map(),
    alternateStates: [],
    media: new Map(),
    scriptVariables: new Map(),
    tables: [],
    lastReloadTime: null,
    revision: 0,
    savedRevision: 0,
  };
}

/** Plain-JSON form used for copy, publish, export archives and the state directory. */
export interface SerializedAppDocument {
  id: string;
  script: string;
  appProperties: JsonObject;
  connections: ConnectionRecord[];
  dimensions: EntityRecord[];
  measures: EntityRecord[];
  variables: EntityRecord[];
  bookmarks: EntityRecord[];
  objects: ObjectRecord[];
  /** Absent in documents saved before alternate states were simulated. */
  alternateStates?: string[];
  /** Media files by path, base64; absent in documents saved before media files were simulated. */
  media?: [string, string][];
  scriptVariables: [string, string][];
  tables: TableRecord[];
  lastReloadTime: string | null;
  revision: number;
  savedRevision: number;
}

export function serializeAppDocument(doc: AppDocument): SerializedAppDocument {
  return structuredClone({
    id: doc.id,
    script: doc.script,
    appProperties: doc.appProperties,
    connections: [...doc.connections.values()],
    dimensions: [...doc.dimensions.values()],
    measures: [...doc.measures.values()],
    variables: [...doc.variables.values()],
    bookmarks: [...doc.bookmarks.values()],
    objects: [...doc.objects.values()],
    alternateStates: doc.alternateStates,
    media: [...doc.media.entries()].map(([path, bytes]) => [path, bytes.toString("base64")]),
    scriptVariables: [...doc.scriptVariables.entries()],
    tables: doc.tables,
    lastReloadTime: doc.lastReloadTime,
    revision: doc.revision,
    savedRevision: doc.savedRevision,
  });
}

export function deserializeAppDocument(data: SerializedAppDocument, newId?: string): AppDocument {
  return adoptAppDocument(structuredClone(data), newId);
}

/**
 * The document `d` describes, built from `d`'s own objects: for data no one else holds (just parsed or
 * cloned), where a second deep copy would only cost time — a rollout imports and publishes the same app
 * into hundreds of tenants.
 */
export function adoptAppDocument(d: SerializedAppDocument, newId?: string): AppDocument {
  const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((x) => [x.id, x]));
  return {
    id: newId ?? d.id,
    script: d.script,
    appProperties: d.appProperties,
    connections: byId(d.connections),
    dimensions: byId(d.dimensions),
    measures: byId(d.measures),
    variables: byId(d.variables),
    bookmarks: byId(d.bookmarks),
    objects: byId(d.objects),
    alternateStates: d.alternateStates ?? [],
    media: new Map((d.media ?? []).map(([path, base64]) => [path, Buffer.from(base64, "base64")])),
    scriptVariables: new Map(d.scriptVariables),
    tables: d.tables,
    lastReloadTime: d.lastReloadTime,
    revision: d.revision,
    savedRevision: d.savedRevision,
  };
}

/** A deep copy under a new app id (copy, publish, import). Object ids are kept, as Qlik does. */
export function cloneAppDocument(doc: AppDocument, newId: string): AppDocument {
  return adoptAppDocument(serializeAppDocument(doc), newId);
}
