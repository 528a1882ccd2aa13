/**
 * Small helpers shared by the admin route modules: responses, body checks, header lookup, list paging,
 * SCIM-like filters, JSON-patch application, and the routes every kind of record repeats (list, get,
 * patch and delete by id).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { qlikError } from "../../http/types.ts";
import type { RouteRegistry, SimRequest, SimResponse } from "../../http/types.ts";

export function ok(body: unknown, status = 200, headers?: Record<string, string>): SimResponse {
  return headers ? { status, body, headers } : { status, body };
}

/** A redirect to the concrete resource (Qlik answers `/me` endpoints this way). */
export function redirect(status: 301 | 302, location: string): SimResponse {
  return { status, headers: { location } };
}

export function noContent(): SimResponse {
  return { status: 204 };
}

export function notFound(what: string, id: string): SimResponse {
  return qlikError(404, "HTTP-404", "Not found", `${what} '${id}' was not found.`);
}

export function badRequest(detail: string, code = "HTTP-400"): SimResponse {
  return qlikError(400, code, "Bad request", detail);
}

export function forbidden(detail: string, code = "HTTP-403"): SimResponse {
  return qlikError(403, code, "Forbidden", detail);
}

/** A plain JSON object body, or undefined when the body is missing or not an object. */
export function objectBody(req: SimRequest): Record<string, unknown> | undefined {
  const b = req.body;
  return b !== null && typeof b === "object" && !Array.isArray(b)
    ? (b as Record<string, unknown>)
    : undefined;
}

