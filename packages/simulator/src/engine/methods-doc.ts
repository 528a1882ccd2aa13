/** Methods of the Global (-1) and Doc handles. */
import type { ConnectionRecord, EntityRecord, JsonObject, JsonValue } from "../model/app-document.ts";
import { optString, reqString } from "./args.ts";
import type { CallContext, EntityStoreKind, MethodDef, MethodTable, ProgressRecord } from "./context.ts";
import { entityStore } from "./context.ts";
import { invalidParams, QixError, QixErrorCode } from "./errors.ts";
import { formatNumber } from "./expression.ts";
import { appLayout, evaluate, scriptVariableId } from "./layout.ts";
import { runLoadScriptDetailed } from "./load-script.ts";
import { checkVariableName } from "./methods-generic.ts";
import { createObjectRecord, destroyObjectTree, storeFor } from "./objects.ts";
import { cloneJson, givenId, isPlainObject, metaOf, newEntityRecord, normalizeProps } from "./records.ts";
import { applyBookmark, captureBookmark, DEFAULT_STATE, fieldValues } from "./selections.ts";

const ENGINE_VERSION = "12.2300.0";

// ---------------------------------------------------------------- Global

const bogusProgress = {
  qStarted: true,
  qFinished: true,
  qCompleted: 0,
  qTotal: 0,
  qKB: 0,
  qMillisecs: 0,
  qUserInteractionWanted: false,
  qPersistentProgress: "",
  qTransientProgress: "",
  qErrorData: [],
  qPersistentProgressMessages: [],
  qTransientProgressMessage: { qMessageCode: 0, qMessageParameters: [""] },
};

function progressData(p: ProgressRecord): JsonObject {
  return {
    qStarted: true,
    qFinished: p.finished,
    qCompleted: p.log.length,
    qTotal: p.log.length,
    qKB: 0,
    qMillisecs: p.millis,
    qUserInteractionWanted: false,
    qPersistentProgress: p.log.join("\n"),
    qTransientProgress: "",
    qErrorData: p.errors.map((e) => ({
      qErrorString: e.message,
      qLineEnd: "",
      qLine: e.statement,
      qErrorDataCode: "EDC_ERROR",
      qMessage: { qMessageCode: 0, qMessageParameters: [e.message] },
    })),
    qPersistentProgressMessages: p.log.map((l) => ({ qMessageCode: 0, qMessageParameters: [l] })),
    qTransientProgressMessage: { qMessageCode: 0, qMessageParameters: [""] },
  };
}

function openDocRef(ctx: CallContext) {
  return { qReturn: ctx.ref({ kind: "doc", id: "" }, "") };
}

export const globalMethods: MethodTable = {
  OpenDoc: {
    params: ["qDocName", "qUserName", "qPassword", "qSerial", "qNoData"],
    run(ctx, [qDocName]) {
      const name = reqString(qDocName, "qDocName");
      if (name !== ctx.doc.id) {
        throw new QixError(QixErrorCode.APP_NOT_FOUND, "App not found", name);
      }
      return openDocRef(ctx);
    },
  },
  GetActiveDoc: {
    params: [],
    run(ctx) {
      return openDocRef(ctx);
    },
  },
  EngineVersion: {
    params: [],
    run() {
      return { qVersion: { qComponentVersion: ENGINE_VERSION } };
    },
  },
  ProductVersion: {
    params: [],
    run() {
      return { qReturn: ENGINE_VERSION };
    },
  },
  QTProduct: {
    params: [],
    run() {
      return { qReturn: "Qlik Sense" };
    },
  },
  OSName: {
    params: [],
    run() {
      return { qReturn: "linux" };
    },
  },
  IsDesktopMode: {
    params: [],
    run() {
      return { qReturn: false };
    },
  },
  GetAuthenticatedUser: {
    params: [],
    run(ctx) {
      return { qReturn: ctx.session.principal.userId };
    },
  },
  GetUniqueID: {
    params: [],
    run(ctx) {
      return { qUniqueID: ctx.newId() };
    },
  },
  GetProgress: {
    params: ["qRequestId"],
    run(ctx, [qRequestId]) {
      const p = ctx.progress.get(qRequestId as number);
      return { qProgressData: p ? progressData(p) : bogusProgress };
    },
  },
  CancelRequest: {
    params: ["qRequestId"],
    run() {
      return {};
    },
  },
  AbortAll: {
    params: [],
    run() {
      return {};
    },
  },
};

