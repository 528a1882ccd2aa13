/**
 * The simulated app evaluator: deterministic performance metrics derived from an app's content.
 *
 * - Only public (published) sheets and their descendant objects are evaluated.
 * - An object's response time grows with its complexity (dimensions, measures, expression length,
 *   aggregation functions, `Aggr(` nesting, set analysis, `If(`, paren depth) and with the rows of the
 *   tables its fields live in.
 * - `openApp` grows with document size; reload peak memory and document size come from the tables.
 * - Noise: one draw `r` in [0,1) per run (the caller takes it from `ctx.random("eval:"+appId)`) scales the
 *   whole run by ±2.5 % and every object by a further ±1.5 % (hash of r and the object id).
 * - Events: a warning when no sheet is public, a warning when the app has no data model, an error for
 *   every object whose expressions reference fields that are not in the data model, a warning for slow
 *   objects.
 */
import type { AppDocument, JsonValue, ObjectRecord } from "../../model/app-document.ts";
import { unitHash } from "./util.ts";

export interface ObjSpec {
  id: string;
  objectType: string;
  sheetId: string;
  sheetTitle: string;
  title: string;
}
export interface ObjTime extends ObjSpec {
  responseTimeSeconds: number;
}
export interface EvalEvent {
  severity: "info" | "warning" | "error";
  errorCode: string;
  message: string;
  objectId?: string;
  objectTitle?: string;
  objectType?: string;
  objectVisualization?: string;
  sheetId?: string;
  sheetTitle?: string;
}

export interface EvalMetrics {
  result: {
    documentSizeMiB: number;
    hasSectionAccess: boolean;
    objectCount: number;
    sheetCount: number;
    rowCount: number;
    openApp: { totalDurationMilliseconds: number; steps: { name: string; durationMilliseconds: number }[] };
    objNoCache: ObjTime[];
    objSlowUncached: ObjTime[];
    objSlowCached: ObjTime[];
    objSingleThreaded: (ObjSpec & { responseTimeSeconds: number; cpuQuotients: number[] })[];
    objMemoryLimit: (ObjSpec & { memoryLimitStatusCode: string })[];
    sheetsUncached: { sheet: ObjTime; objectCount: number; sheetObjects: ObjTime[] }[];
    sheetsCached: { sheet: ObjTime; objectCount: number; sheetObjects: ObjTime[] }[];
    topTablesByBytes: { name: string; byteSize: number; isSystem: boolean }[];
    topFieldsByBytes: { name: string; byteSize: number; isSystem: boolean }[];
  };
  details: {
    concurrentReload: boolean;
    engineHasCache: boolean;
    errors: string[];
    warnings: string[];
    objectMetrics: Record<
      string,
      ObjSpec & {
        passes: {
          responseTimeSeconds: number;
          cpuSeconds: number[];
          cpuQuotients: number[];
          errorCode?: string;
        }[];
      }
    >;
  };
  reloadInformation: {
    amountofrows: number;
    amountoftables: number;
    amountoffields: number;
    amountoffieldvalues: number;
    amountofcardinalfieldvalues: number;
    hassectionaccess: boolean;
    staticbytesize: number;
    reloadmeta: { cpuspent: number; peakmemorybytes: number };
  };
  openAppProgress: { messages: { message: string; timeSinceStartMilliseconds: string }[] };
  events: EvalEvent[];
}

/** Threshold above which an uncached object counts as slow (seconds). */
const SLOW_UNCACHED_SECONDS = 1.0;
/** Threshold above which a cached object counts as slow (seconds). */
const SLOW_CACHED_SECONDS = 0.1;

const KEYWORDS = new Set([
  "total",
  "distinct",
  "nodistinct",
  "all",
  "and",
  "or",
  "not",
  "xor",
  "like",
  "precedes",
  "follows",
  "bitand",
  "bitor",
  "bitxor",
  "bitnot",
  "null",
]);

interface ExprInfo {
  dims: number;
  measures: number;
  expressions: string[];
  fieldRefs: string[];
}

function isObj(v: unknown): v is { [k: string]: JsonValue } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function titleOf(props: { [k: string]: JsonValue }): string {
  const t = props.title;
  if (typeof t === "string" && t !== "") return t;
  if (isObj(t) && isObj(t.qStringExpression) && typeof t.qStringExpression.qExpr === "string")
    return t.qStringExpression.qExpr;
  const meta = props.qMetaDef;
  if (isObj(meta) && typeof meta.title === "string") return meta.title;
  return "";
}