export function header(req: SimRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

export function isTrue(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && ["true", "1", "yes"].includes(value.toLowerCase());
}

/** Constant-time comparison of two strings through their SHA-256 digests. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash("sha256").update(a).digest();
  const db = createHash("sha256").update(b).digest();
  return timingSafeEqual(da, db);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A stable 24-hex id derived from a name (built-in roles keep the same id in every tenant and run). */
export function stableHexId(name: string): string {
  return sha256(`qlik-sim:${name}`).slice(0, 24);
}

export interface PageOptions {
  /** Page size when the query has no `limit` (default 20). */
  defaultLimit?: number;
  /** Largest page a `limit` may ask for (default 100). */
  maxLimit?: number;
  /** Query parameter carrying the forward cursor (default `next`). */
  cursorParam?: string;
}

/**
 * Cursor paging over an already ordered list: `limit` (default 20, max `maxLimit`), `next` = id of the last
 * item of the previous page. Returns the page and the `links` block Qlik lists carry.
 */
function paginate<T extends { id: string }>(
  req: SimRequest,
  all: T[],
  opts: PageOptions = {},
): { page: T[]; links: Record<string, { href: string }> } {
  const defaultLimit = opts.defaultLimit ?? 20;
  const maxLimit = opts.maxLimit ?? 100;
  const cursorParam = opts.cursorParam ?? "next";
  const rawLimit = Number(req.query.get("limit") ?? defaultLimit);
  const limit =
    Number.isFinite(rawLimit) && rawLimit > 0 ? Math.min(Math.floor(rawLimit), maxLimit) : defaultLimit;
  const cursor = req.query.get(cursorParam);
  let start = 0;
  if (cursor) {
    const idx = all.findIndex((x) => x.id === cursor);
    start = idx >= 0 ? idx + 1 : all.length;
  }
  const prevCursor = req.query.get("prev");
  let end = start + limit;
  if (prevCursor && !cursor) {
    const idx = all.findIndex((x) => x.id === prevCursor);
    end = idx >= 0 ? idx : 0;
    start = Math.max(0, end - limit);
  }
  const page = all.slice(start, end);
  const self = new URL(req.baseUrl + req.path);
  for (const [k, v] of req.query) self.searchParams.set(k, v);
  const links: Record<string, { href: string }> = { self: { href: self.toString() } };
  if (end < all.length && page.length > 0) {
    const n = new URL(req.baseUrl + req.path);
    for (const [k, v] of req.query) if (k !== "prev" && k !== cursorParam) n.searchParams.set(k, v);
    n.searchParams.set(cursorParam, page[page.length - 1].id);
    links.next = { href: n.toString() };
  }
  if (start > 0 && page.length > 0) {
    const p = new URL(req.baseUrl + req.path);
    for (const [k, v] of req.query) if (k !== "prev" && k !== cursorParam) p.searchParams.set(k, v);
    p.searchParams.set("prev", page[0].id);
    links.prev = { href: p.toString() };
  }
  return { page, links };
}

/** Sort by `sort` query (`name`, `+name`, `-name`); unknown fields leave the order unchanged. */
function sortBy<T>(list: T[], sort: string | null, allowed: string[]): T[] {
  if (!sort) return list;
  const desc = sort.startsWith("-");
  const field = sort.replace(/^[+-]/, "");
  if (!allowed.includes(field)) return list;
  const key = (x: T) => (x as Record<string, unknown>)[field];
  return [...list].sort((a, b) => {
    const ka = String(key(a) ?? "");
    const kb = String(key(b) ?? "");
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return desc ? -c : c;
  });
}

/** The records a SCIM-style `filter` matches (all without one); a filter that does not parse is a 400. */
export function filterBy<T>(records: T[], filter: string | null): T[] | SimResponse {
  if (!filter) return records;
  const pred = parseFilter(filter);
  return typeof pred === "string" ? badRequest(pred) : records.filter(pred);
}

export interface ListOptions<T> extends PageOptions {
  /** How a record appears in `data`; omit when the records already are what the list shows. */
  view?: (record: T) => unknown;
  /** The fields `sort` may name and the order used without `sort`; omit to keep the records' order. */
  sort?: { fields: string[]; default: string };
  /** Only some Qlik lists answer `totalResults=true` with the size of the whole (filtered) list. */
  totalResults?: boolean;
}

/** A Qlik list response `{data, links, totalResults?}`: the records sorted by the query, then one page. */
export function listResponse<T extends { id: string }>(
  req: SimRequest,
  records: T[],
  opts: ListOptions<T>,
): SimResponse {
  const sorted = opts.sort
    ? sortBy(records, req.query.get("sort") ?? opts.sort.default, opts.sort.fields)
    : records;
  const { page, links } = paginate(req, sorted, opts);
  const view = opts.view;
  const body: Record<string, unknown> = { data: view ? page.map((r) => view(r)) : page, links };
  if (opts.totalResults && req.query.get("totalResults") === "true") body.totalResults = sorted.length;
  return ok(body);
}

/**
 * A filterable list answers both `GET pattern?filter=…` and `POST pattern/actions/filter` with `{filter}`
 * in the body (for filters too long for a URL). Both are tier-1 reads.
 */
export function addFilterableList(
  routes: RouteRegistry,
  pattern: string,
  list: (req: SimRequest, filter: string | null) => SimResponse,
): void {
  routes.add({ method: "GET", pattern, tier: "tier1", handler: (req) => list(req, req.query.get("filter")) });
  routes.add({
    method: "POST",
    pattern: `${pattern}/actions/filter`,
    tier: "tier1",
    handler: (req) => {
      const f = objectBody(req)?.filter;
      return list(req, typeof f === "string" ? f : null);
    },
  });
}

/** One kind of record served at an item path such as `/api/v1/groups/:groupId`. */
export interface ItemRoute<T> {
  /** The item path; its last segment is the id parameter. */
  pattern: string;
  /** The request tenant's records of this kind, by id. */
  records: (req: SimRequest) => Map<string, T>;
  /** The answer for an id with no record. */
  missing: (id: string) => SimResponse;
}

function itemId<T>(item: ItemRoute<T>, req: SimRequest): string {
  return req.params[item.pattern.slice(item.pattern.lastIndexOf(":") + 1)];
}

/** A handler for the item path: `fn` gets the record the path names; without one the item's 404 answers. */
function onRecord<T>(
  item: ItemRoute<T>,
  fn: (req: SimRequest, record: T) => SimResponse,
): (req: SimRequest) => SimResponse {
  return (req) => {
    const id = itemId(item, req);
    const record = item.records(req).get(id);
    return record === undefined ? item.missing(id) : fn(req, record);
  };
}

/** `GET` an item (a tier-1 read): the record as `view` shows it, or the item's 404. */
export function addGetById<T>(
  routes: RouteRegistry,
  item: ItemRoute<T>,
  view: (record: T, req: SimRequest) => unknown,
): void {
  routes.add({
    method: "GET",
    pattern: item.pattern,
    tier: "tier1",
    handler: onRecord(item, (req, record) => ok(view(record, req))),
  });
}

/**
 * `DELETE` an item (a tier-2 write): 204 once removed, or the item's 404. `afterDelete` drops what pointed at
 * the record (memberships, runs, registered credentials).
 */
export function addDeleteById<T>(
  routes: RouteRegistry,
  item: ItemRoute<T>,
  afterDelete?: (req: SimRequest, id: string) => void,
): void {
  routes.add({
    method: "DELETE",
    pattern: item.pattern,
    tier: "tier2",
    handler: (req) => {
      const id = itemId(item, req);
      if (!item.records(req).delete(id)) return item.missing(id);
      afterDelete?.(req, id);
      return noContent();
    },
  });
}

/**
 * `PATCH` an item with a JSON-patch array (a tier-2 write): the item's 404 first, then the body checks of
 * `patchOps`, then `apply` with the validated ops.
 */
export function addPatchById<T>(
  routes: RouteRegistry,
  item: ItemRoute<T>,
  allowedPaths: (path: string) => boolean,
  apply: (req: SimRequest, record: T, ops: PatchOp[]) => SimResponse,
): void {
  routes.add({
    method: "PATCH",
    pattern: item.pattern,
    tier: "tier2",
    handler: onRecord(item, (req, record) => {
      const ops = patchOps(req, allowedPaths);
      return isResponse(ops) ? ops : apply(req, record, ops);
    }),
  });
}

/**
 * A small SCIM-style filter (RFC 7644 subset Qlik lists accept): `field eq "v"`, `field co "v"`,
 * `field sw "v"`, `field ne "v"`, combined with `and` / `or` and parentheses. Dotted fields look into
 * arrays of objects (`assignedRoles.name eq "TenantAdmin"`). Comparisons are case-insensitive.
 * Returns a predicate, or an error sentence when the filter cannot be parsed.
 */
export function parseFilter(filter: string): ((item: unknown) => boolean) | string {
  const tokens: string[] = [];
  const re = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(filter)) !== null) {
    tokens.push(m[1]);
    consumed = re.lastIndex;
  }
  if (filter.slice(consumed).trim() !== "") return `The filter '${filter}' could not be parsed.`;
  let pos = 0;
  type Pred = (item: unknown) => boolean;
  const fail = (msg: string): never => {
    throw new Error(msg);
  };
  const parseOr = (): Pred => {
    let left = parseAnd();
    while (tokens[pos]?.toLowerCase() === "or") {
      pos++;
      const right = parseAnd();
      const l = left;
      left = (x) => l(x) || right(x);
    }
    return left;
  };
  const parseAnd = (): Pred => {
    let left = parseUnary();
    while (tokens[pos]?.toLowerCase() === "and") {
      pos++;
      const right = parseUnary();
      const l = left;
      left = (x) => l(x) && right(x);
    }
    return left;
  };
  const parseUnary = (): Pred => {
    if (tokens[pos]?.toLowerCase() === "not") {
      pos++;
      const inner = parseUnary();
      return (x) => !inner(x);
    }
    if (tokens[pos] === "(") {
      pos++;
      const inner = parseOr();
      if (tokens[pos] !== ")") fail("missing ')'");
      pos++;
      return inner;
    }
    const field = tokens[pos++];
    const op = tokens[pos++]?.toLowerCase();
    const rawValue = tokens[pos++];
    if (!field || !op || rawValue === undefined) fail("incomplete comparison");
    if (!["eq", "ne", "co", "sw", "ew"].includes(op)) fail(`unsupported operator '${op}'`);
    let value: string;
    if (rawValue.startsWith('"')) value = JSON.parse(rawValue) as string;
    else value = rawValue;
    const want = value.toLowerCase();
    return (item) => {
      const values = valuesAt(item, field.split("."));
      const cmp = (v: unknown) => {
        const s = String(v).toLowerCase();
        switch (op) {
          case "eq":
            return s === want;
          case "ne":
            return s !== want;
          case "co":
            return s.includes(want);
          case "sw":
            return s.startsWith(want);
          default:
            return s.endsWith(want);
        }
      };
      return op === "ne" ? values.every(cmp) : values.some(cmp);
    };
  };
  try {
    const pred = parseOr();
    if (pos !== tokens.length) return `The filter '${filter}' has unexpected text at '${tokens[pos]}'.`;
    return pred;
  } catch (e) {
    return `The filter '${filter}' could not be parsed: ${(e as Error).message}.`;
  }
}