// ---------------------------------------------------------------- Doc helpers

const VOLATILE_APP_PROPERTIES = [
  "qLastReloadTime",
  "qSavedInProductVersion",
  "qMigrationHash",
  "qHasSectionAccess",
];

function connectionOut(c: ConnectionRecord): JsonObject {
  return {
    qId: c.id,
    qName: c.name,
    qConnectionString: c.connectionString,
    qType: c.type,
    qModifiedDate: c.modifiedDate,
    qMeta: { qName: c.name },
    qLogOn: "LOG_ON_SERVICE_USER",
  };
}

function findConnection(ctx: CallContext, id: string): ConnectionRecord {
  const c = ctx.doc.connections.get(id);
  if (!c) throw new QixError(QixErrorCode.CONNECTION_NOT_FOUND, "Connection not found", id);
  return c;
}

function connectionInput(raw: unknown): {
  name?: string;
  connectionString?: string;
  type?: string;
  username?: string;
  password?: string;
} {
  if (!isPlainObject(raw)) throw invalidParams("qConnection");
  return {
    name: optString(raw.qName, "qConnection.qName"),
    connectionString: optString(raw.qConnectionString, "qConnection.qConnectionString"),
    type: optString(raw.qType, "qConnection.qType"),
    username: optString(raw.qUserName, "qConnection.qUserName"),
    password: optString(raw.qPassword, "qConnection.qPassword"),
  };
}

function nameTaken(ctx: CallContext, name: string, selfId: string | null): boolean {
  for (const c of ctx.doc.connections.values()) if (c.id !== selfId && c.name === name) return true;
  return false;
}

/** Create/Get/Destroy for master dimensions, measures and bookmarks. */
function entityCrud(kind: EntityStoreKind, defaultType: string, createName: string): MethodTable {
  const getOne: MethodDef = {
    params: ["qId"],
    run(ctx, [qId]) {
      const id = reqString(qId, "qId");
      const rec = entityStore(ctx.doc, kind).get(id);
      if (!rec) return { qReturn: { qType: null, qHandle: null } };
      return { qReturn: ctx.ref({ kind, id }, rec.type) };
    },
  };
  const destroy: MethodDef = {
    params: ["qId"],
    run(ctx, [qId]) {
      const id = reqString(qId, "qId");
      const store = entityStore(ctx.doc, kind);
      if (!store.has(id)) return { qSuccess: false };
      ctx.assertWritable();
      store.delete(id);
      ctx.closed([id]);
      ctx.changed();
      return { qSuccess: true };
    },
  };
  const create: MethodDef = {
    params: ["qProp"],
    run(ctx, [qProp]) {
      ctx.assertWritable();
      const rec = createEntity(ctx, kind, defaultType, qProp);
      return { qInfo: { qId: rec.id, qType: rec.type }, qReturn: ctx.ref({ kind, id: rec.id }, rec.type) };
    },
  };
  const suffix = createName;
  return {
    [`Create${suffix}`]: create,
    [`Get${suffix}`]: getOne,
    [`Destroy${suffix}`]: destroy,
  };
}

function createEntity(
  ctx: CallContext,
  kind: EntityStoreKind,
  defaultType: string,
  qProp: unknown,
): EntityRecord {
  if (!isPlainObject(qProp)) throw invalidParams("qProp");
  const wanted = givenId(qProp);
  const id = ctx.newId(wanted);
  if (wanted && id !== wanted)
    throw new QixError(QixErrorCode.ALREADY_EXISTS, "Object already exists", wanted);
  const props = normalizeProps(qProp, id, defaultType);
  if (kind === "variable") checkVariableName(ctx, props, null);
  const rec = newEntityRecord(ctx, id, String((props.qInfo as JsonObject).qType), props);
  entityStore(ctx.doc, kind).set(id, rec);
  ctx.changed();
  return rec;
}

