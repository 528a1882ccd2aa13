/** Unbuild: read an app's content through QIX into a canonical AppTree, with pipelined requests. */
import { silentLogger, type Logger } from "@qlik-cicd/common";
import { AppTree } from "./app-tree.ts";
import {
  bookmarkProperties,
  readSelectionRecord,
  SELECTIONS_KEY,
  type SelectionRecord,
} from "./bookmark-state.ts";
import type { QixBookmarkHandle, QixDoc, QixPropertiesHandle } from "./doc.ts";
import { isObject, type AppConnection, type JsonObject, type JsonValue, type ObjectEntry } from "./types.ts";

export interface UnbuildOptions {
  logger?: Logger;
}

/** What unbuild reads, plus what build needs and files do not keep (connection ids). */
export interface LiveApp {
  tree: AppTree;
  /** Connection name → engine connection id. */
  connectionIds: Map<string, string>;
}

const NON_OBJECT_TYPES = new Set(["dimension", "measure", "variable", "bookmark"]);

/**
 * Object types that are top level in practice. Only a hint for fetching order: every object is
 * checked, so an object of another type without a parent is still found.
 */
const TOP_LEVEL_HINT = new Set(["sheet", "masterobject", "story", "appprops", "LoadModel"]);

function entryId(e: ObjectEntry): string {
  const info = e.qProperty.qInfo;
  return isObject(info) && typeof info.qId === "string" ? info.qId : "";
}

function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function toEntry(value: unknown): ObjectEntry {
  const v = asObject(value);
  const children = Array.isArray(v.qChildren) ? v.qChildren : [];
  return { qProperty: asObject(v.qProperty), qChildren: children.map(toEntry) };
}

/** Gets a handle, or undefined when the engine says the entity does not exist. */
async function maybe<T>(p: Promise<T>): Promise<T | undefined> {
  const handle = await p;
  return handle === null || handle === undefined ? undefined : handle;
}

async function propertiesOf(p: Promise<QixPropertiesHandle>): Promise<JsonObject | undefined> {
  const handle = await maybe(p);
  return handle ? asObject(await handle.getProperties()) : undefined;
}

/**
 * A bookmark as the files keep it: its properties, and the selection state from its layout (the only
 * place the engine keeps it). A `qBookmark` key in the properties (written there by older tools) is
 * not a selection state and is ignored.
 */
async function bookmarkOf(
  p: Promise<QixBookmarkHandle>,
  records: Map<string, SelectionRecord>,
): Promise<JsonObject | undefined> {
  const handle = await maybe(p);
  if (!handle) return undefined;
  const [props, layout] = await Promise.all([handle.getProperties(), handle.getLayout()]);
  const properties = asObject(props);
  const record = readSelectionRecord(properties);
  const id = asObject(properties.qInfo).qId;
  if (record && typeof id === "string") records.set(id, record);
  const bookmark = bookmarkProperties(properties);
  const state = asObject(layout)[SELECTIONS_KEY];
  if (state !== undefined) bookmark[SELECTIONS_KEY] = state;
  return bookmark;
}

/** Reads a session list object's items, destroying the session object afterwards. */
async function listItems(doc: QixDoc, def: JsonObject, layoutKey: string): Promise<JsonObject[]> {
  const obj = await doc.createSessionObject(def);
  try {
    const layout = asObject(await obj.getLayout());
    const list = asObject(layout[layoutKey]);
    return Array.isArray(list.qItems) ? list.qItems.filter(isObject) : [];
  } finally {
    await doc.destroySessionObject(obj.id);
  }
}

function itemId(item: JsonObject): string {
  const info = asObject(item.qInfo);
  return typeof info.qId === "string" ? info.qId : "";
}