function valuesAt(item: unknown, path: string[]): unknown[] {
  if (path.length === 0) return item === undefined || item === null ? [] : [item];
  if (Array.isArray(item)) return item.flatMap((x) => valuesAt(x, path));
  if (item === null || typeof item !== "object") return [];
  return valuesAt((item as Record<string, unknown>)[path[0]], path.slice(1));
}

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

/** Validates a JSON-patch array body; returns the ops or an error response. */
export function patchOps(req: SimRequest, allowedPaths: (path: string) => boolean): PatchOp[] | SimResponse {
  if (!Array.isArray(req.body)) return badRequest("The request body must be a JSON Patch array.");
  const ops: PatchOp[] = [];
  for (const [i, raw] of (req.body as unknown[]).entries()) {
    if (raw === null || typeof raw !== "object") return badRequest(`Patch operation ${i} must be an object.`);
    const o = raw as Record<string, unknown>;
    if (typeof o.op !== "string") return badRequest(`Patch operation ${i} is missing 'op'.`);
    // "promote-options" (identity providers) is the one op without a path.
    const path = typeof o.path === "string" ? o.path : o.op === "promote-options" ? "" : undefined;
    if (path === undefined) return badRequest(`Patch operation ${i} is missing 'path'.`);
    if (path !== "" && !allowedPaths(path)) return badRequest(`Patch path '${path}' is not supported.`);
    ops.push({ op: o.op, path, value: o.value });
  }
  return ops;
}

export function isResponse(x: unknown): x is SimResponse {
  return (
    x !== null && typeof x === "object" && !Array.isArray(x) && typeof (x as SimResponse).status === "number"
  );
}

/** Deterministic hash of a string to [0,1). */
export function unitHash(text: string): number {
  const h = createHash("sha256").update(text).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}
