/**
 * A tolerant lexer and statement model for Qlik load scripts: enough structure to find sections,
 * unbalanced constructs, connection references, assignments, STORE/DROP targets and CONNECT strings,
 * each with an exact offset. It never throws on bad input; problems are recorded instead.
 */
import { LineIndex } from "./text.ts";

export interface ScriptSection {
  /** Section name from its `///$tab` line; undefined for text before the first marker. */
  name: string | undefined;
  /** Offset of the `///$tab` line (or 0 for text before the first marker). */
  markerOffset: number;
  /** Offset just after the marker (where the name starts) — used to point at empty names. */
  nameOffset: number;
  /** Content range [start, end) without the marker line. */
  start: number;
  end: number;
}

export type TokenKind = "word" | "string" | "dquote" | "bracket" | "backtick" | "url" | "punct";

export interface Token {
  kind: TokenKind;
  /** Raw text, quotes included. */
  text: string;
  /** Unquoted value (for quoted kinds), otherwise the raw text. */
  value: string;
  start: number;
  end: number;
  line: number;
  /** Upper-cased text of a word, cached. */
  upper?: string;
}

export interface BalanceProblem {
  offset: number;
  endOffset?: number;
  message: string;
}

export interface Assignment {
  keyword: "SET" | "LET";
  name: string;
  nameToken: Token;
  /** Raw text of the right-hand side. */
  rhs: string;
  /** Control-block depth (IF/FOR/DO/SUB/SWITCH) at the assignment; 0 is the top level. */
  depth: number;
}

export interface ConnectionRef {
  name: string;
  offset: number;
  via: "lib-url" | "lib-connect";
}

export interface StoreTarget {
  path: string;
  token: Token;
}

export interface DropTarget {
  name: string;
  token: Token;
}

export interface ScriptModel {
  text: string;
  lines: LineIndex;
  sections: ScriptSection[];
  tokens: Token[];
  statements: Token[][];
  balance: BalanceProblem[];
  assignments: Assignment[];
  /**
   * Names of variables SET/LET with a computed name (`LET size_$(t) = …`), as patterns in which each
   * `$(…)` stands for any text: the variables they create cannot be listed, only recognised.
   */
  dynamicAssignments: RegExp[];
  loopVariables: Set<string>;
  connectionRefs: ConnectionRef[];
  stores: StoreTarget[];
  drops: DropTarget[];
  /** Tables the script visibly creates (labels, source file names, RENAME targets). */
  loadedTables: Set<string>;
  /** False when tables may come from places the linter cannot see (includes, BINARY, dynamic labels). */
  loadedTablesComplete: boolean;
  /** First tokens of CONNECT statements that carry an inline connection string (not LIB CONNECT). */
  inlineConnects: Token[];
  /** Path-like tokens after FROM. */
  fromPaths: Token[];
}

const TAB_MARKER = /^[ \t]*\/\/\/\$tab\b([^\r\n]*)/;
/** Schemes whose `//` is part of a path, not a comment (`lib://`, `https://`, …). */
const URL_START = /(?:lib|https?|s?ftps?|file|s3|gs|abfss?|wasbs?):\/\//iy;
const WORD_CHAR = /[\p{L}\p{N}_.#@]/u;

/** Splits the script at `///$tab` lines. */
export function splitSections(text: string): ScriptSection[] {
  const sections: ScriptSection[] = [];
  let lineStart = 0;
  let current: ScriptSection = {
    name: undefined,
    markerOffset: 0,
    nameOffset: 0,
    start: 0,
    end: text.length,
  };
  while (lineStart <= text.length) {
    const nl = text.indexOf("\n", lineStart);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    const m = TAB_MARKER.exec(text.slice(lineStart, lineEnd));
    if (m) {
      current.end = lineStart;
      if (current.name !== undefined || current.end > current.start) sections.push(current);
      const markerEndInLine = m[0].length - m[1].length;
      current = {
        name: m[1].trim(),
        markerOffset: lineStart,
        nameOffset: lineStart + markerEndInLine,
        start: lineEnd,
        end: text.length,
      };
    }
    if (nl === -1) break;
    lineStart = lineEnd;
  }
  current.end = text.length;
  if (current.name !== undefined || current.end > current.start || sections.length === 0)
    sections.push(current);
  return sections;
}

function unquote(kind: TokenKind, raw: string): string {
  switch (kind) {
    case "string":
      return raw.slice(1, raw.endsWith("'") && raw.length > 1 ? -1 : undefined).replaceAll("''", "'");
    case "dquote":
      return raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined).replaceAll('""', '"');
    case "bracket":
      return raw.slice(1, raw.endsWith("]") && raw.length > 1 ? -1 : undefined).replaceAll("]]", "]");
    case "backtick":
      return raw.slice(1, raw.endsWith("`") && raw.length > 1 ? -1 : undefined);
    default:
      return raw;
  }
}

