/**
 * Layouts: a generic object's layout is its properties with qMetaDef replaced by qMeta and every list or
 * expression definition replaced by what it computes (qVariableListDef → qVariableList, …).
 */
import { DEFAULT_SCRIPT_VARIABLES, QLIK_VARIABLES } from "@qlik-cicd/qlik-facts";
import type { EntityRecord, JsonObject, JsonValue, ObjectRecord } from "../model/app-document.ts";
import type { CallContext } from "./context.ts";
import { evaluateExpression, formatNumber } from "./expression.ts";
import { hashString } from "./load-script.ts";
import { cloneJson, isPlainObject, metaOf, resolveQData } from "./records.ts";

/** Variables new apps set at the top of their script; listed with qIsConfig and qIsReserved. */
const CONFIG_VARIABLES = new Set<string>(DEFAULT_SCRIPT_VARIABLES.map((n) => n.toLowerCase()));
/** Every variable Qlik defines or interprets itself (reserved). */
const RESERVED_VARIABLES = new Set<string>(QLIK_VARIABLES.map((n) => n.toLowerCase()));

function isConfigVariable(name: string): boolean {
  return CONFIG_VARIABLES.has(name.toLowerCase());
}
function isReservedVariable(name: string): boolean {
  return isConfigVariable(name) || RESERVED_VARIABLES.has(name.toLowerCase());
}

/** Stable qId of a script-created variable. */
export function scriptVariableId(name: string): string {
  return `script-${hashString(name).toString(16).padStart(8, "0")}`;
}

/** Variable values by name: persistent definitions and script-created values. */
function variableLookup(ctx: CallContext): (name: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const [k, v] of ctx.doc.scriptVariables) byName.set(k, v);
  for (const rec of ctx.doc.variables.values()) {
    const name = rec.properties.qName;
    if (typeof name === "string") byName.set(name, String(rec.properties.qDefinition ?? ""));
  }
  const lookup = (name: string, depth = 0): string | undefined => {
    const raw = byName.get(name);
    if (raw === undefined || depth > 5) return raw;
    if (raw.trim().startsWith("=")) {
      const v = evaluateExpression(
        raw,
        (n) => lookup(n, depth + 1),
        () => ctx.now(),
      );
      return v === undefined ? raw : typeof v === "number" ? formatNumber(v) : v;
    }
    return raw;
  };
  return (name) => lookup(name);
}

/** Evaluates an expression for Evaluate / EvaluateEx / qStringExpression: `undefined` when unsupported. */
export function evaluate(ctx: CallContext, expr: string): string | number | undefined {
  return evaluateExpression(expr, variableLookup(ctx), () => ctx.now());
}

function entityItems(ctx: CallContext, records: Iterable<EntityRecord>, def: JsonObject): JsonObject[] {
  const type = typeof def.qType === "string" ? def.qType : undefined;
  const out: JsonObject[] = [];
  for (const rec of records) {
    if (type && rec.type !== type) continue;
    out.push({
      qInfo: { qId: rec.id, qType: rec.type },
      qMeta: metaOf(ctx, rec),
      qData: resolveQData(def.qData, rec.properties),
    });
  }
  return out;
}

function variableItems(ctx: CallContext, def: JsonObject): JsonObject[] {
  const showReserved = def.qShowReserved === true;
  const showConfig = def.qShowConfig === true;
  const items: JsonObject[] = [];
  const persistentNames = new Set<string>();
  for (const rec of ctx.doc.variables.values()) {
    const name = String(rec.properties.qName ?? "");
    persistentNames.add(name);
    const item: JsonObject = {
      qName: name,
      qDefinition: String(rec.properties.qDefinition ?? ""),
      qInfo: { qId: rec.id, qType: rec.type },
      qMeta: metaOf(ctx, rec),
      qData: resolveQData(def.qData, rec.properties),
    };
    if (typeof rec.properties.qComment === "string") item.qDescription = rec.properties.qComment;
    items.push(item);
  }
  for (const [name, value] of ctx.doc.scriptVariables) {
    if (persistentNames.has(name)) continue;
    const config = isConfigVariable(name);
    const reserved = isReservedVariable(name);
    if (reserved && !showReserved) continue;
    if (config && !showConfig) continue;
    const item: JsonObject = {
      qName: name,
      qDefinition: value,
      qIsScriptCreated: true,
      qInfo: { qId: scriptVariableId(name), qType: "variable" },
      qData: resolveQData(def.qData, { qName: name, qDefinition: value }),
    };
    if (reserved) item.qIsReserved = true;
    if (config) item.qIsConfig = true;
    items.push(item);
  }
  return items;
}

