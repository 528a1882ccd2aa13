// JSON-schema plumbing shared by the REST and QIX contract checks: Qlik's description documents added to
// ajv under an id, validators compiled from a JSON pointer into a document, and a walk that finds fields
// the data carries but the schema does not describe (Qlik's schemas rarely say additionalProperties).
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);

export function pointerEscape(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function pointerGet(doc: unknown, pointer: string): unknown {
  if (pointer === "" || pointer === "/") return doc;
  let cur: unknown = doc;
  for (const raw of pointer.replace(/^\//, "").split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isNode(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * How Qlik's descriptions are read (see READING_RULES in exceptions.ts): an enum written as `oneOf`
 * members that carry only a `title` and `x-qlik-const` is the enum of those titles; any other `oneOf`
 * is read as `anyOf`, because Qlik's alternatives overlap (admin and user list items, identity
 * providers whose protocol enum lives in a shared base).
 */
function readQlikSchema(node: Node): Node {
  const list = node.oneOf;
  if (!Array.isArray(list)) return node;
  const { oneOf: _, ...rest } = node;
  const titled = list.every((m) => isNode(m) && typeof m.title === "string" && "x-qlik-const" in m);
  if (titled && list.length > 0) return { ...rest, enum: list.map((m) => (m as Node).title) };
  return { ...rest, anyOf: list };
}

/** A copy of an OpenAPI/OpenRPC document whose `required` lists skip properties of the other direction. */
function directional(value: unknown, skip: "readOnly" | "writeOnly"): unknown {
  if (Array.isArray(value)) return value.map((v) => directional(v, skip));
  if (!isNode(value)) return value;
  const out: Node = {};
  for (const [k, v] of Object.entries(readQlikSchema(value))) out[k] = directional(v, skip);
  if (Array.isArray(out.required) && isNode(out.properties)) {
    const props = out.properties;
    out.required = (out.required as string[]).filter((name) => !(isNode(props[name]) && props[name][skip]));
  }
  return out;
}

/** Qlik's patterns are ECMA-262 without the `u` flag (some escape characters `u` rejects). */
const lenientRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => {
    try {
      return new RegExp(pattern, flags);
    } catch {
      return new RegExp(pattern, flags.replace("u", ""));
    }
  },
  { code: "new RegExp" },
);

export interface Located {
  doc: string;
  pointer: string;
  value: unknown;
}

export type Direction = "request" | "response";

/**
 * Qlik's description documents, each under an id. `validator()` compiles the schema at a pointer for
 * one direction (a request does not need read-only fields that are `required`; a response does not
 * carry write-only ones).
 */
export class SchemaSet {
  private readonly docs = new Map<string, unknown>();
  private readonly ajv: Record<Direction, Ajv>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(documents: Record<string, unknown>) {
    const make = () =>
      new Ajv({
        strict: false,
        allErrors: true,
        validateFormats: false,
        validateSchema: false,
        code: { regExp: lenientRegExp },
      });
    this.ajv = { request: make(), response: make() };
    for (const [id, doc] of Object.entries(documents)) {
      this.docs.set(id, directional(doc, "readOnly"));
      this.ajv.request.addSchema(directional(doc, "readOnly") as object, id);
      this.ajv.response.addSchema(directional(doc, "writeOnly") as object, id);
    }
  }

  document(id: string): unknown {
    return this.docs.get(id);
  }

  at(doc: string, pointer: string): Located {
    return { doc, pointer, value: pointerGet(this.docs.get(doc), pointer) };
  }

  /** Follows `$ref`s (local to the document) until a node without one. */
  deref(loc: Located): Located {
    let cur = loc;
    for (let i = 0; i < 32 && isNode(cur.value) && typeof cur.value.$ref === "string"; i++) {
      const ref = cur.value.$ref;
      if (!ref.startsWith("#")) break;
      cur = this.at(cur.doc, ref.slice(1));
    }
    return cur;
  }

  validate(loc: Located, data: unknown, direction: Direction): ErrorObject[] {
    const key = `${direction} ${loc.doc}#${loc.pointer}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv[direction].compile({ $ref: `${loc.doc}#${loc.pointer}` });
      this.compiled.set(key, fn);
    }
    return fn(data) ? [] : [...(fn.errors ?? [])];
  }

  /**
   * Paths of the fields in `data` that the schema does not describe. A field is described when some
   * branch (allOf/anyOf/oneOf) lists it, or the schema accepts additional properties. Schemas that list
   * no properties at all are free-form. `mustDescribe(key)` decides which undescribed keys count.
   */
  undescribed(
    loc: Located,
    data: unknown,
    direction: Direction,
    mustDescribe: (key: string) => boolean = () => true,
    path = "",
    depth = 0,
  ): string[] {
    if (depth > 64) return [];
    const members = this.members(loc);
    if (Array.isArray(data)) {
      const items = members.filter((m) => isNode(m.value) && m.value.items !== undefined);
      if (items.length === 0) return [];
      const out: string[] = [];
      data.forEach((item, i) => {
        out.push(
          ...this.best(
            items.map((m) => this.at(m.doc, `${m.pointer}/items`)),
            item,
            direction,
            mustDescribe,
            `${path}/${i}`,
            depth,
          ),
        );
      });
      return out;
    }
    if (!isNode(data)) return [];
    const props = new Map<string, Located[]>();
    const extra: Located[] = [];
    let open = false;
    let listsProperties = false;
    for (const m of members) {
      const v = m.value as Node;
      if (isNode(v.properties)) {
        listsProperties = true;
        for (const k of Object.keys(v.properties)) {
          const list = props.get(k) ?? [];
          list.push(this.at(m.doc, `${m.pointer}/properties/${pointerEscape(k)}`));
          props.set(k, list);
        }
      }
      if (v.additionalProperties === true) open = true;
      else if (isNode(v.additionalProperties))
        extra.push(this.at(m.doc, `${m.pointer}/additionalProperties`));
    }
    if (!listsProperties && extra.length === 0) return [];
    const out: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const where = `${path}/${pointerEscape(key)}`;
      const candidates = props.get(key) ?? extra;
      if (candidates.length > 0) {
        out.push(...this.best(candidates, value, direction, mustDescribe, where, depth));
        continue;
      }
      if (!open && mustDescribe(key)) out.push(where);
    }
    return out;
  }

  private best(
    candidates: Located[],
    data: unknown,
    direction: Direction,
    mustDescribe: (key: string) => boolean,
    path: string,
    depth: number,
  ): string[] {
    let fewest: string[] | undefined;
    for (const c of candidates) {
      const found = this.undescribed(c, data, direction, mustDescribe, path, depth + 1);
      if (found.length === 0) return [];
      if (!fewest || found.length < fewest.length) fewest = found;
    }
    return fewest ?? [];
  }

  /** The schema and every allOf/anyOf/oneOf branch under it, references followed. */
  private members(loc: Located, seen = new Set<string>()): Located[] {
    const resolved = this.deref(loc);
    const key = `${resolved.doc}#${resolved.pointer}`;
    if (seen.has(key) || !isNode(resolved.value)) return [];
    seen.add(key);
    const out = [resolved];
    for (const combinator of ["allOf", "anyOf", "oneOf"]) {
      const list = resolved.value[combinator];
      if (!Array.isArray(list)) continue;
      list.forEach((_, i) =>
        out.push(...this.members(this.at(resolved.doc, `${resolved.pointer}/${combinator}/${i}`), seen)),
      );
    }
    return out;
  }
}

/** One line per ajv error: `/attributes/name must be string`. */
export function describeErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const where = e.instancePath || "/";
    if (e.keyword === "enum")
      return `${where} must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    if (e.keyword === "required")
      return `${where} lacks required '${(e.params as { missingProperty: string }).missingProperty}'`;
    return `${where} ${e.message ?? e.keyword}`;
  });
}
