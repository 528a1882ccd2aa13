/**
 * Simulated Qlik load script execution. It does not read data: it follows the statements to produce the
 * data model (tables, fields, row counts), the script variables and a reload log shaped like Qlik's, so
 * that reloads succeed or fail for the same reasons they would on Qlik Cloud (missing connections,
 * unknown statements, unbalanced parentheses, missing tables) and heavier data takes measurably longer.
 *
 * Supported: `///$tab` sections; SET / LET / implicit `x = …`; `$(var)` expansion; LIB CONNECT TO;
 * `lib://Connection/…` references (the connection must exist in the app); LOAD … INLINE / FROM /
 * AUTOGENERATE / RESIDENT, preceding LOADs, SQL SELECT; table labels; load prefixes (NoConcatenate,
 * Concatenate, Join, Keep, Mapping); automatic concatenation of identical field sets; DROP TABLE/FIELD,
 * RENAME TABLE/FIELD, STORE … INTO, TRACE, EXIT SCRIPT; control statements (IF, FOR, SUB, …) are accepted
 * but not evaluated: every body runs once.
 *
 * Field values: rows the script itself holds are read — INLINE tables, and what resident and preceding
 * loads derive from them (field references, `x AS y`, and the expressions the small evaluator knows,
 * WHERE included). Data behind files, databases and AUTOGENERATE is not read: its fields have a row
 * count but no known values.
 */
import type { AppDocument, TableRecord } from "../model/app-document.ts";
import { dollarExpand, evaluateExpression, formatNumber } from "./expression.ts";
import { findTopLevelKeyword, splitScript, splitTopLevel, unquoteName } from "./script-splitter.ts";
import type { ScriptStatement } from "./script-splitter.ts";

export interface LoadScriptResult {
  ok: boolean;
  log: string;
  /** Data model after the script. Apply it (and scriptVariables) to the app only when `ok` is true. */
  tables: TableRecord[];
  scriptVariables: Map<string, string>;
  /** One entry per error, e.g. "Line 7: Connection 'Sales DB' not found". Empty when ok. */
  errorLines: string[];
  durationMs: number;
}

/** Structured error, used by the engine for GetProgress error data. */
export interface ScriptError {
  line: number;
  section: string;
  message: string;
  statement: string;
}

export interface DetailedLoadScriptResult extends LoadScriptResult {
  errors: ScriptError[];
  rowsFetched: number;
}

/** One row the simulator knows the values of: field name → text (a missing key is an unknown value). */
type Row = Record<string, string>;

interface TableState {
  name: string;
  fields: string[];
  rows: number;
  mapping: boolean;
  /** Rows whose values are known (INLINE data and what derives from it); may be fewer than `rows`. */
  data: Row[];
}

/** One item of a LOAD field list: the field it makes and the expression it comes from. */
interface FieldSpec {
  name: string;
  expr: string;
  /** The source field when the expression is just a field name (or `*`). */
  plain: string | null;
}

class ScriptFailure extends Error {}

/** Deterministic FNV-1a hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Row count a file "contains": derived from its path, 1,000 … 1,000,000. */
export function simulatedRowCount(source: string): number {
  return 1000 + (hashString(source.trim().toLowerCase()) % 999_001);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

function formatTimestamp(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

const NO_OP_STATEMENTS =
  /^(?:IF|ELSEIF|ELSE|END\s*IF|FOR|NEXT|SUB|END\s*SUB|DO|LOOP|SWITCH|CASE|DEFAULT|END\s*SWITCH|CALL|EXIT\s+(?:FOR|DO|SUB)|ALIAS|BINARY|COMMENT|DECLARE|DERIVE|DIRECTORY|DISCONNECT|FLUSHLOG|FORCE|LOOSEN|MAP|NULLASNULL|NULLASVALUE|QUALIFY|UNQUALIFY|SEARCH|SECTION|SLEEP|STAR|TAG|UNTAG|UNMAP|SEMANTIC)\b/i;

const LOAD_PREFIX =
  /^(?:NOCONCATENATE|MAPPING|CONCATENATE(?:\s*\([^)]*\))?|(?:LEFT\s+|RIGHT\s+|INNER\s+|OUTER\s+)?(?:JOIN|KEEP)(?:\s*\([^)]*\))?|FIRST\s+\d+|SAMPLE\s+[\d.]+|BUFFER(?:\s*\([^)]*\))?|REPLACE|ADD|ONLY|MERGE(?:\s*\([^)]*\))?)\s+/i;