function fieldItems(ctx: CallContext, def: JsonObject): JsonObject[] {
  const fields = new Map<string, { tables: string[]; rows: number }>();
  for (const t of ctx.doc.tables) {
    for (const f of t.fields) {
      const e = fields.get(f) ?? { tables: [], rows: 0 };
      e.tables.push(t.name);
      e.rows = Math.max(e.rows, t.rows);
      fields.set(f, e);
    }
  }
  return [...fields.entries()].map(([name, e]) => {
    const item: JsonObject = { qName: name, qCardinal: e.rows, qTags: ["$ascii", "$text"] };
    if (def.qShowSrcTables === true) item.qSrcTables = e.tables;
    return item;
  });
}

function hyperCube(ctx: CallContext, def: JsonObject): JsonObject {
  const dims = Array.isArray(def.qDimensions) ? def.qDimensions : [];
  const measures = Array.isArray(def.qMeasures) ? def.qMeasures : [];
  const fieldRows = new Map<string, number>();
  for (const t of ctx.doc.tables)
    for (const f of t.fields) fieldRows.set(f, Math.max(fieldRows.get(f) ?? 0, t.rows));
  let rows = 0;
  const dimInfo = dims.map((d) => {
    const defs = isPlainObject(d) && isPlainObject(d.qDef) ? d.qDef.qFieldDefs : undefined;
    const field = Array.isArray(defs) && typeof defs[0] === "string" ? defs[0].replace(/^=/, "") : "";
    rows = Math.max(rows, fieldRows.get(field) ?? 0);
    return { qFallbackTitle: field, qCardinal: fieldRows.get(field) ?? 0 } as JsonObject;
  });
  const measureInfo = measures.map((m) => {
    const expr = isPlainObject(m) && isPlainObject(m.qDef) ? String(m.qDef.qDef ?? "") : "";
    return { qFallbackTitle: expr } as JsonObject;
  });
  if (dims.length === 0 && measures.length > 0) rows = 1;
  return {
    qSize: { qcx: dims.length + measures.length, qcy: rows },
    qDimensionInfo: dimInfo,
    qMeasureInfo: measureInfo,
    qEffectiveInterColumnSortOrder: [],
    qGrandTotalRow: [],
    qDataPages: [],
    qMode: String(def.qMode ?? "S"),
    qNoOfLeftDims: -1,
  };
}

function renderNode(ctx: CallContext, node: JsonValue): JsonValue {
  if (Array.isArray(node)) return node.map((n) => renderNode(ctx, n));
  if (!isPlainObject(node)) return node;
  const obj = node as JsonObject;
  if (isPlainObject(obj.qStringExpression)) {
    const expr = String((obj.qStringExpression as JsonObject).qExpr ?? "");
    const v = evaluate(ctx, expr);
    return v === undefined ? expr : typeof v === "number" ? formatNumber(v) : v;
  }
  if (isPlainObject(obj.qValueExpression)) {
    const v = evaluate(ctx, String((obj.qValueExpression as JsonObject).qExpr ?? ""));
    return typeof v === "number" ? v : Number(v ?? NaN) || 0;
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    const def = isPlainObject(value) ? (value as JsonObject) : {};
    switch (key) {
      case "qMetaDef":
        break;
      case "qVariableListDef":
        out.qVariableList = { qItems: variableItems(ctx, def) };
        break;
      case "qMeasureListDef":
        out.qMeasureList = { qItems: entityItems(ctx, ctx.doc.measures.values(), def) };
        break;
      case "qDimensionListDef":
        out.qDimensionList = { qItems: entityItems(ctx, ctx.doc.dimensions.values(), def) };
        break;
      case "qBookmarkListDef":
        out.qBookmarkList = { qItems: entityItems(ctx, ctx.doc.bookmarks.values(), def) };
        break;
      case "qAppObjectListDef":
        out.qAppObjectList = { qItems: entityItems(ctx, ctx.doc.objects.values(), def) };
        break;
      case "qFieldListDef":
        out.qFieldList = { qItems: fieldItems(ctx, def) };
        break;
      case "qHyperCubeDef":
        out.qHyperCube = hyperCube(ctx, def);
        break;
      case "qListObjectDef":
        out.qListObject = {
          qSize: { qcx: 1, qcy: 0 },
          qDimensionInfo: {},
          qDataPages: [],
        };
        break;
      default:
        out[key] = renderNode(ctx, value);
    }
  }
  return out;
}

