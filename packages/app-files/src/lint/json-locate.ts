/**
 * A small JSON parser that remembers where every value and key starts, so findings can point at the
 * exact line of an offending value, and parse errors carry an exact position. The one JSON locator of the
 * project: app files read for a build (parse.ts) and for lint (context.ts) both report syntax errors here.
 */
import { LineIndex } from "./text.ts";
import type { Position } from "./types.ts";

export type JsonPath = readonly (string | number)[];

export type JsonNode =
  | { kind: "object"; offset: number; end: number; props: JsonProp[] }
  | { kind: "array"; offset: number; end: number; items: JsonNode[] }
  | { kind: "string"; offset: number; end: number; value: string }
  | { kind: "number"; offset: number; end: number; value: number }
  | { kind: "boolean"; offset: number; end: number; value: boolean }
  | { kind: "null"; offset: number; end: number; value: null };

export interface JsonProp {
  key: string;
  keyOffset: number;
  value: JsonNode;
}

export class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = "JsonSyntaxError";
    this.offset = offset;
  }
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function describeChar(c: string | undefined): string {
  if (c === undefined) return "end of file";
  if (c === "\n" || c === "\r") return "end of line";
  return `'${c}'`;
}

/** Parses JSON text into a node tree with offsets. Throws `JsonSyntaxError` with the offset of the fault. */
export function parseJsonNodes(text: string): JsonNode {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    let chunk = i;
    for (;;) {
      if (i >= text.length) fail("Unterminated string", start);
      const c = text[i];
      if (c === '"') {
        out += text.slice(chunk, i);
        i++;
        return out;
      }
      if (c === "\\") {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Invalid \\u escape in string", i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          i += 2;
        } else {
          fail(`Invalid escape ${describeChar(e)} in string`, i);
        }
        chunk = i;
        continue;
      }
      if (c.charCodeAt(0) < 0x20)
        fail("Unescaped control character in string (a string cannot span lines)", i);
      i++;
    }
  };

  const parseValue = (): JsonNode => {
    skipWs();
    const start = i;
    const c = text[i];
    if (c === "{") {
      i++;
      const props: JsonProp[] = [];
      skipWs();
      if (text[i] === "}") {
        i++;
        return { kind: "object", offset: start, end: i, props };
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"')
          fail(`Expected a double-quoted property name but found ${describeChar(text[i])}`);
        const keyOffset = i;
        const key = parseString();
        skipWs();
        if (text[i] !== ":") fail(`Expected ':' after property name but found ${describeChar(text[i])}`);
        i++;
        const value = parseValue();
        props.push({ key, keyOffset, value });
        skipWs();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return { kind: "object", offset: start, end: i, props };
        }
        fail(`Expected ',' or '}' in object but found ${describeChar(text[i])}`);
      }
    }
    if (c === "[") {
      i++;
      const items: JsonNode[] = [];
      skipWs();
      if (text[i] === "]") {
        i++;
        return { kind: "array", offset: start, end: i, items };
      }
      for (;;) {
        items.push(parseValue());
        skipWs();
        if (text[i] === ",") {
          i++;
          skipWs();
          if (text[i] === "]") fail("Trailing comma before ']'");
          continue;
        }
        if (text[i] === "]") {
          i++;
          return { kind: "array", offset: start, end: i, items };
        }
        fail(`Expected ',' or ']' in array but found ${describeChar(text[i])}`);
      }
    }
    if (c === '"') {
      const value = parseString();
      return { kind: "string", offset: start, end: i, value };
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) fail("Invalid number");
      i += m![0].length;
      return { kind: "number", offset: start, end: i, value: Number(m![0]) };
    }
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value === null
          ? { kind: "null", offset: start, end: i, value }
          : { kind: "boolean", offset: start, end: i, value };
      }
    }
    return fail(`Unexpected ${describeChar(c)}`);
  };

  const root = parseValue();
  skipWs();
  if (i < text.length) fail(`Unexpected ${describeChar(text[i])} after the end of the JSON value`);
  return root;
}

/** The plain JavaScript value of a node (like `JSON.parse`). */
export function toPlain(node: JsonNode): unknown {
  switch (node.kind) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const p of node.props) {
        Object.defineProperty(out, p.key, {
          value: toPlain(p.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case "array":
      return node.items.map(toPlain);
    default:
      return node.value;
  }
}

/** The node at a key path, or undefined. With duplicate keys the last one wins, as in `JSON.parse`. */
function nodeAt(root: JsonNode, path: JsonPath): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const step of path) {
    if (!node) return undefined;
    if (typeof step === "number") {
      node = node.kind === "array" ? node.items[step] : undefined;
    } else if (node.kind === "object") {
      let found: JsonNode | undefined;
      for (const p of node.props) if (p.key === step) found = p.value;
      node = found;
    } else {
      return undefined;
    }
  }
  return node;
}

/** Offset of the key of the last path step (for object members), or undefined. */
function keyOffsetAt(root: JsonNode, path: JsonPath): number | undefined {
  if (path.length === 0) return undefined;
  const last = path[path.length - 1];
  if (typeof last !== "string") return undefined;
  const parent = nodeAt(root, path.slice(0, -1));
  if (parent?.kind !== "object") return undefined;
  let found: number | undefined;
  for (const p of parent.props) if (p.key === last) found = p.keyOffset;
  return found;
}

/** A parsed JSON document that can say where any of its values sits. */
export class LocatedJson {
  readonly text: string;
  readonly value: unknown;
  #root: JsonNode | undefined;
  #lines: LineIndex | undefined;

  /** Parses `text`; throws `JsonSyntaxError` carrying the offset of the first fault. */
  constructor(text: string) {
    this.text = text;
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    try {
      // The native parser is much faster; the position tree is only built when a position is needed.
      this.value = JSON.parse(body);
    } catch (error) {
      parseJsonNodes(text); // throws with the exact offset
      const at = /position (\d+)/.exec((error as Error).message);
      throw new JsonSyntaxError((error as Error).message, at ? Number(at[1]) + (body === text ? 0 : 1) : 0);
    }
  }

  /** The position tree (built on first use). */
  get root(): JsonNode {
    this.#root ??= parseJsonNodes(this.text);
    return this.#root;
  }

  position(offset: number): Position {
    this.#lines ??= new LineIndex(this.text);
    return this.#lines.position(offset);
  }

  /**
   * Where the value at `path` starts. When the path does not exist, the deepest existing ancestor is
   * used, so a finding always points somewhere sensible. `{ key: true }` points at the member's key.
   */
  locate(path: JsonPath, options?: { key?: boolean }): Position {
    if (options?.key) {
      const k = keyOffsetAt(this.root, path);
      if (k !== undefined) return this.position(k);
    }
    for (let n = path.length; n >= 0; n--) {
      const node = nodeAt(this.root, path.slice(0, n));
      if (node) return this.position(node.offset);
    }
    return { line: 1, column: 1 };
  }

  /** Raw source text of the value at `path` (for strings, including quotes and escapes). */
  rawAt(path: JsonPath): { raw: string; offset: number } | undefined {
    const node = nodeAt(this.root, path);
    return node ? { raw: this.text.slice(node.offset, node.end), offset: node.offset } : undefined;
  }
}
