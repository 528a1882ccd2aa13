// The `${{ … }}` expression language of GitHub Actions, reduced to the stated subset the runner
// supports (listed at the top of runner.ts). Anything outside the subset throws an
// UnsupportedExpressionError that quotes the expression, so a test fails loudly instead of skipping.

/** Contexts an expression may read. */
export const SUPPORTED_CONTEXTS = [
  "github",
  "env",
  "secrets",
  "vars",
  "inputs",
  "matrix",
  "steps",
  "needs",
] as const;

/** Functions an expression may call. */
const SUPPORTED_FUNCTIONS = [
  "success",
  "always",
  "failure",
  "fromjson",
  "tojson",
  "format",
  "contains",
  "startswith",
] as const;

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

export class UnsupportedExpressionError extends Error {
  readonly expression: string;
  constructor(expression: string, reason: string) {
    super(`Unsupported expression \${{ ${expression} }}: ${reason}`);
    this.name = "UnsupportedExpressionError";
    this.expression = expression;
  }
}

/** An expression that is supported but fails on its data (e.g. fromJSON of ''): GitHub fails the job. */
export class ExpressionRuntimeError extends Error {
  constructor(expression: string, reason: string) {
    super(`\${{ ${expression} }}: ${reason}`);
    this.name = "ExpressionRuntimeError";
  }
}

export interface ExpressionContext {
  contexts: Partial<Record<(typeof SUPPORTED_CONTEXTS)[number], Value>>;
  /** Job status for success()/failure(): "success" until a step (or a needed job) failed. */
  status: "success" | "failure";
}

type Node =
  | { kind: "literal"; value: Value }
  | { kind: "context"; name: string }
  | { kind: "member"; object: Node; property: Node }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "not"; operand: Node }
  | { kind: "binary"; op: "==" | "!=" | "&&" | "||"; left: Node; right: Node };

type Token =
  | { t: "num"; v: number }
  | { t: "str"; v: string }
  | { t: "id"; v: string }
  | { t: "op"; v: string }
  | { t: "end" };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (reason: string): never => {
    throw new UnsupportedExpressionError(src, reason);
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= src.length) fail("unterminated string literal");
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ t: "str", v: s });
      continue;
    }
    const num = /^(?:0x[0-9a-f]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(src.slice(i));
    if (num && (c !== "-" || /\d/.test(src[i + 1] ?? ""))) {
      out.push({ t: "num", v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (["==", "!=", "&&", "||"].includes(two)) {
      out.push({ t: "op", v: two });
      i += 2;
      continue;
    }
    if (c === "<" || c === ">") {
      fail(`comparison operator '${two === "<=" || two === ">=" ? two : c}' is not in the supported list`);
    }
    if ("!().,[]".includes(c)) {
      out.push({ t: "op", v: c });
      i++;
      continue;
    }
    if (c === "*") fail("object filters (.*) are not supported");
    fail(`unexpected character '${c}'`);
  }
  out.push({ t: "end" });
  return out;
}

function parse(src: string): Node {
  const tokens = tokenize(src);
  let p = 0;
  const fail = (reason: string): never => {
    throw new UnsupportedExpressionError(src, reason);
  };
  const peek = () => tokens[p];
  const isOp = (v: string) => {
    const t = tokens[p];
    return t.t === "op" && t.v === v;
  };
  const expectOp = (v: string) => {
    if (!isOp(v)) fail(`expected '${v}'`);
    p++;
  };

  function or(): Node {
    let left = and();
    while (isOp("||")) {
      p++;
      left = { kind: "binary", op: "||", left, right: and() };
    }
    return left;
  }
  function and(): Node {
    let left = equality();
    while (isOp("&&")) {
      p++;
      left = { kind: "binary", op: "&&", left, right: equality() };
    }
    return left;
  }
  function equality(): Node {
    let left = unary();
    while (isOp("==") || isOp("!=")) {
      const op = (tokens[p++] as { v: "==" | "!=" }).v;
      left = { kind: "binary", op, left, right: unary() };
    }
    return left;
  }
  function unary(): Node {
    if (isOp("!")) {
      p++;
      return { kind: "not", operand: unary() };
    }
    return postfix(primary());
  }
  function postfix(node: Node): Node {
    for (;;) {
      if (isOp(".")) {
        p++;
        const t = peek();
        if (t.t === "op" && t.v === "*") fail("object filters (.*) are not supported");
        if (t.t !== "id") fail("expected a property name after '.'");
        p++;
        node = { kind: "member", object: node, property: { kind: "literal", value: (t as { v: string }).v } };
      } else if (isOp("[")) {
        p++;
        const property = or();
        expectOp("]");
        node = { kind: "member", object: node, property };
      } else return node;
    }
  }
  function primary(): Node {
    const t = peek();
    if (t.t === "num" || t.t === "str") {
      p++;
      return { kind: "literal", value: t.v };
    }
    if (t.t === "op" && t.v === "(") {
      p++;
      const inner = or();
      expectOp(")");
      return inner;
    }
    if (t.t === "id") {
      p++;
      if (t.v === "true" || t.v === "false") return { kind: "literal", value: t.v === "true" };
      if (t.v === "null") return { kind: "literal", value: null };
      if (isOp("(")) {
        const name = t.v.toLowerCase();
        if (!(SUPPORTED_FUNCTIONS as readonly string[]).includes(name)) {
          fail(`function '${t.v}()' is not in the supported list`);
        }
        p++;
        const args: Node[] = [];
        if (!isOp(")")) {
          args.push(or());
          while (isOp(",")) {
            p++;
            args.push(or());
          }
        }
        expectOp(")");
        return { kind: "call", name, args };
      }
      if (!(SUPPORTED_CONTEXTS as readonly string[]).includes(t.v)) {
        fail(`context '${t.v}' is not in the supported list`);
      }
      return { kind: "context", name: t.v };
    }
    return fail("unexpected end of expression");
  }

  const node = or();
  if (peek().t !== "end") fail("unexpected text after the expression");
  return node;
}

const isObject = (v: Value): v is { [key: string]: Value } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function truthy(v: Value): boolean {
  if (v === null || v === false || v === "" || v === 0) return false;
  if (typeof v === "number" && Number.isNaN(v)) return false;
  return true;
}

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return v.trim() === "" ? 0 : Number(v);
  return Number.NaN;
}

function looseEquals(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "object" || typeof b === "object") {
    if (a === null && b === null) return true;
    if (a === null || b === null) return toNumber(a) === toNumber(b);
    return a === b;
  }
  if (typeof a === typeof b) return a === b;
  return toNumber(a) === toNumber(b);
}

