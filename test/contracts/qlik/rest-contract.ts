// Checks recorded HTTP exchanges against Qlik's REST OpenAPI descriptions: the operation exists; path,
// query and header parameters are described and valid; the request body's content type and fields are
// described, required fields present, enum values inside the enum; the response status is described and
// its body validates against the response schema with no undescribed fields.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeErrors, pointerEscape, SchemaSet } from "./schemas.ts";
import type { Direction, Located } from "./schemas.ts";
import type { Check, Finding, Rule } from "./findings.ts";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

interface Operation {
  doc: string;
  template: string;
  method: string;
  pointer: string;
  /** Static segments by text; parameters by name, in braces. */
  segments: { text: string; param: boolean }[];
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: unknown;
  explode?: boolean;
  loc: Located;
}

export interface HttpExchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody: Buffer;
  status: number;
  responseHeaders: Record<string, unknown>;
  responseBody: Buffer;
  flow: string;
}

const isNode = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

// The described media type a content type falls under (wildcards such as "type/*" included).
function describedMedia(described: string[], contentType: string): string | undefined {
  return (
    described.find((m) => m.toLowerCase() === contentType) ??
    described.find((m) => m.endsWith("/*") && contentType.startsWith(m.slice(0, -1).toLowerCase())) ??
    described.find((m) => m === "*/*")
  );
}

function mediaType(value: unknown): string {
  return String(Array.isArray(value) ? value[0] : (value ?? ""))
    .split(";")[0]
    .trim()
    .toLowerCase();
}

/** Stands ids in for the segments of a path no description knows, so the table groups them. */
function genericPath(path: string): string {
  return path
    .split("/")
    .map((s) => (/\d/.test(s) && s.length >= 8 ? "{id}" : s))
    .join("/");
}

export function loadRestDescriptions(dir: string): Record<string, unknown> {
  const docs: Record<string, unknown> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    docs[file] = JSON.parse(readFileSync(join(dir, file), "utf8")) as unknown;
  }
  return docs;
}

/** Where a description points a response at the wrong schema: the schema (in the same document) to use. */
export interface ResponseSchemaOverride {
  subject: string;
  status: string;
  /** JSON pointer into the operation's document, e.g. `/components/schemas/itemsResultResponseBody`. */
  schema: string;
  reason: string;
}

export class RestContract {
  private readonly schemas: SchemaSet;
  private readonly operations: Operation[] = [];
  private readonly overrides: readonly ResponseSchemaOverride[];
  /** Overrides that were applied at least once (an unused one is stale). */
  readonly usedOverrides = new Set<ResponseSchemaOverride>();

  constructor(documents: Record<string, unknown>, overrides: readonly ResponseSchemaOverride[] = []) {
    this.overrides = overrides;
    this.schemas = new SchemaSet(documents);
    for (const [doc, value] of Object.entries(documents)) {
      const paths = isNode(value) && isNode(value.paths) ? value.paths : {};
      for (const [template, item] of Object.entries(paths)) {
        if (!isNode(item)) continue;
        for (const method of METHODS) {
          if (!isNode(item[method])) continue;
          this.operations.push({
            doc,
            template,
            method: method.toUpperCase(),
            pointer: `/paths/${pointerEscape(template)}/${method}`,
            segments: template
              .split("/")
              .filter((s) => s !== "")
              .map((s) =>
                /^\{.+\}$/.test(s) ? { text: s.slice(1, -1), param: true } : { text: s, param: false },
              ),
          });
        }
      }
    }
  }

  /** The described operation for a method and path: most static segments, earliest, wins. */
  find(method: string, path: string): { op: Operation; params: Record<string, string> } | undefined {
    const parts = path.split("/").filter((s) => s !== "");
    let best: { op: Operation; params: Record<string, string>; score: string } | undefined;
    for (const op of this.operations) {
      if (op.method !== method || op.segments.length !== parts.length) continue;
      let score = "";
      const params: Record<string, string> = {};
      let ok = true;
      op.segments.forEach((seg, i) => {
        if (!ok) return;
        if (seg.param) {
          params[seg.text] = decodeURIComponent(parts[i]);
          score += "0";
        } else if (seg.text === parts[i]) score += "1";
        else ok = false;
      });
      if (ok && (!best || score > best.score)) best = { op, params, score };
    }
    return best && { op: best.op, params: best.params };
  }