/** Offset just after the `)` matching the `(` at `open`, or `limit` when unmatched. */
function skipParens(text: string, open: number, limit: number): number {
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === "\n") return i;
  }
  return limit;
}

function lexSection(
  text: string,
  lines: LineIndex,
  start: number,
  end: number,
  tokens: Token[],
  balance: BalanceProblem[],
): void {
  const parens: number[] = [];
  let i = start;
  let last: Token | undefined;
  const push = (kind: TokenKind, s: number, e: number): void => {
    const raw = text.slice(s, e);
    last = { kind, text: raw, value: unquote(kind, raw), start: s, end: e, line: lines.lineOf(s) };
    tokens.push(last);
  };
  const quoted = (kind: TokenKind, close: string, label: string): boolean => {
    let j = i + 1;
    for (;;) {
      const k = text.indexOf(close, j);
      if (k === -1 || k >= end) {
        balance.push({
          offset: i,
          endOffset: end,
          message: `Unterminated ${label}: the ${close} that closes it is missing.`,
        });
        push(kind, i, end);
        i = end;
        return false;
      }
      // Doubled closers are escapes: 'it''s', "a""b", [a]]b].
      if (text[k + 1] === close && close !== "`") {
        j = k + 2;
        continue;
      }
      push(kind, i, k + 1);
      i = k + 1;
      return true;
    }
  };

  while (i < end) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\f" || c === "\v" || c === "\u00a0") {
      i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      if (close === -1 || close + 2 > end) {
        balance.push({
          offset: i,
          endOffset: end,
          message: "Unterminated /* comment: no closing */ before the end of the section.",
        });
        i = end;
      } else {
        i = close + 2;
      }
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = nl === -1 || nl > end ? end : nl;
      continue;
    }
    if (c === "'") {
      if (!quoted("string", "'", "string")) break;
      continue;
    }
    if (c === '"') {
      if (!quoted("dquote", '"', 'quoted name ("…")')) break;
      continue;
    }
    if (c === "`") {
      if (!quoted("backtick", "`", "quoted name (`…`)")) break;
      continue;
    }
    if (c === "[") {
      if (!quoted("bracket", "]", "bracketed name ([…])")) break;
      continue;
    }
    if (c === "]") {
      balance.push({ offset: i, message: "Unmatched ']' with no opening '['." });
      push("punct", i, i + 1);
      i++;
      continue;
    }
    if (c === "(") {
      parens.push(i);
      push("punct", i, i + 1);
      i++;
      continue;
    }
    if (c === ")") {
      if (parens.length === 0) balance.push({ offset: i, message: "Unmatched ')' with no opening '('." });
      else parens.pop();
      push("punct", i, i + 1);
      i++;
      continue;
    }
    if (c === ";") {
      // A statement ends here: parentheses still open belong to it and cannot be closed later.
      for (const open of parens)
        balance.push({ offset: open, message: "Unclosed '(': the statement ends before its ')'." });
      parens.length = 0;
      push("punct", i, i + 1);
      i++;
      continue;
    }
    URL_START.lastIndex = i;
    if ((i === start || !WORD_CHAR.test(text[i - 1])) && URL_START.test(text)) {
      let j = URL_START.lastIndex;
      while (j < end) {
        const d = text[j];
        if (d === "$" && text[j + 1] === "(") {
          j = skipParens(text, j + 1, end);
          continue;
        }
        if (/[\s;(),'"[\]`]/.test(d)) break;
        j++;
      }
      push("url", i, j);
      i = j;
      continue;
    }
    if (WORD_CHAR.test(c)) {
      let j = i + 1;
      while (j < end && WORD_CHAR.test(text[j])) j++;
      const word = text.slice(i, j);
      const prev = last;
      const statementStart =
        prev === undefined || prev.text === ";" || prev.line < lines.lineOf(i) || prev.start < start;
      if (statementStart && word.toUpperCase() === "REM" && /\s/.test(text[j] ?? "\n")) {
        // REM comments run to the next semicolon.
        const semi = text.indexOf(";", j);
        i = semi === -1 || semi >= end ? end : semi + 1;
        continue;
      }
      push("word", i, j);
      i = j;
      continue;
    }
    push("punct", i, i + 1);
    i++;
  }
  for (const open of parens) {
    balance.push({ offset: open, endOffset: end, message: "Unclosed '(': the matching ')' is missing." });
  }
}

