/** Response and paging helpers for the core REST modules (spaces, items, apps, reloads). */
import { qlikError } from "../http/types.ts";
import type { SimRequest, SimResponse } from "../http/types.ts";

export function json(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  return headers ? { status, body, headers } : { status, body };
}

export const badRequest = (code: string, detail: string, pointer?: string): SimResponse => {
  const r = qlikError(400, code, "Bad Request", detail);
  if (pointer) (r.body as { errors: Record<string, unknown>[] }).errors[0].meta = { source: { pointer } };
  return r;
};
export const notFound = (code: string, detail: string): SimResponse =>
  qlikError(404, code, "Not Found", detail);
export const forbidden = (code: string, detail: string): SimResponse =>
  qlikError(403, code, "Forbidden", detail);
export const conflict = (code: string, detail: string): SimResponse =>
  qlikError(409, code, "Conflict", detail);

export function objectBody(req: SimRequest): Record<string, unknown> | null {
  const b = req.body;
  return b !== null && typeof b === "object" && !Array.isArray(b) ? (b as Record<string, unknown>) : null;
}

/**
 * Parses `limit` (1..max, default `def`): returns the number or an error response. Qlik answers 400 for
 * a limit outside its range.
 */
export function parseLimit(req: SimRequest, def: number, max: number, code: string): number | SimResponse {
  const raw = req.query.get("limit");
  if (raw === null || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    return badRequest(code, `limit must be an integer between 1 and ${max}.`);
  return n;
}

/**
 * Cursor paging: the cursor is the offset, base64url-encoded (opaque to clients). `links.next.href` is
 * an absolute URL, as @qlik/api follows it verbatim.
 */
export function page<T>(
  req: SimRequest,
  all: T[],
  limit: number,
): { data: T[]; links: Record<string, { href: string }> } | SimResponse {
  let start = 0;
  const cursor = req.query.get("next") ?? req.query.get("prev");
  if (cursor) {
    const decoded = Number(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Number.isInteger(decoded) || decoded < 0)
      return badRequest("HTTP-400", "The paging cursor is not valid.");
    start = decoded;
  }
  const data = all.slice(start, start + limit);
  const link = (offset: number | null) => {
    const u = new URL(req.baseUrl + req.path);
    for (const [k, v] of req.query) if (k !== "next" && k !== "prev") u.searchParams.set(k, v);
    if (offset !== null)
      u.searchParams.set(
        offset >= start ? "next" : "prev",
        Buffer.from(String(offset)).toString("base64url"),
      );
    return { href: u.toString() };
  };
  const self = new URL(req.baseUrl + req.path);
  for (const [k, v] of req.query) self.searchParams.set(k, v);
  const links: Record<string, { href: string }> = { self: { href: self.toString() } };
  if (start + limit < all.length) links.next = link(start + limit);
  if (start > 0) links.prev = link(Math.max(0, start - limit));
  return { data, links };
}

export function isResponse(x: unknown): x is SimResponse {
  return (
    x !== null &&
    typeof x === "object" &&
    typeof (x as SimResponse).status === "number" &&
    !Array.isArray(x) &&
    !("data" in (x as object))
  );
}

/** Sorts by `+field`/`-field`; returns null when the field is not allowed. */
export function sortList<T>(
  list: T[],
  sort: string | null,
  allowed: string[],
  get: (x: T, field: string) => unknown,
): T[] | null {
  if (!sort) return list;
  const desc = sort.startsWith("-");
  const field = sort.replace(/^[+-]/, "");
  if (!allowed.includes(field)) return null;
  return [...list].sort((a, b) => {
    const ka = String(get(a, field) ?? "").toLowerCase();
    const kb = String(get(b, field) ?? "").toLowerCase();
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return desc ? -c : c;
  });
}