const PLAIN_FIELD = /^(?:\[[^\]]+\]|"[^"]+"|`[^`]+`|[A-Za-z_\u00C0-\uFFFF][\w.$#%\u00C0-\uFFFF]*|\*)$/;

/** Parses a LOAD/SELECT field list. `*` is kept as a spec named "*". */
function parseFieldSpecs(list: string): FieldSpec[] {
  const specs: FieldSpec[] = [];
  for (const raw of splitTopLevel(list, ",")) {
    const item = raw.trim();
    if (!item) continue;
    const as = findTopLevelKeyword(item, ["AS"]);
    const expr = (as ? item.slice(0, as.index) : item).trim();
    const name = unquoteName((as ? item.slice(as.index + 2) : item).trim());
    if (!name || specs.some((s) => s.name === name)) continue;
    specs.push({ name, expr, plain: PLAIN_FIELD.test(expr) ? unquoteName(expr) : null });
  }
  return specs;
}

/** Parses a LOAD/SELECT field list into field names. `*` is kept as "*". */
function parseFieldList(list: string): string[] {
  return parseFieldSpecs(list).map((s) => s.name);
}

/** The cells of one INLINE data line (quotes and brackets removed). */
function inlineCells(line: string, delim: string): string[] {
  return splitTopLevel(line, delim).map((c) => unquoteName(c));
}