/** CreateBookmark / CreateBookmarkEx: the properties as given, and the session's selections captured. */
function createBookmark(ctx: CallContext, qProp: unknown) {
  ctx.assertWritable();
  const rec = createEntity(ctx, "bookmark", "bookmark", qProp);
  rec.selectionState = captureBookmark(ctx, rec.properties);
  return {
    qInfo: { qId: rec.id, qType: rec.type },
    qReturn: ctx.ref({ kind: "bookmark", id: rec.id }, rec.type),
  };
}

/** A state name parameter: "$" when empty; an unknown alternate state is an error. */
function stateParam(ctx: CallContext, raw: unknown): string {
  const state = optString(raw, "qStateName");
  if (state === undefined || state === "" || state === DEFAULT_STATE) return DEFAULT_STATE;
  if (!ctx.doc.alternateStates.includes(state)) {
    throw new QixError(QixErrorCode.NOT_FOUND, "State not found", state);
  }
  return state;
}

function setAllLocks(ctx: CallContext, rawState: unknown, locked: boolean) {
  const state = stateParam(ctx, rawState);
  for (const sel of ctx.selections.states.get(state)?.values() ?? []) {
    if (sel.selected.size > 0) sel.locked = locked;
  }
  ctx.sessionChanged();
  return {};
}

function variableByName(ctx: CallContext, name: string): EntityRecord | undefined {
  for (const v of ctx.doc.variables.values()) if (v.properties.qName === name) return v;
  return undefined;
}

function variableRef(ctx: CallContext, name: string | undefined, id: string | undefined) {
  const rec =
    name !== undefined ? variableByName(ctx, name) : id !== undefined ? ctx.doc.variables.get(id) : undefined;
  if (rec) return { qReturn: ctx.ref({ kind: "variable", id: rec.id }, "variable") };
  for (const scriptName of ctx.doc.scriptVariables.keys()) {
    if (scriptName === name || (id !== undefined && scriptVariableId(scriptName) === id)) {
      return {
        qReturn: ctx.ref(
          { kind: "variable", id: scriptVariableId(scriptName), scriptVariable: scriptName },
          "variable",
        ),
      };
    }
  }
  return { qReturn: { qType: null, qHandle: null } };
}

function reload(ctx: CallContext): { ok: boolean; rows: number } {
  ctx.assertWritable();
  const result = runLoadScriptDetailed(ctx.doc, { now: () => ctx.now() });
  if (ctx.requestId !== null) {
    ctx.progress.set(ctx.requestId, {
      finished: true,
      millis: result.durationMs,
      log: result.log.trimEnd().split("\n"),
      errors: result.errors.map((e) => ({ message: e.message, statement: e.statement, line: e.line })),
    });
    if (ctx.progress.size > 50) ctx.progress.delete(ctx.progress.keys().next().value as number);
  }
  if (result.ok) {
    ctx.doc.tables = result.tables;
    ctx.doc.scriptVariables = result.scriptVariables;
    ctx.doc.lastReloadTime = ctx.nowIso();
    ctx.changed();
  }
  return { ok: result.ok, rows: result.rowsFetched };
}

function containerEntries(ctx: CallContext, records: Iterable<EntityRecord>, options: unknown): JsonObject[] {
  const opts = isPlainObject(options) ? options : {};
  const types = Array.isArray(opts.qTypes) ? opts.qTypes.map(String) : [];
  const out: JsonObject[] = [];
  for (const rec of records) {
    if (types.length > 0 && !types.includes(rec.type)) continue;
    const entry: JsonObject = { qInfo: { qId: rec.id, qType: rec.type }, qMeta: metaOf(ctx, rec) };
    if (isPlainObject(opts.qData)) {
      const data: JsonObject = {};
      for (const [k, path] of Object.entries(opts.qData)) {
        if (typeof path === "string") {
          const v = path
            .split("/")
            .filter(Boolean)
            .reduce<unknown>((acc, p) => (isPlainObject(acc) ? acc[p] : undefined), rec.properties);
          if (v !== undefined) data[k] = cloneJson(v) as JsonValue;
        }
      }
      entry.qData = data;
    }
    out.push(entry);
  }
  return out;
}

