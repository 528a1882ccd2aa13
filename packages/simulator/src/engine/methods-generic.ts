/** Methods of GenericObject, GenericDimension, GenericMeasure, GenericVariable and GenericBookmark handles. */
import type { EntityRecord, JsonObject, JsonValue, ObjectRecord } from "../model/app-document.ts";
import { reqString } from "./args.ts";
import type { CallContext, EntityStoreKind, MethodDef, MethodTable } from "./context.ts";
import { entityStore } from "./context.ts";
import { accessDenied, notFound, QixError, QixErrorCode } from "./errors.ts";
import { formatNumber } from "./expression.ts";
import { evaluate, layoutOf, scriptVariableId } from "./layout.ts";
import {
  applyFullPropertyTree,
  childrenOf,
  createObjectRecord,
  destroyObjectTree,
  fullPropertyTree,
  rootOf,
  setFlagTree,
  storeFor,
} from "./objects.ts";
import type { ObjectStore } from "./objects.ts";
import { applyPatches, cloneJson, isPlainObject, normalizeProps } from "./records.ts";
import { applyBookmark, DEFAULT_STATE } from "./selections.ts";

// ---------------------------------------------------------------- lookups

function currentObject(ctx: CallContext): { rec: ObjectRecord; store: ObjectStore; session: boolean } {
  const session = ctx.entry.session === true;
  const store = storeFor(ctx, session);
  const rec = store.get(ctx.entry.id);
  if (!rec) throw notFound(ctx.entry.id);
  return { rec, store, session };
}

/** A script-created variable presented as a (read-only) variable record. */
function scriptVariableRecord(ctx: CallContext, name: string): EntityRecord | undefined {
  const value = ctx.doc.scriptVariables.get(name);
  if (value === undefined) return undefined;
  const at = ctx.doc.lastReloadTime ?? ctx.nowIso();
  return {
    id: scriptVariableId(name),
    type: "variable",
    properties: {
      qInfo: { qId: scriptVariableId(name), qType: "variable" },
      qMetaDef: {},
      qName: name,
      qComment: "",
      qDefinition: value,
      qIncludeInBookmark: false,
    },
    createdDate: at,
    modifiedDate: at,
    ownerId: "",
    published: false,
    approved: false,
  };
}

function currentEntity(ctx: CallContext): { rec: EntityRecord; readOnly: boolean } {
  if (ctx.entry.scriptVariable !== undefined) {
    const rec = scriptVariableRecord(ctx, ctx.entry.scriptVariable);
    if (!rec) throw notFound(ctx.entry.id);
    return { rec, readOnly: true };
  }
  const rec = entityStore(ctx.doc, ctx.entry.kind as EntityStoreKind).get(ctx.entry.id);
  if (!rec) throw notFound(ctx.entry.id);
  return { rec, readOnly: false };
}

// ---------------------------------------------------------------- shared behaviour

function beforeWrite(ctx: CallContext, session: boolean) {
  if (!session) ctx.assertWritable();
}

function afterWrite(ctx: CallContext, session: boolean) {
  if (session) ctx.sessionChanged();
  else ctx.changed();
}

function linkedTo(ctx: CallContext, id: string, key: "qLibraryId" | "qExtendsId"): JsonObject[] {
  const found: JsonObject[] = [];
  const contains = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(contains);
    if (!isPlainObject(v)) return false;
    if (v[key] === id) return true;
    return Object.values(v).some(contains);
  };
  for (const rec of ctx.doc.objects.values()) {
    if (contains(rec.properties)) {
      found.push({ qRootId: rootOf(ctx.doc.objects, rec).id, qInfo: { qId: rec.id, qType: rec.type } });
    }
  }
  return found;
}

const getInfo: MethodDef = {
  params: [],
  run(ctx) {
    if (ctx.entry.kind === "object") {
      const { rec } = currentObject(ctx);
      return { qInfo: { qId: rec.id, qType: rec.type } };
    }
    const { rec } = currentEntity(ctx);
    return { qInfo: { qId: rec.id, qType: rec.type } };
  },
};

