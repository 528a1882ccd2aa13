/**
 * A very small evaluator for the constant expressions the simulator meets in LET statements, variable
 * definitions and Evaluate calls: numbers, 'strings', `&` concatenation, + - * / with parentheses,
 * variable names, and a few functions (Now, Today, Year, Month, Day, Num, Text, Upper, Lower, Len, If).
 * Anything it does not understand yields `undefined`, and callers fall back to the raw text.
 */

export type ExprValue = string | number;

interface Token {
  kind: "num" | "str" | "id" | "op" | "lp" | "rp" | "comma";
  value: string;
}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      if (!m) return undefined;
      tokens.push({ kind: "num", value: m[0] });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let s = "";
      while (j < text.length) {
        if (text[j] === c) {
          if (text[j + 1] === c) {
            s += c;
            j += 2;
            continue;
          }
          break;
        }
        s += text[j];
        j += 1;
      }
      if (j >= text.length) return undefined;
      tokens.push({ kind: c === "'" ? "str" : "id", value: s });
      i = j + 1;
    } else if (c === "[") {
      const j = text.indexOf("]", i);
      if (j === -1) return undefined;
      tokens.push({ kind: "id", value: text.slice(i + 1, j) });
      i = j + 1;
    } else if (/[A-Za-z_#$%@]/.test(c)) {
      const m = /^[A-Za-z_#$%@][\w#$%@.]*/.exec(text.slice(i));
      if (!m) return undefined;
      tokens.push({ kind: "id", value: m[0] });
      i += m[0].length;
    } else if (c === "<" || c === ">") {
      const two = text.slice(i, i + 2);
      const op = two === "<=" || two === ">=" || two === "<>" ? two : c;
      tokens.push({ kind: "op", value: op });
      i += op.length;
    } else if ("+-*/&=".includes(c)) {
      tokens.push({ kind: "op", value: c });
      i += 1;
    } else if (c === "(") {
      tokens.push({ kind: "lp", value: c });
      i += 1;
    } else if (c === ")") {
      tokens.push({ kind: "rp", value: c });
      i += 1;
    } else if (c === ",") {
      tokens.push({ kind: "comma", value: c });
      i += 1;
    } else {
      return undefined;
    }
  }
  return tokens;
}

class Unsupported extends Error {}

function toNum(v: ExprValue): number {
  if (typeof v === "number") return v;
  const n = Number(v);
  if (v.trim() === "" || Number.isNaN(n)) throw new Unsupported("not a number");
  return n;
}