  check(ex: HttpExchange): Check {
    const url = new URL(ex.url, "http://contract.invalid");
    const method = ex.method.toUpperCase();
    const match = this.find(method, url.pathname);
    if (!match) {
      const subject = `${method} ${genericPath(url.pathname)}`;
      return {
        kind: "REST",
        subject,
        reference: "none",
        flow: ex.flow,
        findings: [{ rule: "endpoint-undescribed", subject, detail: "no description has this operation" }],
      };
    }
    const { op } = match;
    const subject = `${method} ${op.template}`;
    const findings: Finding[] = [];
    const add = (rule: Rule, detail: string) => findings.push({ rule, subject, detail });
    const operation = this.schemas.at(op.doc, op.pointer);
    const params = this.parameters(op);

    for (const [name, value] of Object.entries(match.params)) {
      const p = params.find((x) => x.in === "path" && x.name === name);
      if (p) for (const e of this.paramErrors(p, [value])) add("path-param-invalid", `{${name}} ${e}`);
    }
    const queryNames = [...new Set(url.searchParams.keys())];
    for (const name of queryNames) {
      const p = params.find((x) => x.in === "query" && x.name === name);
      if (!p) add("query-param-undescribed", `?${name}`);
      else
        for (const e of this.paramErrors(p, url.searchParams.getAll(name)))
          add("query-param-invalid", `?${name} ${e}`);
    }
    for (const p of params) {
      if (!p.required) continue;
      if (p.in === "query" && !url.searchParams.has(p.name))
        add("query-param-invalid", `?${p.name} is required`);
      if (p.in === "header" && ex.requestHeaders[p.name.toLowerCase()] === undefined)
        add("header-missing", `${p.name} is required`);
    }

    this.checkRequestBody(ex, operation, add);
    this.checkResponse(ex, operation, subject, add);
    return { kind: "REST", subject, reference: op.doc, flow: ex.flow, findings };
  }

  private parameters(op: Operation): Parameter[] {
    const itemPointer = op.pointer.slice(0, op.pointer.lastIndexOf("/"));
    const out: Parameter[] = [];
    for (const base of [`${itemPointer}/parameters`, `${op.pointer}/parameters`]) {
      const list = this.schemas.at(op.doc, base).value;
      if (!Array.isArray(list)) continue;
      list.forEach((_, i) => {
        const loc = this.schemas.deref(this.schemas.at(op.doc, `${base}/${i}`));
        const p = loc.value as Omit<Parameter, "loc">;
        const existing = out.findIndex((x) => x.name === p.name && x.in === p.in);
        const entry = { ...p, loc };
        if (existing >= 0) out[existing] = entry;
        else out.push(entry);
      });
    }
    return out;
  }