/** Publish/UnPublish/Approve/UnApprove for master items and bookmarks. */
function entityFlag(flag: "published" | "approved", value: boolean): MethodDef {
  return {
    params: [],
    run(ctx) {
      const { rec, readOnly } = currentEntity(ctx);
      if (readOnly) throw accessDenied(rec.id);
      ctx.assertWritable();
      rec[flag] = value;
      if (flag === "published" && !value) rec.approved = false;
      rec.modifiedDate = ctx.nowIso();
      ctx.changed();
      return {};
    },
  };
}

function entityMethods(extra: MethodTable): MethodTable {
  return {
    GetInfo: getInfo,
    GetProperties: {
      params: [],
      run(ctx) {
        return { qProp: cloneJson(currentEntity(ctx).rec.properties) };
      },
    },
    GetLayout: {
      params: [],
      run(ctx) {
        const { rec } = currentEntity(ctx);
        const layout = layoutOf(ctx, rec);
        if (ctx.entry.kind === "dimension") {
          const qDim = isPlainObject(rec.properties.qDim) ? rec.properties.qDim : {};
          const fields = Array.isArray(qDim.qFieldDefs) ? qDim.qFieldDefs : [];
          layout.qDimInfos = fields.map((f) => ({ qName: String(f), qTags: [] }));
        }
        return { qLayout: layout };
      },
    },
    SetProperties: {
      params: ["qProp"],
      run(ctx, [qProp]) {
        const { rec, readOnly } = currentEntity(ctx);
        if (readOnly) throw accessDenied(rec.id);
        ctx.assertWritable();
        const props = normalizeProps(qProp, rec.id, rec.type);
        if (ctx.entry.kind === "variable") checkVariableName(ctx, props, rec.id);
        rec.properties = props;
        rec.modifiedDate = ctx.nowIso();
        ctx.changed();
        return {};
      },
    },
    ApplyPatches: {
      params: ["qPatches", "qSoftPatch"],
      run(ctx, [qPatches, qSoftPatch]) {
        if (qSoftPatch === true) return {};
        const { rec, readOnly } = currentEntity(ctx);
        if (readOnly) throw accessDenied(rec.id);
        ctx.assertWritable();
        const props = cloneJson(rec.properties);
        applyPatches(props, qPatches);
        rec.properties = normalizeProps(props, rec.id, rec.type);
        rec.modifiedDate = ctx.nowIso();
        ctx.changed();
        return {};
      },
    },
    GetLinkedObjects: {
      params: [],
      run(ctx) {
        return { qItems: linkedTo(ctx, currentEntity(ctx).rec.id, "qLibraryId") };
      },
    },
    ...extra,
  };
}

export function checkVariableName(ctx: CallContext, props: JsonObject, selfId: string | null) {
  const name = props.qName;
  if (typeof name !== "string" || name.trim() === "") {
    throw new QixError(QixErrorCode.VARIABLE_NO_NAME, "Variable name missing", "qName");
  }
  for (const other of ctx.doc.variables.values()) {
    if (other.id !== selfId && other.properties.qName === name) {
      throw new QixError(QixErrorCode.VARIABLE_DUPLICATE_NAME, "Variable already exists", name);
    }
  }
}

const publishable = {
  Publish: entityFlag("published", true),
  UnPublish: entityFlag("published", false),
  Approve: entityFlag("approved", true),
  UnApprove: entityFlag("approved", false),
};

// ---------------------------------------------------------------- master items, variables, bookmarks

export const dimensionMethods: MethodTable = entityMethods({
  ...publishable,
  GetDimension: {
    params: [],
    run(ctx) {
      return { qDim: cloneJson(currentEntity(ctx).rec.properties.qDim ?? {}) };
    },
  },
});