/** Layout of a generic object, master item or bookmark record. */
export function layoutOf(
  ctx: CallContext,
  rec: EntityRecord,
  children?: (rec: ObjectRecord) => ObjectRecord[],
): JsonObject {
  const props = rec.properties;
  const layout = renderNode(ctx, cloneJson(props) as JsonValue) as JsonObject;
  delete layout.qChildListDef;
  layout.qInfo = { qId: rec.id, qType: rec.type };
  layout.qMeta = metaOf(ctx, rec);
  if (children && isPlainObject(props.qChildListDef)) {
    const def = props.qChildListDef as JsonObject;
    layout.qChildList = {
      qItems: children(rec as ObjectRecord).map((c) => ({
        qInfo: { qId: c.id, qType: c.type },
        qMeta: metaOf(ctx, c),
        qData: resolveQData(def.qData, c.properties),
      })),
    };
  }
  if ("qSelectionInfo" in layout === false && children) layout.qSelectionInfo = {};
  return layout;
}

/** GetAppLayout: app properties plus what the engine knows about the open app. */
export function appLayout(ctx: CallContext): JsonObject {
  const doc = ctx.doc;
  const props = cloneJson(doc.appProperties);
  const layout: JsonObject = {
    ...props,
    qTitle: typeof props.qTitle === "string" ? props.qTitle : ctx.session.appRecord.name,
    qFileName: doc.id,
    qLastReloadTime: doc.lastReloadTime ?? "",
    qModified: doc.revision !== doc.savedRevision,
    qHasScript: doc.script.trim().length > 0,
    qStateNames: [...doc.alternateStates],
    qMeta: {
      privileges: ctx.canWrite()
        ? [
            "read",
            "update",
            "delete",
            "reload",
            "export",
            "exportdata",
            "publish",
            "duplicate",
            "change_owner",
          ]
        : ["read", "exportdata"],
    },
    qLocaleInfo: {
      qDecimalSep: doc.scriptVariables.get("DecimalSep") ?? ".",
      qThousandSep: doc.scriptVariables.get("ThousandSep") ?? ",",
      qListSep: ",",
      qMoneyDecimalSep: doc.scriptVariables.get("MoneyDecimalSep") ?? ".",
      qMoneyThousandSep: doc.scriptVariables.get("MoneyThousandSep") ?? ",",
      qCurrentYear: ctx.now().getUTCFullYear(),
      qMoneyFmt: doc.scriptVariables.get("MoneyFormat") ?? "$#,##0.00;-$#,##0.00",
      qTimeFmt: doc.scriptVariables.get("TimeFormat") ?? "h:mm:ss TT",
      qDateFmt: doc.scriptVariables.get("DateFormat") ?? "M/D/YYYY",
      qTimestampFmt: doc.scriptVariables.get("TimestampFormat") ?? "M/D/YYYY h:mm:ss[.fff] TT",
      qCalendarStrings: { qDayNames: [], qMonthNames: [], qLongDayNames: [], qLongMonthNames: [] },
      qFirstWeekDay: 6,
      qBrokenWeeks: false,
      qReferenceDay: 0,
      qFirstMonthOfYear: 1,
      qCollation: "en-US",
      qNumericalAbbreviation:
        "3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;-12:p;-15:f;-18:a;-21:z;-24:y",
    },
    qHasData: doc.tables.length > 0,
    qReadOnly: !ctx.canWrite(),
    qIsOpenedWithoutData: false,
    qIsSessionApp: false,
    qProhibitBinaryLoad: false,
    qThumbnail: { qUrl: "" },
    qIsBDILiveMode: false,
    qIsDirectQueryMode: false,
    qUnsupportedFeatures: [],
    qUsage: "ANALYTICS",
  };
  return layout;
}