const upper = (t: Token | undefined): string =>
  t && t.kind === "word" ? (t.upper ??= t.text.toUpperCase()) : "";

/** True when token `i` begins a clause: first in its statement, first on its line, or after THEN/ELSE/DO. */
function isClauseStart(stmt: Token[], i: number): boolean {
  if (i === 0) return true;
  const prev = stmt[i - 1];
  if (prev.line < stmt[i].line) return true;
  const p = upper(prev);
  return p === "THEN" || p === "ELSE" || p === "DO";
}

const isDynamic = (s: string): boolean => s.includes("$(");

const NAME_KINDS = new Set<TokenKind>(["word", "bracket", "dquote", "string", "backtick"]);

/** The table name Qlik derives from a FROM source: the file name without extension, or the last SQL name part. */
function tableNameFromSource(stmt: Token[], i: number): string | undefined {
  const first = stmt[i];
  if (!first) return undefined;
  if (
    first.kind === "url" ||
    first.kind === "bracket" ||
    first.kind === "string" ||
    /[\\/]/.test(first.value)
  ) {
    const base = first.value.split(/[\\/]/).pop() ?? "";
    return base.replace(/\.[^.]*$/, "") || undefined;
  }
  let joined = "";
  let end = first.start;
  for (let j = i; j < stmt.length && stmt[j].start === end && stmt[j].text !== ";"; j++) {
    joined += stmt[j].kind === "punct" ? stmt[j].text : stmt[j].value;
    end = stmt[j].end;
  }
  const last = joined.split(".").pop();
  return last ? last.replace(/^["[`]|["\]`]$/g, "") : undefined;
}

/** Cuts a name at the first `)` that closes nothing (`Sales (eu_west)` stays whole; `x)…` ends at `x`). */
function balancedPrefix(name: string): string {
  let depth = 0;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "(") depth++;
    else if (name[i] === ")" && --depth < 0) return name.slice(0, i);
  }
  return name;
}

/**
 * Connection names referenced as `lib://<name>/…` inside a token's raw text. In a string literal,
 * `lib://` followed by no connection name (`'lib://' & vConn`, a `'lib://:'` placeholder) is a prefix
 * being assembled, and a name with `*` or `?` is a pattern (`LIKE 'lib://*'`): neither names a
 * connection.
 */