/** How a value is written into a string (inputs, env, run scripts). */
function stringify(v: Value, expression: string): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return String(v);
  throw new UnsupportedExpressionError(
    expression,
    "an object or array cannot be written into a string (use toJSON())",
  );
}

function call(name: string, args: Value[], ctx: ExpressionContext, src: string): Value {
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max)
      throw new UnsupportedExpressionError(
        src,
        `${name}() takes ${min === max ? min : `${min}-${max}`} argument(s)`,
      );
  };
  switch (name) {
    case "success":
      arity(0);
      return ctx.status === "success";
    case "failure":
      arity(0);
      return ctx.status === "failure";
    case "always":
      arity(0);
      return true;
    case "fromjson": {
      arity(1);
      try {
        return JSON.parse(stringify(args[0], src)) as Value;
      } catch (error) {
        throw new ExpressionRuntimeError(src, `fromJSON() got invalid JSON: ${(error as Error).message}`);
      }
    }
    case "tojson":
      arity(1);
      return JSON.stringify(args[0], null, 2);
    case "format": {
      if (args.length < 1) arity(1, 99);
      const [fmt, ...rest] = args;
      return stringify(fmt, src).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, index: string | undefined) => {
        if (m === "{{") return "{";
        if (m === "}}") return "}";
        const i = Number(index);
        if (i >= rest.length) throw new UnsupportedExpressionError(src, `format() has no argument {${i}}`);
        return stringify(rest[i], src);
      });
    }
    case "contains": {
      arity(2);
      const [hay, needle] = args;
      if (Array.isArray(hay)) return hay.some((x) => looseEquals(x, needle));
      return stringify(hay, src).toLowerCase().includes(stringify(needle, src).toLowerCase());
    }
    case "startswith":
      arity(2);
      return stringify(args[0], src).toLowerCase().startsWith(stringify(args[1], src).toLowerCase());
  }
  throw new UnsupportedExpressionError(src, `function '${name}()' is not in the supported list`);
}