/** Extracts the connection names of all `lib://Name/…` references. */
function libReferences(text: string): string[] {
  const names: string[] = [];
  // Connection names may contain spaces (`[lib://Sales Data/orders.qvd]`); the name ends at the first
  // slash, closing bracket or quote.
  const re = /lib:\/\/([^/\]'"`;)\r\n]+)/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) names.push(m[1].trim());
  return names;
}

export function runLoadScript(doc: AppDocument, options: { now?: () => Date } = {}): LoadScriptResult {
  const r = runLoadScriptDetailed(doc, options);
  return {
    ok: r.ok,
    log: r.log,
    tables: r.tables,
    scriptVariables: r.scriptVariables,
    errorLines: r.errorLines,
    durationMs: r.durationMs,
  };
}

export function runLoadScriptDetailed(
  doc: AppDocument,
  options: { now?: () => Date } = {},
): DetailedLoadScriptResult {
  const now = () => (options.now ? options.now() : new Date());
  const start = now();
  let elapsedMs = 0;
  const logLines: string[] = [];
  const ts = () => formatTimestamp(new Date(start.getTime() + elapsedMs));
  const log = (text: string) => logLines.push(`${ts()}      ${text}`);
  const logStatementLine = (lineNo: number, text: string) =>
    logLines.push(`${ts()} ${String(lineNo).padStart(4, "0")}  ${text}`);

  const vars = new Map<string, string>();
  const tables: TableState[] = [];
  const errors: ScriptError[] = [];
  let rowsFetched = 0;
  let autoTableCounter = 0;
  let pendingPreceding: { fields: string[]; specs: FieldSpec[]; label: string | null } | null = null;
  let connected: string | null = null;

  const lookupVar = (name: string) => vars.get(name);
  const findTable = (name: string) => tables.find((t) => t.name === name);
  const connectionNames = [...doc.connections.values()].map((c) => c.name);
  const resolveConnection = (name: string): string | undefined => {
    if (connectionNames.includes(name)) return name;
    const idx = name.lastIndexOf(":");
    if (idx >= 0) {
      const bare = name.slice(idx + 1);
      if (connectionNames.includes(bare)) return bare;
    }
    return undefined;
  };
  const fail = (message: string): never => {
    throw new ScriptFailure(message);
  };
  const checkLibRefs = (text: string) => {
    for (const ref of libReferences(text)) {
      if (!resolveConnection(ref)) fail(`Connection '${ref}' not found`);
    }
  };

  /** A row's field values first, then script variables: what a LOAD expression sees. */
  const evaluateInRow = (expr: string, row: Row) =>
    evaluateExpression(expr, (name) => row[name] ?? lookupVar(name), now);
  /** Applies a field list to known rows; a value the evaluator cannot compute stays unknown. */
  const project = (rows: Row[], specs: FieldSpec[]): Row[] =>
    rows.map((row) => {
      const out: Row = {};
      for (const spec of specs) {
        if (spec.plain === "*") Object.assign(out, row);
        else if (spec.plain !== null && row[spec.plain] !== undefined) out[spec.name] = row[spec.plain];
        else {
          const v = evaluateInRow(spec.expr, row);
          if (v !== undefined) out[spec.name] = typeof v === "number" ? formatNumber(v) : v;
        }
      }
      return out;
    });
  /** Keeps the rows a WHERE clause accepts; no known rows when it cannot be evaluated on every row. */
  const where = (rows: Row[], clause: string | null): Row[] => {
    if (clause === null) return rows;
    const kept: Row[] = [];
    for (const row of rows) {
      const v = evaluateInRow(clause, row);
      if (v === undefined) return [];
      if (typeof v === "number" ? v !== 0 : v !== "" && v !== "0") kept.push(row);
    }
    return kept;
  };
  /** The text of a WHERE clause in the rest of a LOAD (up to GROUP BY / ORDER BY), or null. */
  const whereClause = (rest: string): string | null => {
    const w = findTopLevelKeyword(rest, ["WHERE"]);
    if (!w) return null;
    const tail = rest.slice(w.index + 5);
    const end = findTopLevelKeyword(tail, ["GROUP", "ORDER"]);
    return (end ? tail.slice(0, end.index) : tail).trim().replace(/;$/, "");
  };

  const addTable = (
    label: string | null,
    defaultName: string,
    fields: string[],
    rows: number,
    prefixes: string,
    data: Row[] = [],
  ): TableState => {
    const prefix = prefixes.toUpperCase();
    rowsFetched += rows;
    elapsedMs += Math.round(rows * 0.002);
    const concatTarget = /CONCATENATE\s*\(([^)]*)\)/i.exec(prefixes);
    const joinTarget = /(?:JOIN|KEEP)\s*\(([^)]*)\)/i.exec(prefixes);
    const last = tables[tables.length - 1];
    if (/\b(?:JOIN|KEEP)\b/.test(prefix)) {
      const target = joinTarget ? findTable(unquoteName(joinTarget[1])) : last;
      if (!target) fail(`Table '${joinTarget ? unquoteName(joinTarget[1]) : ""}' not found`);
      const t = target as TableState;
      for (const f of fields) if (!t.fields.includes(f)) t.fields.push(f);
      // Joined values are not merged into the target's known rows: joined fields stay unknown.
      if (/\bKEEP\b/.test(prefix)) {
        const kept: TableState = { name: label ?? defaultName, fields, rows, mapping: false, data };
        tables.push(kept);
        return kept;
      }
      return t;
    }
    if (/\bCONCATENATE\b/.test(prefix) && !/\bNOCONCATENATE\b/.test(prefix)) {
      const target = concatTarget ? findTable(unquoteName(concatTarget[1])) : last;
      if (!target) fail(`Table '${concatTarget ? unquoteName(concatTarget[1]) : ""}' not found`);
      const t = target as TableState;
      for (const f of fields) if (!t.fields.includes(f)) t.fields.push(f);
      t.rows += rows;
      t.data.push(...data);
      return t;
    }
    const mapping = /\bMAPPING\b/.test(prefix);
    if (!/\bNOCONCATENATE\b/.test(prefix) && !mapping) {
      const key = [...fields].sort().join("\u0000");
      const same = tables.find((t) => !t.mapping && [...t.fields].sort().join("\u0000") === key);
      if (same) {
        same.rows += rows;
        same.data.push(...data);
        return same;
      }
    }
    let name = label ?? defaultName;
    if (findTable(name)) {
      let k = 1;
      while (findTable(`${name}-${k}`)) k += 1;
      name = `${name}-${k}`;
    }
    const t: TableState = { name, fields: [...fields], rows, mapping, data };
    tables.push(t);
    return t;
  };

  const executeLoad = (label: string | null, prefixes: string, body: string) => {
    // body starts after the LOAD keyword.
    let rest = body.replace(/^DISTINCT\s+/i, "");
    const src = findTopLevelKeyword(rest, ["INLINE", "FROM", "AUTOGENERATE", "RESIDENT", "EXTENSION"]);
    const fieldText = src ? rest.slice(0, src.index) : rest;
    const specs = parseFieldSpecs(fieldText);
    let fields = specs.map((f) => f.name);
    if (fields.length === 0) fail("Field list is empty");
    if (!src) {
      // Preceding load: its input is the next LOAD or SELECT.
      // The label of a preceding LOAD names the table the loads below it make.
      pendingPreceding = { fields, specs, label: label ?? pendingPreceding?.label ?? null };
      return;
    }
    rest = rest.slice(src.index + src.keyword.length).trim();
    const preceding = pendingPreceding as {
      fields: string[];
      specs: FieldSpec[];
      label: string | null;
    } | null;
    pendingPreceding = null;
    let rows: number;
    let defaultName: string;
    let data: Row[] = [];
    switch (src.keyword) {
      case "INLINE": {
        const m = /^(\[[\s\S]*?\](?!\])|"[\s\S]*?"|'[\s\S]*?')\s*(\([^)]*\))?/.exec(rest);
        if (!m) fail("INLINE data must be enclosed in [ ], \" \" or ' '");
        const text = (m as RegExpExecArray)[1].slice(1, -1);
        const spec = (m as RegExpExecArray)[2] ?? "";
        const delimMatch = /delimiter\s+is\s+'([^']*)'/i.exec(spec);
        const delim = delimMatch ? delimMatch[1].replace(/^\\t$/, "\t") : ",";
        const lines = text
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l.length > 0);
        if (lines.length === 0) fail("INLINE table has no header line");
        const sep = delim.length === 1 ? delim : ",";
        const header = inlineCells(lines[0], sep);
        rows = lines.length - 1;
        data = lines.slice(1).map((line) => {
          const cells = inlineCells(line, sep);
          const row: Row = {};
          header.forEach((h, i) => {
            if (cells[i] !== undefined) row[h] = cells[i];
          });
          return row;
        });
        if (fields.length === 1 && fields[0] === "*") fields = header;
        else data = project(data, specs);
        data = where(data, whereClause(rest.slice((m as RegExpExecArray)[0].length)));
        autoTableCounter += 1;
        defaultName = `INLINE${autoTableCounter > 1 ? `-${autoTableCounter - 1}` : ""}`;
        break;
      }
      case "FROM": {
        const m = /^(\[[^\]]*\]|'[^']*'|"[^"]*"|[^\s(]+)\s*(\([^)]*\))?/.exec(rest);
        if (!m) fail("FROM needs a file path");
        const path = unquoteName((m as RegExpExecArray)[1]);
        if (!/^lib:\/\//i.test(path)) {
          fail(
            `Path '${path}' is not a lib:// reference: Qlik Cloud reads files only through data connections`,
          );
        }
        checkLibRefs(path);
        rows = simulatedRowCount(path);
        const base = (path.split("/").pop() ?? path).replace(/\.[^.]*$/, "") || "Table";
        if (fields.length === 1 && fields[0] === "*") fields = [`${base}Id`, `${base}Name`, `${base}Value`];
        defaultName = base;
        break;
      }
      case "AUTOGENERATE": {
        const m = /^(\S+)/.exec(rest);
        const v = m ? evaluateExpression(m[1], lookupVar, now) : undefined;
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) fail("AUTOGENERATE needs a row count");
        rows = Math.floor(v as number);
        autoTableCounter += 1;
        defaultName = `AUTOGENERATE${autoTableCounter > 1 ? `-${autoTableCounter - 1}` : ""}`;
        break;
      }
      case "RESIDENT": {
        const m = /^(\[[^\]]*\]|"[^"]*"|'[^']*'|[^\s;]+)/.exec(rest);
        const name = m ? unquoteName(m[1]) : "";
        const from = findTable(name);
        if (!from) fail(`Table '${name}' not found`);
        const t = from as TableState;
        rows = t.rows;
        if (findTopLevelKeyword(rest, ["WHERE"])) rows = Math.floor(rows / 2);
        const grouped = findTopLevelKeyword(rest, ["GROUP"]) !== null;
        if (grouped) rows = Math.max(1, Math.ceil(rows / 10));
        // Grouped rows keep the values of plain fields; aggregations are not computed.
        const kept = where(t.data, whereClause(rest));
        data = project(kept, grouped ? specs.filter((f) => f.plain !== null) : specs);
        if (fields.length === 1 && fields[0] === "*") fields = [...t.fields];
        defaultName = name;
        break;
      }
      default:
        fail(`Unsupported source ${src.keyword}`);
        return;
    }
    if (src.keyword !== "RESIDENT" && findTopLevelKeyword(rest, ["WHERE"])) rows = Math.floor(rows / 2);
    if (preceding && !preceding.fields.includes("*")) {
      fields = preceding.fields;
      data = project(data, preceding.specs);
    }
    const table = addTable(label ?? preceding?.label ?? null, defaultName, fields, rows, prefixes, data);
    log(`${fields.length} fields found: ${fields.join(", ")}, `);
    log(`${rows} Lines fetched`);
    void table;
  };

  const executeSelect = (label: string | null, prefixes: string, body: string) => {
    if (!connected) fail("No open database: use LIB CONNECT TO before SELECT");
    const from = findTopLevelKeyword(body, ["FROM"]);
    const fieldText = from ? body.slice(0, from.index) : body;
    let fields = parseFieldList(fieldText);
    const source = from ? (/^\s*(\S+)/.exec(body.slice(from.index + 4))?.[1] ?? "") : "";
    const sourceName = unquoteName(source.split(".").pop() ?? source) || "SELECT";
    let rows = simulatedRowCount(`${connected}/${source}`);
    if (findTopLevelKeyword(body, ["WHERE"])) rows = Math.floor(rows / 2);
    const preceding = pendingPreceding as { fields: string[]; label: string | null } | null;
    pendingPreceding = null;
    if (fields.length === 1 && fields[0] === "*") {
      fields = [`${sourceName}Id`, `${sourceName}Name`, `${sourceName}Value`];
    }
    if (preceding && !preceding.fields.includes("*")) fields = preceding.fields;
    addTable(label ?? preceding?.label ?? null, sourceName, fields, rows, prefixes);
    log(`${fields.length} fields found: ${fields.join(", ")}, `);
    log(`${rows} Lines fetched`);
  };

  const executeStatement = (st: ScriptStatement): "continue" | "exit" => {
    if (st.parenError === "missing") fail("Unbalanced parentheses: missing ')'");
    if (st.parenError === "unexpected") fail("Unbalanced parentheses: unexpected ')'");
    const rawText = st.text;
    // A lib:// path inside a SET/LET value is only a string until a statement uses it.
    const isAssignment = /^\s*(SET|LET)\s/i.test(rawText);
    if (!isAssignment) checkLibRefs(rawText);
    let text = dollarExpand(rawText, lookupVar, now).trim();
    if (!isAssignment) checkLibRefs(text);
    elapsedMs += 5;

    // SET / LET / implicit assignment (keep the raw right-hand side for SET).
    const setMatch = /^SET\s+([^=\s]+|\[[^\]]+\])\s*=\s*([\s\S]*)$/i.exec(text);
    if (setMatch) {
      vars.set(unquoteName(setMatch[1]), stripQuotes(setMatch[2].trim()));
      return "continue";
    }
    const letMatch = /^(?:LET\s+)?([A-Za-z_][\w.]*|\[[^\]]+\])\s*=\s*([\s\S]*)$/i.exec(text);
    if (letMatch && (/^LET\s/i.test(text) || !/^(?:LOAD|SELECT|SQL)\b/i.test(text))) {
      const expr = letMatch[2].trim();
      const v = expr === "" ? "" : evaluateExpression(expr, lookupVar, now);
      vars.set(
        unquoteName(letMatch[1]),
        v === undefined ? expr : typeof v === "number" ? formatNumber(v) : v,
      );
      return "continue";
    }
    if (/^LET\b/i.test(text) || /^SET\b/i.test(text)) fail(`Syntax error in assignment: ${firstLine(text)}`);

    const lib = /^LIB\s+CONNECT\s+TO\s+(.+)$/i.exec(text);
    if (lib) {
      const name = unquoteName(lib[1].trim());
      const resolved = resolveConnection(name);
      if (!resolved) fail(`Connection '${name}' not found`);
      connected = resolved as string;
      log(`Connected to '${resolved}'`);
      return "continue";
    }
    if (/^EXIT\s+SCRIPT\b/i.test(text)) {
      const when = /\b(WHEN|UNLESS)\s+([\s\S]+)$/i.exec(text);
      if (when) {
        const v = evaluateExpression(when[2], lookupVar, now);
        const truth = typeof v === "number" ? v !== 0 : v !== undefined && v !== "" && v !== "0";
        if ((when[1].toUpperCase() === "WHEN") !== truth) return "continue";
      }
      log("Exiting script");
      return "exit";
    }
    if (/^TRACE\b/i.test(text)) {
      log(text.replace(/^TRACE\s*/i, ""));
      return "continue";
    }
    const drop = /^DROP\s+(TABLES?|FIELDS?)\s+([\s\S]+)$/i.exec(text);
    if (drop) {
      if (drop[1].toUpperCase().startsWith("TABLE")) {
        for (const raw of splitTopLevel(drop[2], ",")) {
          const name = unquoteName(raw);
          const idx = tables.findIndex((t) => t.name === name);
          if (idx < 0) fail(`Table '${name}' not found`);
          tables.splice(idx, 1);
        }
      } else {
        const fromKw = findTopLevelKeyword(drop[2], ["FROM"]);
        const list = fromKw ? drop[2].slice(0, fromKw.index) : drop[2];
        const targets = fromKw
          ? splitTopLevel(drop[2].slice(fromKw.index + 4), ",").map((x) => unquoteName(x))
          : tables.map((t) => t.name);
        for (const raw of splitTopLevel(list, ",")) {
          const field = unquoteName(raw);
          let found = false;
          for (const t of tables) {
            if (!targets.includes(t.name)) continue;
            const i = t.fields.indexOf(field);
            if (i >= 0) {
              t.fields.splice(i, 1);
              found = true;
            }
          }
          if (!found) fail(`Field '${field}' not found`);
        }
      }
      return "continue";
    }
    const rename = /^RENAME\s+(TABLES?|FIELDS?)\s+([\s\S]+?)\s+TO\s+([\s\S]+)$/i.exec(text);
    if (rename) {
      const from = unquoteName(rename[2]);
      const to = unquoteName(rename[3]);
      if (rename[1].toUpperCase().startsWith("TABLE")) {
        const t = findTable(from);
        if (!t) fail(`Table '${from}' not found`);
        (t as TableState).name = to;
      } else {
        let found = false;
        for (const t of tables) {
          const i = t.fields.indexOf(from);
          if (i >= 0) {
            t.fields[i] = to;
            found = true;
            for (const row of t.data) {
              if (row[from] === undefined) continue;
              row[to] = row[from];
              delete row[from];
            }
          }
        }
        if (!found) fail(`Field '${from}' not found`);
      }
      return "continue";
    }
    const store = /^STORE\s+([\s\S]+?)\s+INTO\s+([\s\S]+)$/i.exec(text);
    if (store) {
      const fromKw = findTopLevelKeyword(store[1], ["FROM"]);
      const name = unquoteName(fromKw ? store[1].slice(fromKw.index + 4) : store[1]);
      const t = findTable(name);
      if (!t) fail(`Table '${name}' not found`);
      const target = /^(\[[^\]]*\]|'[^']*'|"[^"]*"|[^\s(]+)/.exec(store[2].trim());
      const path = target ? unquoteName(target[1]) : "";
      if (!/^lib:\/\//i.test(path)) fail(`STORE target '${path}' is not a lib:// reference`);
      elapsedMs += Math.round((t as TableState).rows * 0.001);
      log(`${(t as TableState).rows} Lines stored`);
      return "continue";
    }
    if (NO_OP_STATEMENTS.test(text)) return "continue";

    // Label and load prefixes.
    let label: string | null = null;
    const labelMatch = /^(\[[^\]]+\]|"[^"]+"|[A-Za-z_][\w.$#%]*(?:\s+[\w.$#%]+)*)\s*:(?!\/\/)\s*/.exec(text);
    if (labelMatch) {
      label = unquoteName(labelMatch[1]);
      text = text.slice(labelMatch[0].length);
      if (!text) fail(`Label '${label}' is not followed by a LOAD or SELECT statement`);
    }
    let prefixes = "";
    for (let m = LOAD_PREFIX.exec(text); m; m = LOAD_PREFIX.exec(text)) {
      prefixes += `${m[0]} `;
      text = text.slice(m[0].length);
    }
    if (/^LOAD\b/i.test(text)) {
      executeLoad(label, prefixes, text.slice(4).trim());
      return "continue";
    }
    const sel = /^(?:SQL\s+)?SELECT\b([\s\S]*)$/i.exec(text);
    if (sel) {
      executeSelect(label, prefixes, sel[1].trim());
      return "continue";
    }
    if (/^SQL\b/i.test(text)) {
      if (!connected) fail("No open database: use LIB CONNECT TO before SQL");
      return "continue";
    }
    const word = /^\S+/.exec(text)?.[0] ?? text;
    return fail(`Unknown statement: ${word}`);
  };

  log("Execution started.");
  log("Qlik Cloud Simulator engine, load script simulation");
  log(`App: ${doc.id}`);

  let failure: ScriptError | null = null;
  const statements = splitScript(doc.script);
  for (const st of statements) {
    st.text.split("\n").forEach((l, k) => logStatementLine(st.line + k, l.trimEnd()));
    try {
      if (executeStatement(st) === "exit") break;
    } catch (err) {
      if (!(err instanceof ScriptFailure)) throw err;
      failure = { line: st.line, section: st.section, message: err.message, statement: firstLine(st.text) };
      break;
    }
  }
  if (!failure && pendingPreceding) {
    const last = statements[statements.length - 1];
    failure = {
      line: last?.line ?? 1,
      section: last?.section ?? "Main",
      message: "Preceding LOAD has no source: a LOAD or SELECT must follow it",
      statement: last ? firstLine(last.text) : "",
    };
  }

  const model = tables.filter((t) => !t.mapping);
  if (failure) {
    errors.push(failure);
    log(`Error: ${failure.message}`);
    log("---");
    log("The following error occurred:");
    log(failure.message);
    log("---");
    log("The error occurred here:");
    log(failure.statement);
    log("---");
    log("Execution Failed");
    log("Execution finished.");
  } else {
    let syntheticKeys = 0;
    for (let a = 0; a < model.length; a += 1) {
      for (let b = a + 1; b < model.length; b += 1) {
        if (model[a].fields.filter((f) => model[b].fields.includes(f)).length > 1) syntheticKeys += 1;
      }
    }
    elapsedMs += 100;
    log("Creating search index");
    log("Search index creation completed successfully");
    log("---");
    log("App saved");
    log("---");
    log("Finished successfully");
    log("0 forced error(s)");
    log(`${syntheticKeys} synthetic key(s)`);
    log("Execution finished.");
  }

  return {
    ok: failure === null,
    log: `${logLines.join("\n")}\n`,
    tables: model.map(tableRecord),
    scriptVariables: vars,
    errorLines: errors.map((e) => `Line ${e.line}: ${e.message}`),
    durationMs: 150 + elapsedMs,
    errors,
    rowsFetched,
  };
}

/** The data model's record of a table: its distinct known values per field, in load order. */
function tableRecord(t: TableState): TableRecord {
  const record: TableRecord = { name: t.name, fields: [...t.fields], rows: t.rows };
  const values: Record<string, string[]> = {};
  for (const field of t.fields) {
    const seen = new Set<string>();
    for (const row of t.data) {
      const v = row[field];
      if (v !== undefined && v !== "") seen.add(v);
    }
    if (seen.size > 0) values[field] = [...seen];
  }
  if (Object.keys(values).length > 0) record.fieldValues = values;
  return record;
}

function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

function stripQuotes(v: string): string {
  if (v.length >= 2 && ((v[0] === "'" && v.endsWith("'")) || (v[0] === '"' && v.endsWith('"')))) {
    return v.slice(1, -1);
  }
  return v;
}