function libRefs(token: Token): ConnectionRef[] {
  const out: ConnectionRef[] = [];
  const re = /lib:\/\/([^/\\\]'"`;\r\n]*)/gi;
  for (let m = re.exec(token.text); m; m = re.exec(token.text)) {
    const name = balancedPrefix(m[1]).trim();
    if (token.kind === "string") {
      const connection = name.slice(name.indexOf(":") + 1).trim();
      if (connection === "" || /[*?]/.test(name)) continue;
    }
    out.push({ name, offset: token.start + m.index, via: "lib-url" });
  }
  return out;
}

/** Offset just after a `$(…)` expansion starting at token `i` of `stmt` (`$`, `(`, …, `)`), or -1. */
function expansionEnd(stmt: Token[], i: number): number {
  if (stmt[i]?.text !== "$" || stmt[i + 1]?.text !== "(") return -1;
  let depth = 0;
  for (let k = i + 1; k < stmt.length; k++) {
    if (stmt[k].text === "(") depth++;
    else if (stmt[k].text === ")" && --depth === 0) return k;
  }
  return -1;
}

/**
 * The variable name a SET/LET at token `i` assigns, read as the run of adjacent tokens before `=`
 * (`size_$(t)` is three tokens), with the index of the `=`; undefined when there is no assignment.
 */
function assignedName(stmt: Token[], i: number): { text: string; first: Token; eq: number } | undefined {
  const first = stmt[i];
  if (!first || !(NAME_KINDS.has(first.kind) || first.text === "$")) return undefined;
  let k = i;
  let text = "";
  let end = first.start;
  while (k < stmt.length && stmt[k].start === end && stmt[k].text !== "=") {
    const close = expansionEnd(stmt, k);
    const last = close === -1 ? k : close;
    for (let j = k; j <= last; j++)
      text += NAME_KINDS.has(stmt[j].kind) && j === k ? stmt[j].value : stmt[j].text;
    end = stmt[last].end;
    k = last + 1;
  }
  return stmt[k]?.text === "=" ? { text, first, eq: k } : undefined;
}

/** A pattern matching every name a computed variable name can expand to (`size_$(t)` → `size_…`). */
function dynamicNamePattern(name: string): RegExp {
  let source = "";
  let i = 0;
  while (i < name.length) {
    const at = name.indexOf("$(", i);
    if (at === -1) {
      source += escapeRe(name.slice(i));
      break;
    }
    source += escapeRe(name.slice(i, at));
    let depth = 0;
    let j = at + 1;
    for (; j < name.length; j++) {
      if (name[j] === "(") depth++;
      else if (name[j] === ")" && --depth === 0) break;
    }
    source += "[\\s\\S]*";
    i = j + 1;
  }
  return new RegExp(`^${source}$`);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function analyzeScript(text: string): ScriptModel {
  const lines = new LineIndex(text);
  const sections = splitSections(text);
  const tokens: Token[] = [];
  const balance: BalanceProblem[] = [];
  const statements: Token[][] = [];
  for (const section of sections) {
    const first = tokens.length;
    lexSection(text, lines, section.start, section.end, tokens, balance);
    let current: Token[] = [];
    for (let k = first; k < tokens.length; k++) {
      const t = tokens[k];
      if (t.kind === "punct" && t.text === ";") {
        if (current.length) statements.push(current);
        current = [];
      } else current.push(t);
    }
    if (current.length) statements.push(current);
  }

  const model: ScriptModel = {
    text,
    lines,
    sections,
    tokens,
    statements,
    balance,
    assignments: [],
    dynamicAssignments: [],
    loopVariables: new Set(),
    connectionRefs: [],
    stores: [],
    drops: [],
    loadedTables: new Set(),
    loadedTablesComplete: true,
    inlineConnects: [],
    fromPaths: [],
  };

  for (const t of tokens) {
    if (t.kind !== "word" && t.kind !== "punct" && /lib:\/\//i.test(t.text))
      model.connectionRefs.push(...libRefs(t));
  }

  let depth = 0;
  for (const stmt of statements) {
    let labelled = false;
    let dynamicUnlabelledSource = false;
    for (let i = 0; i < stmt.length; i++) {
      const t = stmt[i];
      const u = upper(t);
      const next = stmt[i + 1];
      const clause = isClauseStart(stmt, i);

      // $(Include=…) / $(Must_Include=…): tables and variables may come from elsewhere.
      if (t.text === "$" && next?.text === "(" && /^(must_)?include$/i.test(stmt[i + 2]?.text ?? "")) {
        model.loadedTablesComplete = false;
      }

      if (clause) {
        // Control blocks, for the shadowing check.
        if (u === "IF" && stmt.some((s, k) => k > i && s.line === t.line && upper(s) === "THEN")) depth++;
        else if (u === "FOR") {
          depth++;
          const v = upper(next) === "EACH" ? stmt[i + 2] : next;
          if (v && NAME_KINDS.has(v.kind)) model.loopVariables.add(v.value);
        } else if (
          u === "DO" &&
          (next === undefined || next.line > t.line || /^(WHILE|UNTIL)$/.test(upper(next)))
        )
          depth++;
        else if (u === "SUB" || u === "SWITCH") depth++;
        else if (u === "NEXT" || u === "LOOP" || u === "ENDIF" || u === "ENDSUB" || u === "ENDSWITCH")
          depth = Math.max(0, depth - 1);
        else if (u === "END" && /^(IF|SUB|SWITCH)$/.test(upper(next))) depth = Math.max(0, depth - 1);
        else if (u === "BINARY" || u === "GENERIC") model.loadedTablesComplete = false;

        // SET / LET
        const assigned = u === "SET" || u === "LET" ? assignedName(stmt, i + 1) : undefined;
        if (assigned && (u === "SET" || u === "LET")) {
          if (isDynamic(assigned.text)) model.dynamicAssignments.push(dynamicNamePattern(assigned.text));
          else {
            const rhsStart = stmt[assigned.eq].end;
            const rhsEnd = stmt[stmt.length - 1].end;
            model.assignments.push({
              keyword: u,
              name: assigned.text,
              nameToken: assigned.first,
              rhs: rhsStart < rhsEnd ? text.slice(rhsStart, rhsEnd) : "",
              depth,
            });
          }
        }

        // Labels: `Name:` at a clause start.
        if (NAME_KINDS.has(t.kind) && t.kind !== "string" && next?.text === ":" && next.start === t.end) {
          labelled = true;
          model.loadedTables.add(t.value);
        }
        if (t.text === "$" && next?.text === "(") {
          let k = i + 1;
          let d = 0;
          for (; k < stmt.length; k++) {
            if (stmt[k].text === "(") d++;
            else if (stmt[k].text === ")" && --d === 0) break;
          }
          if (stmt[k + 1]?.text === ":") {
            labelled = true;
            model.loadedTablesComplete = false;
          }
        }

        // STORE … INTO <path>
        if (u === "STORE") {
          const into = stmt.findIndex((s, k) => k > i && upper(s) === "INTO");
          const target = into === -1 ? undefined : stmt[into + 1];
          if (target) {
            const path = target.text === "$" ? "$(" : target.value;
            model.stores.push({ path, token: target });
          }
        }

        // DROP TABLE[S] a, b
        if (u === "DROP" && /^TABLES?$/.test(upper(next))) {
          let k = i + 2;
          while (k < stmt.length) {
            // One name is a run of adjacent tokens (e.g. `Tmp_$(v)`), up to a comma.
            const group: Token[] = [stmt[k]];
            while (k + group.length < stmt.length) {
              const g = stmt[k + group.length];
              if (g.text === "," || g.start !== group[group.length - 1].end) break;
              group.push(g);
            }
            const head = group[0];
            const dynamic = group.length > 1 || head.text === "$" || isDynamic(head.value);
            if (!dynamic && !NAME_KINDS.has(head.kind)) break;
            if (!dynamic) model.drops.push({ name: head.value, token: head });
            k += group.length;
            if (stmt[k]?.text !== ",") break;
            k++;
          }
        }

        // RENAME TABLE a TO b
        if (u === "RENAME" && upper(next) === "TABLE") {
          const to = stmt.findIndex((s, k) => k > i && upper(s) === "TO");
          const target = to === -1 ? undefined : stmt[to + 1];
          if (target && NAME_KINDS.has(target.kind)) model.loadedTables.add(target.value);
        }

        // CONNECT strings
        if (/^(ODBC|OLEDB|CUSTOM)$/.test(u) && /^CONNECT(32|64)?$/.test(upper(next)))
          model.inlineConnects.push(t);
        else if (/^CONNECT(32|64)?$/.test(u) && upper(next) === "TO" && i === 0) model.inlineConnects.push(t);
        else if (u === "LIB" && upper(next) === "CONNECT" && upper(stmt[i + 2]) === "TO") {
          const target = stmt[i + 3];
          if (target && NAME_KINDS.has(target.kind) && !isDynamic(target.value)) {
            model.connectionRefs.push({
              name: target.value.trim(),
              offset: target.start,
              via: "lib-connect",
            });
          }
        }
      }

      // FROM <source>
      if (u === "FROM" && next) {
        const name = tableNameFromSource(stmt, i + 1);
        if (next.text === "$" || (name !== undefined && isDynamic(next.value)))
          dynamicUnlabelledSource = true;
        else if (name) model.loadedTables.add(name);
        if (next.kind !== "punct") model.fromPaths.push(next);
      }
    }
    if (dynamicUnlabelledSource && !labelled) model.loadedTablesComplete = false;
  }
  return model;
}