  private paramErrors(p: Parameter, values: string[]): string[] {
    if (p.schema === undefined) return [];
    const schemaLoc = this.schemas.deref(this.schemas.at(p.loc.doc, `${p.loc.pointer}/schema`));
    const type = isNode(schemaLoc.value) ? schemaLoc.value.type : undefined;
    const coerce = (v: string): unknown => {
      const itemType =
        type === "array" && isNode(schemaLoc.value) && isNode(schemaLoc.value.items)
          ? schemaLoc.value.items.type
          : type;
      if ((itemType === "integer" || itemType === "number") && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
      if (itemType === "boolean" && (v === "true" || v === "false")) return v === "true";
      return v;
    };
    let data: unknown;
    if (type === "array") {
      const split = p.explode === false ? values.flatMap((v) => v.split(",")) : values;
      data = split.map(coerce);
    } else {
      if (values.length > 1) return [`is given ${values.length} times`];
      data = coerce(values[0] ?? "");
    }
    return describeErrors(this.schemas.validate(schemaLoc, data, "request"));
  }

  private checkRequestBody(
    ex: HttpExchange,
    operation: Located,
    add: (rule: Rule, detail: string) => void,
  ): void {
    const rbLoc = this.schemas.deref(this.schemas.at(operation.doc, `${operation.pointer}/requestBody`));
    const rb = rbLoc.value;
    if (ex.requestBody.length === 0) {
      if (isNode(rb) && rb.required) add("request-body-missing", "the request body is required");
      return;
    }
    if (!isNode(rb)) {
      add("request-body-undescribed", "the operation takes no request body");
      return;
    }
    const ct = mediaType(ex.requestHeaders["content-type"]);
    const content = isNode(rb.content) ? rb.content : {};
    const media = describedMedia(Object.keys(content), ct);
    if (!media) {
      add("request-content-type", `'${ct}' is not one of ${JSON.stringify(Object.keys(content))}`);
      return;
    }
    const data = parseBody(ex.requestBody, ct);
    if (data === undefined) return;
    const schema = this.schemas.at(rbLoc.doc, `${rbLoc.pointer}/content/${pointerEscape(media)}/schema`);
    if (schema.value === undefined) return;
    this.checkData(schema, data, "request", add);
  }

  private checkResponse(
    ex: HttpExchange,
    operation: Located,
    subject: string,
    add: (rule: Rule, detail: string) => void,
  ): void {
    const responses = this.schemas.at(operation.doc, `${operation.pointer}/responses`).value;
    const keys = isNode(responses) ? Object.keys(responses) : [];
    const status = String(ex.status);
    const key =
      keys.find((k) => k === status) ??
      keys.find((k) => k.toUpperCase() === `${status[0]}XX`) ??
      keys.find((k) => k === "default");
    if (!key) {
      add("response-status-undescribed", `status ${status} (described: ${keys.join(", ")})`);
      return;
    }
    const rLoc = this.schemas.deref(
      this.schemas.at(operation.doc, `${operation.pointer}/responses/${pointerEscape(key)}`),
    );
    // A described Location header is what the response is for (a redirect, a created export).
    const headers = isNode(rLoc.value) && isNode(rLoc.value.headers) ? rLoc.value.headers : {};
    if (Object.keys(headers).some((h) => h.toLowerCase() === "location") && !ex.responseHeaders.location)
      add("response-header-missing", `status ${status} has no Location header`);
    if (ex.responseBody.length === 0) return;
    const content = isNode(rLoc.value) && isNode(rLoc.value.content) ? rLoc.value.content : {};
    const ct = mediaType(ex.responseHeaders["content-type"]);
    const media = describedMedia(Object.keys(content), ct);
    if (!media) {
      add(
        "response-content-type",
        `status ${status} body '${ct}' is not one of ${JSON.stringify(Object.keys(content))}`,
      );
      return;
    }
    const data = parseBody(ex.responseBody, ct);
    if (data === undefined) return;
    const override = this.overrides.find((o) => o.subject === subject && o.status === status);
    if (override) this.usedOverrides.add(override);
    const schema = override
      ? this.schemas.at(operation.doc, override.schema)
      : this.schemas.at(rLoc.doc, `${rLoc.pointer}/content/${pointerEscape(media)}/schema`);
    if (schema.value === undefined) return;
    this.checkData(schema, data, "response", add, status);
  }

  private checkData(
    schema: Located,
    data: unknown,
    direction: Direction,
    add: (rule: Rule, detail: string) => void,
    status?: string,
  ): void {
    const prefix = direction === "request" ? "body" : `status ${status} body`;
    for (const e of describeErrors(this.schemas.validate(schema, data, direction)))
      add(direction === "request" ? "request-invalid" : "response-invalid", `${prefix} ${e}`);
    for (const path of this.schemas.undescribed(schema, data, direction))
      add(
        direction === "request" ? "request-field-undescribed" : "response-field-undescribed",
        `${prefix} ${path}`,
      );
  }
}

function parseBody(body: Buffer, contentType: string): unknown {
  const text = body.toString("utf8");
  if (contentType.includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (contentType === "application/x-www-form-urlencoded")
    return Object.fromEntries(new URLSearchParams(text));
  return undefined;
}