// ---------------------------------------------------------------- Doc

export const docMethods: MethodTable = {
  GetAllInfos: {
    params: [],
    run(ctx) {
      const infos: JsonObject[] = [];
      for (const store of [
        ctx.doc.objects,
        ctx.doc.dimensions,
        ctx.doc.measures,
        ctx.doc.bookmarks,
        ctx.doc.variables,
      ]) {
        for (const rec of store.values()) infos.push({ qId: rec.id, qType: rec.type });
      }
      return { qInfos: infos };
    },
  },
  GetScript: {
    params: [],
    run(ctx) {
      return { qScript: ctx.doc.script };
    },
  },
  SetScript: {
    params: ["qScript"],
    run(ctx, [qScript]) {
      const script = reqString(qScript, "qScript");
      ctx.assertWritable();
      ctx.doc.script = script;
      ctx.changed();
      return {};
    },
  },
  CheckScriptSyntax: {
    params: [],
    run(ctx) {
      const result = runLoadScriptDetailed(ctx.doc, { now: () => ctx.now() });
      const syntax = result.errors.filter((e) =>
        /^(Unknown statement|Unbalanced|Syntax error)/.test(e.message),
      );
      return {
        qErrors: syntax.map((e) => ({
          qErrLen: e.statement.length,
          qTabIx: 0,
          qLineInTab: e.line,
          qColInLine: 0,
          qTextPos: 0,
          qSecondaryFailure: false,
        })),
      };
    },
  },
  GetAppProperties: {
    params: [],
    run(ctx) {
      const prop: JsonObject = { ...cloneJson(ctx.doc.appProperties) };
      if (ctx.doc.lastReloadTime) prop.qLastReloadTime = ctx.doc.lastReloadTime;
      return { qProp: prop };
    },
  },
  SetAppProperties: {
    params: ["qProp"],
    run(ctx, [qProp]) {
      if (!isPlainObject(qProp)) throw invalidParams("qProp");
      ctx.assertWritable();
      const props = cloneJson(qProp) as JsonObject;
      for (const k of VOLATILE_APP_PROPERTIES) delete props[k];
      ctx.doc.appProperties = props;
      if (typeof props.qTitle === "string" && props.qTitle.trim() !== "")
        ctx.session.appRecord.name = props.qTitle;
      if (typeof props.description === "string") ctx.session.appRecord.description = props.description;
      ctx.changed();
      return {};
    },
  },
  GetAppLayout: {
    params: [],
    run(ctx) {
      return { qLayout: appLayout(ctx) };
    },
  },
  GetConnections: {
    params: [],
    run(ctx) {
      return { qConnections: [...ctx.doc.connections.values()].map(connectionOut) };
    },
  },
  GetConnection: {
    params: ["qConnectionId"],
    run(ctx, [qConnectionId]) {
      return { qConnection: connectionOut(findConnection(ctx, reqString(qConnectionId, "qConnectionId"))) };
    },
  },
  CreateConnection: {
    params: ["qConnection"],
    run(ctx, [qConnection]) {
      const input = connectionInput(qConnection);
      if (!input.name) throw invalidParams("qConnection.qName");
      ctx.assertWritable();
      if (nameTaken(ctx, input.name, null)) {
        throw new QixError(QixErrorCode.CONNECTION_ALREADY_EXISTS, "Connection already exists", input.name);
      }
      const id = ctx.newId();
      const now = ctx.nowIso();
      const rec: ConnectionRecord = {
        id,
        name: input.name,
        connectionString: input.connectionString ?? "",
        type: input.type ?? "folder",
        createdDate: now,
        modifiedDate: now,
      };
      if (input.username !== undefined || input.password !== undefined) {
        rec.credentials = { username: input.username, password: input.password };
      }
      ctx.doc.connections.set(id, rec);
      ctx.changed();
      return { qConnectionId: id };
    },
  },
  ModifyConnection: {
    params: ["qConnectionId", "qConnection", "qOverrideCredentials"],
    run(ctx, [qConnectionId, qConnection, qOverrideCredentials]) {
      const rec = findConnection(ctx, reqString(qConnectionId, "qConnectionId"));
      const input = connectionInput(qConnection);
      ctx.assertWritable();
      if (input.name !== undefined && input.name !== "") {
        if (nameTaken(ctx, input.name, rec.id)) {
          throw new QixError(QixErrorCode.CONNECTION_ALREADY_EXISTS, "Connection already exists", input.name);
        }
        rec.name = input.name;
      }
      if (input.connectionString !== undefined) rec.connectionString = input.connectionString;
      if (input.type !== undefined && input.type !== "") rec.type = input.type;
      if (qOverrideCredentials === true)
        rec.credentials = { username: input.username, password: input.password };
      rec.modifiedDate = ctx.nowIso();
      ctx.changed();
      return {};
    },
  },
  DeleteConnection: {
    params: ["qConnectionId"],
    run(ctx, [qConnectionId]) {
      const rec = findConnection(ctx, reqString(qConnectionId, "qConnectionId"));
      ctx.assertWritable();
      ctx.doc.connections.delete(rec.id);
      ctx.changed();
      return {};
    },
  },
  ...entityCrud("dimension", "dimension", "Dimension"),
  ...entityCrud("measure", "measure", "Measure"),
  ...entityCrud("bookmark", "bookmark", "Bookmark"),
  CreateBookmark: {
    params: ["qProp"],
    run(ctx, [qProp]) {
      return createBookmark(ctx, qProp);
    },
  },
  CreateBookmarkEx: {
    params: ["qProp", "qObjectIdsToPatch"],
    run(ctx, [qProp]) {
      // The simulator keeps no soft patches, so there are none to add.
      return createBookmark(ctx, qProp);
    },
  },
  GetField: {
    params: ["qFieldName", "qStateName"],
    run(ctx, [qFieldName, qStateName]) {
      const name = reqString(qFieldName, "qFieldName");
      const state = stateParam(ctx, qStateName);
      if (fieldValues(ctx.doc, name) === null) return { qReturn: { qType: null, qHandle: null } };
      return { qReturn: ctx.ref({ kind: "field", id: name, state }, "") };
    },
  },
  ClearAll: {
    params: ["qLockedAlso", "qStateName"],
    run(ctx, [qLockedAlso, qStateName]) {
      ctx.selections.clearState(stateParam(ctx, qStateName), qLockedAlso === true);
      ctx.sessionChanged();
      return {};
    },
  },
  LockAll: {
    params: ["qStateName"],
    run(ctx, [qStateName]) {
      return setAllLocks(ctx, qStateName, true);
    },
  },
  UnlockAll: {
    params: ["qStateName"],
    run(ctx, [qStateName]) {
      return setAllLocks(ctx, qStateName, false);
    },
  },
  AddAlternateState: {
    params: ["qStateName"],
    run(ctx, [qStateName]) {
      const name = reqString(qStateName, "qStateName");
      if (name.trim() === "" || name === DEFAULT_STATE) throw invalidParams("qStateName");
      ctx.assertWritable();
      if (!ctx.doc.alternateStates.includes(name)) {
        ctx.doc.alternateStates.push(name);
        ctx.changed();
      }
      return {};
    },
  },
  RemoveAlternateState: {
    params: ["qStateName"],
    run(ctx, [qStateName]) {
      const name = reqString(qStateName, "qStateName");
      ctx.assertWritable();
      if (ctx.doc.alternateStates.includes(name)) {
        ctx.doc.alternateStates = ctx.doc.alternateStates.filter((s) => s !== name);
        ctx.selections.forget(name);
        ctx.changed();
      }
      return {};
    },
  },
  CreateVariableEx: {
    params: ["qProp"],
    run(ctx, [qProp]) {
      ctx.assertWritable();
      const rec = createEntity(ctx, "variable", "variable", qProp);
      return {
        qInfo: { qId: rec.id, qType: rec.type },
        qReturn: ctx.ref({ kind: "variable", id: rec.id }, rec.type),
      };
    },
  },
  GetVariableById: {
    params: ["qId"],
    run(ctx, [qId]) {
      return variableRef(ctx, undefined, reqString(qId, "qId"));
    },
  },
  GetVariableByName: {
    params: ["qName"],
    run(ctx, [qName]) {
      return variableRef(ctx, reqString(qName, "qName"), undefined);
    },
  },
  DestroyVariableById: {
    params: ["qId"],
    run(ctx, [qId]) {
      const id = reqString(qId, "qId");
      if (!ctx.doc.variables.has(id)) return { qSuccess: false };
      ctx.assertWritable();
      ctx.doc.variables.delete(id);
      ctx.closed([id]);
      ctx.changed();
      return { qSuccess: true };
    },
  },
  DestroyVariableByName: {
    params: ["qName"],
    run(ctx, [qName]) {
      const rec = variableByName(ctx, reqString(qName, "qName"));
      if (!rec) return { qSuccess: false };
      ctx.assertWritable();
      ctx.doc.variables.delete(rec.id);
      ctx.closed([rec.id]);
      ctx.changed();
      return { qSuccess: true };
    },
  },
  ApplyBookmark: {
    params: ["qId"],
    run(ctx, [qId]) {
      const rec = ctx.doc.bookmarks.get(reqString(qId, "qId"));
      if (!rec) return { qSuccess: false };
      applyBookmark(ctx, rec.selectionState);
      ctx.sessionChanged();
      return { qSuccess: true };
    },
  },
  CreateObject: {
    params: ["qProp"],
    run(ctx, [qProp]) {
      ctx.assertWritable();
      const rec = createObjectRecord(ctx, ctx.doc.objects, qProp, null);
      ctx.changed();
      return {
        qInfo: { qId: rec.id, qType: rec.type },
        qReturn: ctx.ref({ kind: "object", id: rec.id }, rec.type),
      };
    },
  },
  GetObject: {
    params: ["qId"],
    run(ctx, [qId]) {
      const id = reqString(qId, "qId");
      const persistent = ctx.doc.objects.get(id);
      if (persistent) return { qReturn: ctx.ref({ kind: "object", id }, persistent.type) };
      const session = ctx.sessionObjects.get(id);
      if (session) return { qReturn: ctx.ref({ kind: "object", id, session: true }, session.type) };
      return { qReturn: { qType: null, qHandle: null } };
    },
  },
  DestroyObject: {
    params: ["qId"],
    run(ctx, [qId]) {
      const id = reqString(qId, "qId");
      if (!ctx.doc.objects.has(id)) return { qSuccess: false };
      ctx.assertWritable();
      const removed = destroyObjectTree(ctx.doc.objects, id);
      ctx.closed(removed);
      ctx.changed();
      return { qSuccess: true };
    },
  },
  CreateSessionObject: {
    params: ["qProp"],
    run(ctx, [qProp]) {
      const store = storeFor(ctx, true);
      const wanted = givenId(qProp);
      if (wanted && store.has(wanted)) destroyObjectTree(store, wanted);
      const rec = createObjectRecord(ctx, store, qProp, null);
      ctx.sessionChanged();
      return { qReturn: ctx.ref({ kind: "object", id: rec.id, session: true }, rec.type) };
    },
  },
  DestroySessionObject: {
    params: ["qId"],
    run(ctx, [qId]) {
      const id = reqString(qId, "qId");
      if (!ctx.sessionObjects.has(id)) return { qSuccess: false };
      const removed = destroyObjectTree(ctx.sessionObjects, id);
      ctx.closed(removed, true);
      ctx.sessionChanged();
      return { qSuccess: true };
    },
  },
  GetObjects: {
    params: ["qOptions"],
    run(ctx, [qOptions]) {
      const records = [...ctx.doc.objects.values()];
      if (isPlainObject(qOptions) && qOptions.qIncludeSessionObjects === true)
        records.push(...ctx.sessionObjects.values());
      return { qList: containerEntries(ctx, records, qOptions) };
    },
  },
  GetBookmarks: {
    params: ["qOptions"],
    run(ctx, [qOptions]) {
      return { qList: containerEntries(ctx, ctx.doc.bookmarks.values(), qOptions) };
    },
  },
  DoReload: {
    params: ["qMode", "qPartial", "qDebug"],
    run(ctx) {
      return { qReturn: reload(ctx).ok };
    },
  },
  DoReloadEx: {
    params: ["qParams"],
    run(ctx) {
      const r = reload(ctx);
      return {
        qResult: {
          qSuccess: r.ok,
          qScriptLogFile: `${ctx.doc.id}.log`,
          qEndedWithMemoryConstraint: false,
          qNbrOfLoadedRows: r.rows,
          qNbrOfStoredRows: 0,
        },
      };
    },
  },
  DoSave: {
    params: ["qFileName"],
    run(ctx) {
      ctx.assertWritable();
      ctx.doc.savedRevision = ctx.doc.revision;
      ctx.session.onChange();
      return {};
    },
  },
  GetTablesAndKeys: {
    params: [
      "qWindowSize",
      "qNullSize",
      "qCellHeight",
      "qSyntheticMode",
      "qIncludeSysVars",
      "qIncludeProfiling",
    ],
    run(ctx) {
      const tables = ctx.doc.tables;
      const fieldTables = new Map<string, string[]>();
      for (const t of tables)
        for (const f of t.fields) fieldTables.set(f, [...(fieldTables.get(f) ?? []), t.name]);
      const qtr = tables.map((t, i) => ({
        qName: t.name,
        qLoose: false,
        qNoOfRows: t.rows,
        qFields: t.fields.map((f) => ({
          qName: f,
          qOriginalFields: [],
          qPresent: true,
          qHasNull: false,
          qHasWild: false,
          qHasDuplicates: false,
          qIsSynthetic: false,
          qInformationDensity: 1,
          qnNonNulls: t.rows,
          qnRows: t.rows,
          qSubsetRatio: 1,
          qnTotalDistinctValues: t.rows,
          qnPresentDistinctValues: t.rows,
          qKeyType: (fieldTables.get(f)?.length ?? 0) > 1 ? "ANY_KEY" : "NOT_KEY",
          qComment: "",
          qTags: [],
          qDerivedFields: [],
          qIsFieldOnTheFly: false,
          qReadableName: f,
        })),
        qPos: { qx: 50 + 250 * i, qy: 50 },
        qComment: "",
        qIsDirectDiscovery: false,
        qIsSynthetic: false,
        qTableTags: [],
      }));
      const qk = [...fieldTables.entries()]
        .filter(([, ts]) => ts.length > 1)
        .map(([f, ts]) => ({ qTables: ts, qKeyFields: [f] }));
      return { qtr, qk };
    },
  },
  Evaluate: {
    params: ["qExpression"],
    run(ctx, [qExpression]) {
      const v = evaluate(ctx, reqString(qExpression, "qExpression"));
      return { qReturn: v === undefined ? "-" : typeof v === "number" ? formatNumber(v) : v };
    },
  },
  EvaluateEx: {
    params: ["qExpression"],
    run(ctx, [qExpression]) {
      const v = evaluate(ctx, reqString(qExpression, "qExpression"));
      if (v === undefined) return { qValue: { qText: "-", qIsNumeric: false, qNumber: "NaN" } };
      if (typeof v === "number") return { qValue: { qText: formatNumber(v), qIsNumeric: true, qNumber: v } };
      return { qValue: { qText: v, qIsNumeric: false, qNumber: "NaN" } };
    },
  },
};