export const measureMethods: MethodTable = entityMethods({
  ...publishable,
  GetMeasure: {
    params: [],
    run(ctx) {
      return { qMeasure: cloneJson(currentEntity(ctx).rec.properties.qMeasure ?? {}) };
    },
  },
});

function setVariableDefinition(ctx: CallContext, definition: string) {
  const { rec, readOnly } = currentEntity(ctx);
  if (readOnly) throw accessDenied(rec.id);
  ctx.assertWritable();
  rec.properties = { ...rec.properties, qDefinition: definition };
  rec.modifiedDate = ctx.nowIso();
  ctx.changed();
}

export const variableMethods: MethodTable = entityMethods({
  GetLayout: {
    params: [],
    run(ctx) {
      const { rec } = currentEntity(ctx);
      const layout = layoutOf(ctx, rec);
      const definition = String(rec.properties.qDefinition ?? "");
      for (const k of ["qName", "qDefinition", "qComment", "qNumberPresentation", "qIncludeInBookmark"]) {
        delete layout[k];
      }
      const value = definition.trim().startsWith("=") ? evaluate(ctx, definition) : definition;
      const text = value === undefined ? definition : typeof value === "number" ? formatNumber(value) : value;
      layout.qText = text;
      const num = Number(text);
      if (text.trim() !== "" && !Number.isNaN(num)) layout.qNum = num;
      layout.qIsScriptCreated = ctx.entry.scriptVariable !== undefined;
      return { qLayout: layout };
    },
  },
  GetRawContent: {
    params: [],
    run(ctx) {
      return { qReturn: String(currentEntity(ctx).rec.properties.qDefinition ?? "") };
    },
  },
  SetStringValue: {
    params: ["qVal"],
    run(ctx, [qVal]) {
      setVariableDefinition(ctx, reqString(qVal, "qVal"));
      return {};
    },
  },
  SetNumValue: {
    params: ["qVal"],
    run(ctx, [qVal]) {
      if (typeof qVal !== "number") throw new QixError(QixErrorCode.INVALID_PARAMS, "Invalid Params", "qVal");
      setVariableDefinition(ctx, formatNumber(qVal));
      return {};
    },
  },
  SetDualValue: {
    params: ["qText", "qNum"],
    run(ctx, [qText]) {
      setVariableDefinition(ctx, reqString(qText, "qText"));
      return {};
    },
  },
});

/** A bookmark's layout: its properties rendered, and the selection state captured at creation. */
function bookmarkLayout(ctx: CallContext, rec: EntityRecord): JsonObject {
  const layout = layoutOf(ctx, rec);
  const state = rec.selectionState
    ? cloneJson(rec.selectionState)
    : {
        qStateData: [{ qStateName: DEFAULT_STATE, qFieldItems: [] }],
        qUtcModifyTime: Date.parse(rec.createdDate) / 86_400_000 + 25_569,
        qVariableItems: [],
        qPatches: [],
        qCyclicGroupStates: [],
        qGroupStates: [],
      };
  layout.qBookmark = state;
  const defaultState = (Array.isArray(state.qStateData) ? state.qStateData : []).find(
    (d) => isPlainObject(d) && (d.qStateName ?? DEFAULT_STATE) === DEFAULT_STATE,
  );
  const items =
    isPlainObject(defaultState) && Array.isArray(defaultState.qFieldItems) ? defaultState.qFieldItems : [];
  layout.qFieldInfos = items
    .filter((i): i is JsonObject => isPlainObject(i))
    .map((item) => ({
      qFieldName: isPlainObject(item.qDef) ? String(item.qDef.qName ?? "") : "",
      qValuesCount: Array.isArray(item.qValues) ? item.qValues.length : 0,
      qExcludedValuesCount: Array.isArray(item.qExcludedValues) ? item.qExcludedValues.length : 0,
    }));
  return layout;
}