export async function readLiveApp(doc: QixDoc, options: UnbuildOptions = {}): Promise<LiveApp> {
  const logger = options.logger ?? silentLogger;
  // Round 1: everything that does not depend on anything else, in flight together.
  const [infos, script, appProperties, connections, variableItems, bookmarkItems] = await Promise.all([
    doc.getAllInfos(),
    doc.getScript(),
    doc.getAppProperties(),
    doc.getConnections(),
    listItems(
      doc,
      {
        qInfo: { qType: "VariableList" },
        qVariableListDef: { qType: "variable", qShowReserved: false, qShowConfig: false, qData: {} },
      },
      "qVariableList",
    ),
    listItems(
      doc,
      { qInfo: { qType: "BookmarkList" }, qBookmarkListDef: { qType: "bookmark", qData: {} } },
      "qBookmarkList",
    ),
  ]);

  const ids = (type: string) => infos.filter((i) => i.qType === type && i.qId).map((i) => i.qId as string);
  const bookmarkIds = [...new Set([...ids("bookmark"), ...bookmarkItems.map(itemId).filter(Boolean)])];
  const objects = infos
    .filter((i) => i.qId && i.qType && !NON_OBJECT_TYPES.has(i.qType))
    .map((i) => ({ id: i.qId as string, type: i.qType as string }));
  const variables = variableItems.filter(
    (v) => v.qIsScriptCreated !== true && v.qIsReserved !== true && v.qIsConfig !== true,
  );

  // Round 2: every entity's properties, and the full property trees of the objects that are
  // normally top level (sheets, master visualizations, stories, …), in flight together.
  const all = <T>(list: Promise<T>[]) => Promise.all(list);
  const defined = <T>(list: (T | undefined)[]) => list.filter((x): x is T => x !== undefined);
  const treeOf = async (id: string): Promise<ObjectEntry | undefined> => {
    const handle = await maybe(doc.getObject(id));
    return handle ? toEntry(await handle.getFullPropertyTree()) : undefined;
  };
  const hinted = objects.filter((o) => TOP_LEVEL_HINT.has(o.type)).map((o) => o.id);
  const bookmarkRecords = new Map<string, SelectionRecord>();
  const [dimensions, measures, bookmarks, variableProps, hintedTrees] = await Promise.all([
    all(ids("dimension").map((id) => propertiesOf(doc.getDimension(id)))),
    all(ids("measure").map((id) => propertiesOf(doc.getMeasure(id)))),
    all(bookmarkIds.map((id) => bookmarkOf(doc.getBookmark(id), bookmarkRecords))),
    all(
      variables.map((v) => {
        const id = itemId(v);
        if (id) return propertiesOf(doc.getVariableById(id));
        return typeof v.qName === "string"
          ? propertiesOf(doc.getVariableByName(v.qName))
          : Promise.resolve(undefined);
      }),
    ),
    all(hinted.map(treeOf)),
  ]);

  // Round 3: objects not inside any of those trees (rare: e.g. a chart without a sheet) get their
  // own trees. A tree whose root turns up inside another tree is a child, not a top-level object.
  const covered = new Set<string>();
  const collect = (e: ObjectEntry) => {
    covered.add(entryId(e));
    e.qChildren.forEach(collect);
  };
  defined(hintedTrees).forEach(collect);
  const rest = objects.filter((o) => !covered.has(o.id)).map((o) => o.id);
  const restTrees = defined(await all(rest.map(treeOf)));
  const candidates = [...defined(hintedTrees), ...restTrees];
  const descendants = new Set<string>();
  const collectDescendants = (e: ObjectEntry) =>
    e.qChildren.forEach((c) => {
      descendants.add(entryId(c));
      collectDescendants(c);
    });
  candidates.forEach(collectDescendants);
  const trees = candidates.filter((e) => !descendants.has(entryId(e)));

  const connectionIds = new Map<string, string>();
  const appConnections: AppConnection[] = [];
  for (const c of connections ?? []) {
    if (!c.qName) continue;
    if (c.qId) connectionIds.set(c.qName, c.qId);
    appConnections.push({ name: c.qName, type: c.qType ?? "", connectionString: c.qConnectionString ?? "" });
  }

  logger.debug(
    `Unbuilt ${objects.length} objects (${trees.length} top level), ${dimensions.length} dimensions, ` +
      `${measures.length} measures, ${variables.length} variables, ${bookmarkIds.length} bookmarks.`,
  );
  const tree = new AppTree(
    {
      appProperties: asObject(appProperties as JsonValue),
      script: script ?? "",
      connections: appConnections,
      dimensions: defined(dimensions),
      measures: defined(measures),
      variables: defined(variableProps),
      bookmarks: defined(bookmarks),
      objects: trees,
    },
    { bookmarkRecords },
  );
  return { tree, connectionIds };
}

/** Unbuilds the app open in `doc` into a canonical AppTree (write it with writeAppTree). */
export async function unbuildApp(doc: QixDoc, options: UnbuildOptions = {}): Promise<AppTree> {
  return (await readLiveApp(doc, options)).tree;
}