/** Collects dimensions, measures, expressions and plain field references from generic object properties. */
function collectExpressions(props: JsonValue, doc: AppDocument): ExprInfo {
  const info: ExprInfo = { dims: 0, measures: 0, expressions: [], fieldRefs: [] };
  const seenLib = new Set<string>();
  const addFieldDef = (def: string) => {
    const d = def.trim();
    if (d === "") return;
    if (d.startsWith("=")) info.expressions.push(d.slice(1));
    else info.fieldRefs.push(d.replace(/^\[(.*)\]$/, "$1"));
  };
  const resolveLibrary = (id: string) => {
    if (seenLib.has(id)) return;
    seenLib.add(id);
    const m = doc.measures.get(id);
    if (m && isObj(m.properties.qMeasure) && typeof m.properties.qMeasure.qDef === "string")
      info.expressions.push(m.properties.qMeasure.qDef);
    const dim = doc.dimensions.get(id);
    if (dim && isObj(dim.properties.qDim) && Array.isArray(dim.properties.qDim.qFieldDefs))
      for (const f of dim.properties.qDim.qFieldDefs) if (typeof f === "string") addFieldDef(f);
  };
  const walk = (node: JsonValue, key: string) => {
    if (Array.isArray(node)) {
      if (key === "qDimensions") info.dims += node.length;
      if (key === "qMeasures") info.measures += node.length;
      if (key === "qFieldDefs") {
        for (const f of node) if (typeof f === "string") addFieldDef(f);
        return;
      }
      for (const x of node) walk(x, key);
      return;
    }
    if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === "qInfo" || k === "qMetaDef" || k === "qChildListDef" || k === "qExtendsId") continue;
        if (k === "qListObjectDef" && isObj(v)) info.dims += 1;
        if (typeof v === "string") {
          if ((k === "qDef" && key !== "qDimensions") || k === "qExpr" || k === "qExpression") {
            if (v.trim() !== "") info.expressions.push(v.replace(/^\s*=/, ""));
          } else if (k === "qLibraryId" && v !== "") resolveLibrary(v);
        } else walk(v, k);
      }
    }
  };
  walk(props, "");
  return info;
}

/** Field names an expression references (strings, variables, set-analysis value sets and functions removed). */
export function fieldsInExpression(expr: string): string[] {
  let s = expr.replace(/'(?:[^']|'')*'/g, " ");
  s = s.replace(/\$\((?:[^()]|\([^()]*\))*\)/g, " ");
  s = s.replace(/=\s*[-+*/]?\s*[pe]?\s*\{[^{}]*\}/gi, "= ");
  s = s.replace(/\{\s*[\w$]+\s*(?=<|\})/g, "{");
  s = s.replace(/\/\/.*$/gm, " ").replace(/\/\*[\s\S]*?\*\//g, " ");
  const out: string[] = [];
  const re = /\[([^\]]+)\]|"([^"]+)"|([A-Za-z_\u00C0-\uFFFF][\w.#$\u00C0-\uFFFF]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const name = m[1] ?? m[2] ?? m[3];
    const after = s.slice(re.lastIndex).match(/^\s*\(/);
    if (m[3] !== undefined) {
      if (after) continue; // a function call
      if (KEYWORDS.has(name.toLowerCase())) continue;
    }
    out.push(name);
  }
  return out;
}