function toStr(v: ExprValue): string {
  return typeof v === "number" ? formatNumber(v) : v;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(14)));
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function evaluateExpression(
  text: string,
  lookup: (name: string) => string | undefined,
  now: () => Date,
): ExprValue | undefined {
  const trimmed = text.trim().replace(/^=/, "");
  const tokens = tokenize(trimmed);
  if (!tokens || tokens.length === 0) return undefined;
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];

  const callFn = (name: string, args: ExprValue[]): ExprValue => {
    const d = now();
    switch (name.toLowerCase()) {
      case "now":
        return d.toISOString().replace("T", " ").slice(0, 19);
      case "today":
        return isoDate(d);
      case "year":
        return args.length ? new Date(toStr(args[0])).getUTCFullYear() : d.getUTCFullYear();
      case "month":
        return (args.length ? new Date(toStr(args[0])) : d).getUTCMonth() + 1;
      case "day":
        return (args.length ? new Date(toStr(args[0])) : d).getUTCDate();
      case "num":
        return toNum(args[0]);
      case "text":
        return toStr(args[0]);
      case "upper":
        return toStr(args[0]).toUpperCase();
      case "lower":
        return toStr(args[0]).toLowerCase();
      case "len":
        return toStr(args[0]).length;
      case "trim":
        return toStr(args[0]).trim();
      case "if":
        return truthy(args[0]) ? (args[1] ?? "") : (args[2] ?? "");
      default:
        throw new Unsupported(name);
    }
  };

  const truthy = (v: ExprValue | undefined): boolean => {
    if (v === undefined) return false;
    if (typeof v === "number") return v !== 0;
    const n = Number(v);
    return v.trim() !== "" && !Number.isNaN(n) ? n !== 0 : false;
  };

  const primary = (): ExprValue => {
    const t = take();
    if (!t) throw new Unsupported("end");
    if (t.kind === "num") return Number(t.value);
    if (t.kind === "str") return t.value;
    if (t.kind === "op" && t.value === "-") return -toNum(primary());
    if (t.kind === "lp") {
      const v = comparison();
      if (take()?.kind !== "rp") throw new Unsupported(")");
      return v;
    }
    if (t.kind === "id") {
      if (peek()?.kind === "lp") {
        take();
        const args: ExprValue[] = [];
        if (peek()?.kind !== "rp") {
          for (;;) {
            args.push(comparison());
            if (peek()?.kind === "comma") {
              take();
              continue;
            }
            break;
          }
        }
        if (take()?.kind !== "rp") throw new Unsupported(")");
        return callFn(t.value, args);
      }
      const v = lookup(t.value);
      if (v === undefined) throw new Unsupported(t.value);
      const n = Number(v);
      return v.trim() !== "" && !Number.isNaN(n) ? n : v;
    }
    throw new Unsupported(t.value);
  };
  const term = (): ExprValue => {
    let v = primary();
    while (peek()?.kind === "op" && (peek().value === "*" || peek().value === "/")) {
      const op = take().value;
      const r = primary();
      v = op === "*" ? toNum(v) * toNum(r) : toNum(v) / toNum(r);
    }
    return v;
  };
  const sum = (): ExprValue => {
    let v = term();
    while (peek()?.kind === "op" && (peek().value === "+" || peek().value === "-")) {
      const op = take().value;
      const r = term();
      v = op === "+" ? toNum(v) + toNum(r) : toNum(v) - toNum(r);
    }
    return v;
  };
  const concat = (): ExprValue => {
    let v = sum();
    while (peek()?.kind === "op" && peek().value === "&") {
      take();
      v = toStr(v) + toStr(sum());
    }
    return v;
  };
  const comparison = (): ExprValue => {
    const v = concat();
    const t = peek();
    if (t?.kind === "op" && ["=", "<", ">", "<=", ">=", "<>"].includes(t.value)) {
      take();
      const r = concat();
      const a = typeof v === "number" && typeof r === "number" ? v : toStr(v);
      const b = typeof v === "number" && typeof r === "number" ? r : toStr(r);
      const res =
        t.value === "="
          ? a === b
          : t.value === "<>"
            ? a !== b
            : t.value === "<"
              ? a < b
              : t.value === ">"
                ? a > b
                : t.value === "<="
                  ? a <= b
                  : a >= b;
      return res ? -1 : 0;
    }
    return v;
  };

  try {
    const v = comparison();
    if (pos !== tokens.length) return undefined;
    if (typeof v === "number" && !Number.isFinite(v)) return undefined;
    return v;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** Replaces `$(name)` with variable values (unknown names expand to nothing) and `$(=expr)` with its value. */
export function dollarExpand(
  text: string,
  lookup: (name: string) => string | undefined,
  now: () => Date,
): string {
  let result = text;
  for (let guard = 0; guard < 20 && result.includes("$("); guard += 1) {
    const replaced = result.replace(/\$\(([^()$]*(?:\([^()]*\)[^()$]*)*)\)/g, (_m, inner: string) => {
      const body = inner.trim();
      if (body.startsWith("=")) {
        const v = evaluateExpression(body.slice(1), lookup, now);
        return v === undefined ? "" : toStr(v);
      }
      if (/^(must_)?include\s*=/i.test(body)) return "";
      return lookup(body) ?? "";
    });
    if (replaced === result) break;
    result = replaced;
  }
  return result;
}