export const bookmarkMethods: MethodTable = entityMethods({
  ...publishable,
  GetLayout: {
    params: [],
    run(ctx) {
      return { qLayout: bookmarkLayout(ctx, currentEntity(ctx).rec) };
    },
  },
  Apply: {
    params: [],
    run(ctx) {
      applyBookmark(ctx, currentEntity(ctx).rec.selectionState);
      ctx.sessionChanged();
      return { qSuccess: true };
    },
  },
  GetSetAnalysis: {
    params: ["qStateName"],
    run(ctx) {
      currentEntity(ctx);
      return { qSetExpression: "{1}" };
    },
  },
});

// ---------------------------------------------------------------- generic objects

/** GetHyperCubeData / GetListObjectData: the pages asked for, empty (the simulator computes no data). */
const emptyDataPages: MethodDef = {
  params: ["qPath", "qPages"],
  run(ctx, [, qPages]) {
    currentObject(ctx);
    const pages = Array.isArray(qPages) ? qPages : [];
    return { qDataPages: pages.map((p) => ({ qMatrix: [], qTails: [], qArea: p as JsonValue })) };
  },
};

function objectFlag(flag: "published" | "approved", value: boolean): MethodDef {
  return {
    params: [],
    run(ctx) {
      const { rec, store, session } = currentObject(ctx);
      if (session) throw accessDenied(rec.id);
      ctx.assertWritable();
      if (flag === "published" && !value && rec.approved) throw accessDenied(rec.id);
      setFlagTree(store, rec, flag, value);
      rec.modifiedDate = ctx.nowIso();
      ctx.changed();
      return {};
    },
  };
}

function optionalPropForThis(ctx: CallContext, rec: ObjectRecord, propForThis: unknown) {
  if (isPlainObject(propForThis))
    rec.properties = normalizeProps(propForThis, rec.id, rec.type, "qPropForThis");
}