/** Complexity units of one expression. */
function expressionCost(expr: string): number {
  const count = (re: RegExp) => (expr.match(re) ?? []).length;
  let depth = 0;
  let maxDepth = 0;
  for (const ch of expr) {
    if (ch === "(") maxDepth = Math.max(maxDepth, ++depth);
    else if (ch === ")") depth--;
  }
  return (
    expr.length / 120 +
    2.5 * count(/\baggr\s*\(/gi) +
    0.7 * count(/\{\s*[\w$]*\s*</g) +
    0.25 *
      count(
        /\b(sum|count|avg|min|max|only|concat|fractile|median|stdev|mode|firstsortedvalue|rangesum)\s*\(/gi,
      ) +
    0.3 * count(/\bif\s*\(/gi) +
    0.3 * count(/\b(distinct|total)\b/gi) +
    0.4 * Math.max(0, maxDepth - 2)
  );
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

interface TableStats {
  name: string;
  rows: number;
  fields: string[];
  bytes: number;
}

function tableStats(doc: AppDocument): TableStats[] {
  return doc.tables.map((t) => ({
    name: t.name,
    rows: t.rows,
    fields: t.fields,
    // ~8 bytes per cell for the bit-stuffed index plus ~30 % symbol-table overhead
    bytes: Math.round(t.rows * Math.max(1, t.fields.length) * 8 * 1.3 + 4096),
  }));
}

function isSheet(o: ObjectRecord): boolean {
  const info = o.properties.qInfo;
  const t = isObj(info) && typeof info.qType === "string" ? info.qType : o.type;
  return t === "sheet";
}

function typeOf(o: ObjectRecord): string {
  const info = o.properties.qInfo;
  return isObj(info) && typeof info.qType === "string" ? info.qType : o.type;
}

function visualizationOf(o: ObjectRecord): string {
  return typeof o.properties.visualization === "string" ? o.properties.visualization : typeOf(o);
}

/**
 * Computes an evaluation's metrics for `doc`. `r` in [0,1) is the run's noise draw; `appId` labels the
 * per-object noise so two apps do not share it.
 */
export function computeEvaluation(doc: AppDocument, r: number, appId: string): EvalMetrics {
  const tables = tableStats(doc);
  const totalRows = tables.reduce((a, t) => a + t.rows, 0);
  const knownFields = new Set<string>();
  for (const t of tables) for (const f of t.fields) knownFields.add(f.toLowerCase());
  for (const v of doc.variables.values()) {
    const name = isObj(v.properties) && typeof v.properties.qName === "string" ? v.properties.qName : "";
    if (name) knownFields.add(name.toLowerCase());
  }
  for (const name of doc.scriptVariables.keys()) knownFields.add(name.toLowerCase());
  for (const sys of ["$field", "$table", "$rows", "$fields", "$fieldno", "$info"]) knownFields.add(sys);
  const hasModel = tables.length > 0;
  const hasSectionAccess = /\bsection\s+access\b/i.test(doc.script);

  const runFactor = 1 + (r * 2 - 1) * 0.025;
  const objNoise = (id: string, pass: string) =>
    1 + (unitHash(`${r}:${appId}:${id}:${pass}`) * 2 - 1) * 0.015;

  const events: EvalEvent[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];

  const sheets = [...doc.objects.values()]
    .filter((o) => isSheet(o) && o.published)
    .sort((a, b) => {
      const ra = isObj(a.properties) && typeof a.properties.rank === "number" ? a.properties.rank : 0;
      const rb = isObj(b.properties) && typeof b.properties.rank === "number" ? b.properties.rank : 0;
      return ra - rb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
  if (sheets.length === 0) {
    const msg =
      "The app has no public sheets; nothing was evaluated. Publish (approve) sheets so consumers and evaluations see them.";
    events.push({ severity: "warning", errorCode: "EVAL-NO-PUBLIC-SHEETS", message: msg });
    warnings.push(msg);
  }
  if (!hasModel) {
    const msg = "The app has no data model; reload it before evaluating for meaningful response times.";
    events.push({ severity: "warning", errorCode: "EVAL-NO-DATA", message: msg });
    warnings.push(msg);
  }

  const objectMetrics: EvalMetrics["details"]["objectMetrics"] = {};
  const noCache: ObjTime[] = [];
  const cachedList: ObjTime[] = [];
  const single: EvalMetrics["result"]["objSingleThreaded"] = [];
  const memLimit: EvalMetrics["result"]["objMemoryLimit"] = [];
  const sheetsUncached: EvalMetrics["result"]["sheetsUncached"] = [];
  const sheetsCached: EvalMetrics["result"]["sheetsCached"] = [];

  for (const sheet of sheets) {
    const sheetTitle = titleOf(sheet.properties);
    const descendants: ObjectRecord[] = [];
    const visit = (ids: string[]) => {
      for (const id of ids) {
        const o = doc.objects.get(id);
        if (!o || descendants.includes(o)) continue;
        descendants.push(o);
        visit(o.childIds);
      }
    };
    visit(sheet.childIds);
    const sheetObjs: ObjTime[] = [];
    const sheetObjsCached: ObjTime[] = [];
    for (const o of descendants) {
      const spec: ObjSpec = {
        id: o.id,
        objectType: typeOf(o),
        sheetId: sheet.id,
        sheetTitle,
        title: titleOf(o.properties),
      };
      const info = collectExpressions(o.properties, doc);
      const refs = [...info.fieldRefs, ...info.expressions.flatMap(fieldsInExpression)];
      const unknown = hasModel ? [...new Set(refs.filter((f) => !knownFields.has(f.toLowerCase())))] : [];
      const touched = tables.filter((t) =>
        t.fields.some((f) => refs.some((x) => x.toLowerCase() === f.toLowerCase())),
      );
      const rows =
        touched.length > 0
          ? Math.max(...touched.map((t) => t.rows))
          : tables.length > 0
            ? Math.max(...tables.map((t) => t.rows))
            : 0;
      const hasCube = info.dims + info.measures > 0 || info.expressions.length > 0;
      const cx = hasCube
        ? 1 +
          0.6 * info.dims +
          0.5 * info.measures +
          0.3 * info.dims * info.measures +
          info.expressions.reduce((a, e) => a + expressionCost(e), 0)
        : 0.3;
      const rowFactor = 1 + Math.sqrt(rows) / 120;
      let uncached = 0.01 * cx * rowFactor * runFactor * objNoise(o.id, "uncached");
      let errorCode: string | undefined;
      if (unknown.length > 0) {
        errorCode = "EVAL-FIELD-NOT-FOUND";
        uncached = 0.004 * runFactor * objNoise(o.id, "uncached");
        const msg = `Object '${spec.title || o.id}' on sheet '${sheetTitle || sheet.id}' references unknown field(s): ${unknown.join(", ")}.`;
        errors.push(msg);
        events.push({
          severity: "error",
          errorCode,
          message: msg,
          objectId: o.id,
          objectTitle: spec.title,
          objectType: spec.objectType,
          objectVisualization: visualizationOf(o),
          sheetId: sheet.id,
          sheetTitle,
        });
      }
      const cached = uncached * 0.12 * objNoise(o.id, "cached");
      const u = round(uncached, 5);
      const c = round(cached, 5);
      const aggrHeavy = info.expressions.some((e) => /\baggr\s*\(/i.test(e));
      const cpuQ = aggrHeavy
        ? [round(1.05 + 0.1 * unitHash(`${r}:${o.id}:q`), 3)]
        : [round(3.2 + 0.6 * unitHash(`${r}:${o.id}:q`), 3)];
      objectMetrics[o.id] = {
        ...spec,
        passes: [
          {
            responseTimeSeconds: u,
            cpuSeconds: [round(u * cpuQ[0], 5)],
            cpuQuotients: cpuQ,
            ...(errorCode ? { errorCode } : {}),
          },
          {
            responseTimeSeconds: c,
            cpuSeconds: [round(c * cpuQ[0], 5)],
            cpuQuotients: cpuQ,
            ...(errorCode ? { errorCode } : {}),
          },
        ],
      };
      noCache.push({ ...spec, responseTimeSeconds: u });
      cachedList.push({ ...spec, responseTimeSeconds: c });
      sheetObjs.push({ ...spec, responseTimeSeconds: u });
      sheetObjsCached.push({ ...spec, responseTimeSeconds: c });
      if (aggrHeavy) single.push({ ...spec, responseTimeSeconds: u, cpuQuotients: cpuQ });
      if (rows * cx > 5e8) memLimit.push({ ...spec, memoryLimitStatusCode: "MEMORY_LIMIT_EXCEEDED" });
      if (u > SLOW_UNCACHED_SECONDS) {
        events.push({
          severity: "warning",
          errorCode: "EVAL-SLOW-OBJECT",
          message: `Object '${spec.title || o.id}' took ${u.toFixed(3)} s to calculate without cache.`,
          objectId: o.id,
          objectTitle: spec.title,
          objectType: spec.objectType,
          objectVisualization: visualizationOf(o),
          sheetId: sheet.id,
          sheetTitle,
        });
      }
    }
    const sum = (l: ObjTime[]) => l.reduce((a, x) => a + x.responseTimeSeconds, 0);
    const sheetSpec = { id: sheet.id, objectType: "sheet", sheetId: sheet.id, sheetTitle, title: sheetTitle };
    sheetsUncached.push({
      sheet: { ...sheetSpec, responseTimeSeconds: round(0.02 + sum(sheetObjs) * 0.7, 5) },
      objectCount: sheetObjs.length,
      sheetObjects: sheetObjs,
    });
    sheetsCached.push({
      sheet: { ...sheetSpec, responseTimeSeconds: round(0.005 + sum(sheetObjsCached) * 0.7, 5) },
      objectCount: sheetObjsCached.length,
      sheetObjects: sheetObjsCached,
    });
  }

  const byTime = (a: ObjTime, b: ObjTime) =>
    b.responseTimeSeconds - a.responseTimeSeconds || (a.id < b.id ? -1 : 1);
  noCache.sort(byTime);
  const docBytes =
    tables.reduce((a, t) => a + t.bytes, 0) + 180 * 1024 + doc.objects.size * 3072 + doc.script.length * 2;
  const documentSizeMiB = round(docBytes / 1048576, 4);
  const loadModelMs = 40 + documentSizeMiB * 35;
  const loadObjectsMs = 20 + doc.objects.size * 1.5;
  const openTotal = round((10 + loadModelMs + loadObjectsMs) * runFactor, 1);
  const fieldBytes = new Map<string, number>();
  for (const t of tables)
    for (const f of t.fields)
      fieldBytes.set(f, (fieldBytes.get(f) ?? 0) + Math.round(t.bytes / Math.max(1, t.fields.length)));
  const totalFields = tables.reduce((a, t) => a + t.fields.length, 0);
  const fieldValues = tables.reduce((a, t) => a + t.rows * t.fields.length, 0);

  return {
    result: {
      documentSizeMiB,
      hasSectionAccess,
      objectCount: noCache.length,
      sheetCount: sheets.length,
      rowCount: totalRows,
      openApp: {
        totalDurationMilliseconds: openTotal,
        steps: [
          { name: "Lookup", durationMilliseconds: round(10 * runFactor, 1) },
          { name: "LoadDataModel", durationMilliseconds: round(loadModelMs * runFactor, 1) },
          { name: "LoadObjects", durationMilliseconds: round(loadObjectsMs * runFactor, 1) },
        ],
      },
      objNoCache: noCache,
      objSlowUncached: noCache.filter((o) => o.responseTimeSeconds > SLOW_UNCACHED_SECONDS),
      objSlowCached: cachedList.filter((o) => o.responseTimeSeconds > SLOW_CACHED_SECONDS).sort(byTime),
      objSingleThreaded: single.sort(byTime),
      objMemoryLimit: memLimit,
      sheetsUncached,
      sheetsCached,
      topTablesByBytes: [...tables]
        .sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1))
        .slice(0, 10)
        .map((t) => ({ name: t.name, byteSize: t.bytes, isSystem: false })),
      topFieldsByBytes: [...fieldBytes.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 10)
        .map(([name, byteSize]) => ({ name, byteSize, isSystem: false })),
    },
    details: {
      concurrentReload: false,
      engineHasCache: false,
      errors,
      warnings,
      objectMetrics,
    },
    reloadInformation: {
      amountofrows: totalRows,
      amountoftables: tables.length,
      amountoffields: totalFields,
      amountoffieldvalues: fieldValues,
      amountofcardinalfieldvalues: tables.reduce((a, t) => a + t.fields.length * Math.ceil(t.rows * 0.3), 0),
      hassectionaccess: hasSectionAccess,
      staticbytesize: docBytes,
      reloadmeta: {
        cpuspent: round(0.2 + fieldValues / 2e6, 3),
        peakmemorybytes: Math.round(docBytes * 3 + 48 * 1048576),
      },
    },
    openAppProgress: {
      messages: [
        { message: "Opening app", timeSinceStartMilliseconds: "0" },
        { message: "Data model loaded", timeSinceStartMilliseconds: String(Math.round(10 + loadModelMs)) },
        { message: "App opened", timeSinceStartMilliseconds: String(Math.round(openTotal)) },
      ],
    },
    events,
  };
}