function evaluateNode(node: Node, ctx: ExpressionContext, src: string): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "context":
      return ctx.contexts[node.name as keyof ExpressionContext["contexts"]] ?? null;
    case "member": {
      const obj = evaluateNode(node.object, ctx, src);
      const key = evaluateNode(node.property, ctx, src);
      if (Array.isArray(obj)) {
        const i = toNumber(key);
        return Number.isInteger(i) ? (obj[i] ?? null) : null;
      }
      if (!isObject(obj)) return null;
      const k = stringify(key, src);
      if (k in obj) return obj[k] ?? null;
      // Property names are case-insensitive in GitHub's expressions.
      const found = Object.keys(obj).find((x) => x.toLowerCase() === k.toLowerCase());
      return found === undefined ? null : (obj[found] ?? null);
    }
    case "call":
      return call(
        node.name,
        node.args.map((a) => evaluateNode(a, ctx, src)),
        ctx,
        src,
      );
    case "not":
      return !truthy(evaluateNode(node.operand, ctx, src));
    case "binary": {
      const left = evaluateNode(node.left, ctx, src);
      if (node.op === "&&") return truthy(left) ? evaluateNode(node.right, ctx, src) : left;
      if (node.op === "||") return truthy(left) ? left : evaluateNode(node.right, ctx, src);
      const right = evaluateNode(node.right, ctx, src);
      return node.op === "==" ? looseEquals(left, right) : !looseEquals(left, right);
    }
  }
}

/** Evaluates one expression (the text between `${{` and `}}`). */
export function evaluateExpression(expression: string, ctx: ExpressionContext): Value {
  return evaluateNode(parse(expression.trim()), ctx, expression.trim());
}

/** True when the expression calls success(), failure() or always() (then no implicit success() applies). */
export function usesStatusFunction(expression: string): boolean {
  return /\b(success|failure|always|cancelled)\s*\(/i.test(expression);
}

/** Every `${{ … }}` span of a text (quotes inside the expression are respected). */
export function findExpressions(text: string): { start: number; end: number; expression: string }[] {
  const spans: { start: number; end: number; expression: string }[] = [];
  let i = 0;
  while ((i = text.indexOf("${{", i)) !== -1) {
    let j = i + 3;
    let inString = false;
    for (; j < text.length; j++) {
      if (text[j] === "'") inString = !inString;
      else if (!inString && text.startsWith("}}", j)) break;
    }
    if (j >= text.length) throw new UnsupportedExpressionError(text.slice(i + 3), "missing closing '}}'");
    spans.push({ start: i, end: j + 2, expression: text.slice(i + 3, j).trim() });
    i = j + 2;
  }
  return spans;
}

/**
 * Evaluates a YAML value that may contain `${{ … }}`: a value that is exactly one expression keeps its
 * type (objects for `strategy.matrix`, booleans for `if`), anything else becomes a string.
 */
export function evaluateTemplate(text: string, ctx: ExpressionContext): Value {
  const spans = findExpressions(text);
  if (spans.length === 0) return text;
  if (spans.length === 1 && spans[0].start === 0 && spans[0].end === text.length) {
    return evaluateExpression(spans[0].expression, ctx);
  }
  let out = "";
  let last = 0;
  for (const s of spans) {
    out += text.slice(last, s.start) + stringify(evaluateExpression(s.expression, ctx), s.expression);
    last = s.end;
  }
  return out + text.slice(last);
}

/** evaluateTemplate, written as a string. */
export function interpolate(text: string, ctx: ExpressionContext): string {
  const spans = findExpressions(text);
  if (spans.length === 1 && spans[0].start === 0 && spans[0].end === text.length) {
    return stringify(evaluateExpression(spans[0].expression, ctx), spans[0].expression);
  }
  return evaluateTemplate(text, ctx) as string;
}

/** Checks that an expression parses within the supported subset (no evaluation). */
export function checkExpression(expression: string): void {
  parse(expression.trim());
}

/** Every `a.b.c` property path an expression reads from a context (for reference checks). */
export function contextPaths(expression: string): string[][] {
  const paths: string[][] = [];
  const walk = (node: Node): string[] | null => {
    switch (node.kind) {
      case "context":
        return [node.name];
      case "member": {
        const base = walk(node.object);
        if (base && node.property.kind === "literal" && typeof node.property.value === "string") {
          return [...base, node.property.value];
        }
        if (base) paths.push(base);
        walk(node.property);
        return null;
      }
      case "call":
        node.args.forEach((a) => {
          const p = walk(a);
          if (p) paths.push(p);
        });
        return null;
      case "not": {
        const p = walk(node.operand);
        if (p) paths.push(p);
        return null;
      }
      case "binary": {
        for (const side of [node.left, node.right]) {
          const p = walk(side);
          if (p) paths.push(p);
        }
        return null;
      }
      case "literal":
        return null;
    }
  };
  const top = walk(parse(expression.trim()));
  if (top) paths.push(top);
  return paths;
}
