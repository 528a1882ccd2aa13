/**
 * Splits a Qlik load script into statements: `;` ends a statement unless it is inside quotes, brackets
 * or backticks; `//` and `/* *\/` comments and `REM …;` statements are dropped; `///$tab Name` lines name
 * the section the following statements belong to. Control statements (IF, FOR, SUB, …) end at the end of
 * their line, as in Qlik.
 */

export interface ScriptStatement {
  /** Statement text without comments and without the terminating `;`, trimmed. */
  text: string;
  /** 1-based line number (in the whole script) where the statement starts. */
  line: number;
  /** Name of the `///$tab` section the statement is in ("Main" when the script has no tab marker). */
  section: string;
  /** Set when parentheses do not balance: "missing" (an opening one is never closed) or "unexpected". */
  parenError?: "missing" | "unexpected";
}

const CONTROL_START =
  /^(?:IF|ELSEIF|ELSE|END\s*IF|FOR|NEXT|SUB|END\s*SUB|DO|LOOP|SWITCH|CASE|DEFAULT|END\s*SWITCH|CALL|EXIT\s+(?:FOR|DO|SUB))\b(?!\s*:)/i;

export function splitScript(script: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  const src = script.replace(/\r\n?/g, "\n");
  let section = "Main";
  let line = 1;
  let buf = "";
  let startLine = 0;
  let startSection = section;
  let depth = 0;
  let parenError: ScriptStatement["parenError"];
  let lineTerminated = false;

  const flush = () => {
    const text = buf.trim();
    if (text.length > 0) {
      const err = parenError ?? (depth > 0 ? "missing" : undefined);
      out.push({ text, line: startLine, section: startSection, ...(err ? { parenError: err } : {}) });
    }
    buf = "";
    startLine = 0;
    depth = 0;
    parenError = undefined;
    lineTerminated = false;
  };

  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    const next = src[i + 1];

    // Comments (outside any quoted context, which is handled by the inner loops below).
    if (c === "/" && next === "/" && src[i - 1] !== ":") {
      const end = src.indexOf("\n", i);
      const lineText = src.slice(i, end === -1 ? n : end);
      const tab = /^\/\/\/\$tab\s+(.*)$/.exec(lineText);
      if (tab) {
        if (buf.trim().length === 0) buf = "";
        section = tab[1].trim();
      }
      i = end === -1 ? n : end;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      const body = src.slice(i, end === -1 ? n : end + 2);
      const newlines = body.split("\n").length - 1;
      line += newlines;
      buf += newlines > 0 ? "\n".repeat(newlines) : " ";
      i = end === -1 ? n : end + 2;
      continue;
    }

    if (c === "\n") {
      line += 1;
      if (lineTerminated) {
        flush();
      } else {
        buf += c;
      }
      i += 1;
      continue;
    }

    if (buf.trim().length === 0 && !/\s/.test(c)) {
      // First character of a new statement.
      const ahead = src.slice(i, i + 40);
      if (/^REM\b/i.test(ahead)) {
        const end = src.indexOf(";", i);
        const skipped = src.slice(i, end === -1 ? n : end + 1);
        line += skipped.split("\n").length - 1;
        i = end === -1 ? n : end + 1;
        buf = "";
        continue;
      }
      startLine = line;
      startSection = section;
      lineTerminated = CONTROL_START.test(ahead);
    }

    if (c === ";") {
      flush();
      i += 1;
      continue;
    }

    if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      while (j < n) {
        if (src[j] === close) {
          if (src[j + 1] === close) {
            j += 2; // doubled quote/bracket is an escaped one
            continue;
          }
          break;
        }
        j += 1;
      }
      const chunk = src.slice(i, Math.min(j + 1, n));
      line += chunk.split("\n").length - 1;
      buf += chunk;
      i = j + 1;
      continue;
    }

    if (c === "(") depth += 1;
    if (c === ")") {
      depth -= 1;
      if (depth < 0 && !parenError) parenError = "unexpected";
    }
    buf += c;
    i += 1;
  }
  flush();
  return out;
}

/** Splits `text` at `sep` occurrences outside quotes, brackets and parentheses. */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = "";
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      cur += c;
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "[") quote = "]";
    else if (c === "(") depth += 1;
    else if (c === ")") depth -= 1;
    else if (c === sep && depth === 0) {
      parts.push(cur);
      cur = "";
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Index of the first of `keywords` (whole word, case-insensitive) outside quotes/brackets/parentheses. */
export function findTopLevelKeyword(
  text: string,
  keywords: string[],
): { index: number; keyword: string } | null {
  let depth = 0;
  let quote: string | null = null;
  const upper = text.toUpperCase();
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      quote = c;
      continue;
    }
    if (c === "[") {
      quote = "]";
      continue;
    }
    if (c === "(") depth += 1;
    else if (c === ")") depth -= 1;
    if (depth !== 0) continue;
    const before = i === 0 ? " " : text[i - 1];
    if (/[\w$.]/.test(before)) continue;
    for (const kw of keywords) {
      if (upper.startsWith(kw, i)) {
        const after = text[i + kw.length] ?? " ";
        if (!/[\w$]/.test(after)) return { index: i, keyword: kw };
      }
    }
  }
  return null;
}

/** Removes one level of enclosing quotes or brackets from a name. */
export function unquoteName(raw: string): string {
  const t = raw.trim();
  if (t.length >= 2) {
    const f = t[0];
    const l = t[t.length - 1];
    if (
      (f === "'" && l === "'") ||
      (f === '"' && l === '"') ||
      (f === "`" && l === "`") ||
      (f === "[" && l === "]")
    ) {
      return t.slice(1, -1).trim();
    }
  }
  return t;
}