export const objectMethods: MethodTable = {
  GetInfo: getInfo,
  GetProperties: {
    params: [],
    run(ctx) {
      return { qProp: cloneJson(currentObject(ctx).rec.properties) };
    },
  },
  GetEffectiveProperties: {
    params: [],
    run(ctx) {
      return { qProp: cloneJson(currentObject(ctx).rec.properties) };
    },
  },
  GetLayout: {
    params: [],
    run(ctx) {
      const { rec, store } = currentObject(ctx);
      return { qLayout: layoutOf(ctx, rec, (r) => childrenOf(store, r)) };
    },
  },
  SetProperties: {
    params: ["qProp"],
    run(ctx, [qProp]) {
      const { rec, session } = currentObject(ctx);
      beforeWrite(ctx, session);
      rec.properties = normalizeProps(qProp, rec.id, rec.type);
      rec.type = String((rec.properties.qInfo as JsonObject).qType);
      rec.modifiedDate = ctx.nowIso();
      afterWrite(ctx, session);
      return {};
    },
  },
  ApplyPatches: {
    params: ["qPatches", "qSoftPatch"],
    run(ctx, [qPatches, qSoftPatch]) {
      if (qSoftPatch === true) return {};
      const { rec, session } = currentObject(ctx);
      beforeWrite(ctx, session);
      const props = cloneJson(rec.properties);
      applyPatches(props, qPatches);
      rec.properties = normalizeProps(props, rec.id, rec.type);
      rec.modifiedDate = ctx.nowIso();
      afterWrite(ctx, session);
      return {};
    },
  },
  GetFullPropertyTree: {
    params: [],
    run(ctx) {
      const { rec, store } = currentObject(ctx);
      return { qPropEntry: fullPropertyTree(store, rec) };
    },
  },
  SetFullPropertyTree: {
    params: ["qPropEntry"],
    run(ctx, [qPropEntry]) {
      const { rec, store, session } = currentObject(ctx);
      beforeWrite(ctx, session);
      const removed = applyFullPropertyTree(ctx, store, rec, qPropEntry);
      ctx.closed(removed, session);
      afterWrite(ctx, session);
      return {};
    },
  },
  GetChildInfos: {
    params: [],
    run(ctx) {
      const { rec, store } = currentObject(ctx);
      return { qInfos: childrenOf(store, rec).map((c) => ({ qId: c.id, qType: c.type })) };
    },
  },
  GetChild: {
    params: ["qId"],
    run(ctx, [qId]) {
      const id = reqString(qId, "qId");
      const { rec, store, session } = currentObject(ctx);
      const child = rec.childIds.includes(id) ? store.get(id) : undefined;
      if (!child) return { qReturn: { qType: null, qHandle: null } };
      return { qReturn: ctx.ref({ kind: "object", id, session }, child.type) };
    },
  },
  GetParent: {
    params: [],
    run(ctx) {
      const { rec, store, session } = currentObject(ctx);
      const parent = rec.parentId ? store.get(rec.parentId) : undefined;
      if (!parent) return { qReturn: { qType: null, qHandle: null } };
      return { qReturn: ctx.ref({ kind: "object", id: parent.id, session }, parent.type) };
    },
  },
  CreateChild: {
    params: ["qProp", "qPropForThis"],
    run(ctx, [qProp, qPropForThis]) {
      const { rec, store, session } = currentObject(ctx);
      beforeWrite(ctx, session);
      const child = createObjectRecord(ctx, store, qProp, rec);
      optionalPropForThis(ctx, rec, qPropForThis);
      rec.modifiedDate = ctx.nowIso();
      afterWrite(ctx, session);
      return {
        qInfo: { qId: child.id, qType: child.type },
        qReturn: ctx.ref({ kind: "object", id: child.id, session }, child.type),
      };
    },
  },
  DestroyChild: {
    params: ["qId", "qPropForThis"],
    run(ctx, [qId, qPropForThis]) {
      const id = reqString(qId, "qId");
      const { rec, store, session } = currentObject(ctx);
      if (!rec.childIds.includes(id)) return { qSuccess: false };
      beforeWrite(ctx, session);
      const removed = destroyObjectTree(store, id);
      optionalPropForThis(ctx, rec, qPropForThis);
      rec.modifiedDate = ctx.nowIso();
      ctx.closed(removed, session);
      afterWrite(ctx, session);
      return { qSuccess: true };
    },
  },
  DestroyAllChildren: {
    params: ["qPropForThis"],
    run(ctx, [qPropForThis]) {
      const { rec, store, session } = currentObject(ctx);
      beforeWrite(ctx, session);
      const removed: string[] = [];
      for (const cid of [...rec.childIds]) removed.push(...destroyObjectTree(store, cid));
      optionalPropForThis(ctx, rec, qPropForThis);
      rec.modifiedDate = ctx.nowIso();
      ctx.closed(removed, session);
      afterWrite(ctx, session);
      return {};
    },
  },
  SetChildArrayOrder: {
    params: ["qIds"],
    run(ctx, [qIds]) {
      const { rec, session } = currentObject(ctx);
      if (!Array.isArray(qIds) || qIds.some((x) => typeof x !== "string")) {
        throw new QixError(QixErrorCode.INVALID_PARAMS, "Invalid Params", "qIds");
      }
      const ids = qIds as string[];
      if (ids.length !== rec.childIds.length || ids.some((x) => !rec.childIds.includes(x))) {
        throw new QixError(QixErrorCode.INVALID_PARAMETERS, "Invalid parameters", "qIds");
      }
      beforeWrite(ctx, session);
      rec.childIds = [...ids];
      afterWrite(ctx, session);
      return {};
    },
  },
  GetLinkedObjects: {
    params: [],
    run(ctx) {
      return { qItems: linkedTo(ctx, currentObject(ctx).rec.id, "qExtendsId") };
    },
  },
  Publish: objectFlag("published", true),
  UnPublish: objectFlag("published", false),
  Approve: objectFlag("approved", true),
  UnApprove: objectFlag("approved", false),
  GetHyperCubeData: emptyDataPages,
  GetListObjectData: emptyDataPages,
};
