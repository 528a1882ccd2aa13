/**
 * Brands: `/api/v1/brands` (create from JSON or multipart form with optional logo/favIcon/styles files,
 * list, get, patch, delete, activate/deactivate, `/active`, file download). One brand is active at a time.
 */
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import {
  addPatchById,
  badRequest,
  header,
  listResponse,
  noContent,
  notFound,
  objectBody,
  ok,
  sha256,
} from "./util.ts";
import type { ItemRoute } from "./util.ts";

type FileId = "logo" | "favIcon" | "styles";
const FILE_IDS: FileId[] = ["logo", "favIcon", "styles"];

interface BrandFileRecord {
  id: FileId;
  contentType: string;
  content: Buffer;
  eTag: string;
}

export interface BrandRecord {
  id: string;
  name: string;
  description: string;
  active: boolean;
  files: Map<FileId, BrandFileRecord>;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

function state(tenant: TenantState): { brands: Map<string, BrandRecord> } {
  return tenant.moduleState("brands", () => ({ brands: new Map<string, BrandRecord>() }));
}

/** The brand in the path, if any. */
function brandOf(req: SimRequest): BrandRecord | undefined {
  return state(req.tenant).brands.get(req.params.brandId);
}

function view(b: BrandRecord) {
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    active: b.active,
    files: [...b.files.values()].map((f) => ({
      id: f.id,
      path: `/api/v1/brands/${b.id}/files/${f.id}`,
      contentType: f.contentType,
      eTag: f.eTag,
    })),
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
    createdBy: b.createdBy,
    updatedBy: b.updatedBy,
  };
}

interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Minimal multipart/form-data parser (enough for brand fields and files). */
function parseMultipart(raw: Buffer, contentType: string): FormPart[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return undefined;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: FormPart[] = [];
  let pos = raw.indexOf(boundary);
  while (pos >= 0) {
    const start = pos + boundary.length;
    if (raw.subarray(start, start + 2).toString() === "--") break;
    const next = raw.indexOf(boundary, start);
    if (next < 0) break;
    const chunk = raw.subarray(start + 2, next - 2); // skip CRLF after boundary and before the next one
    const headerEnd = chunk.indexOf("\r\n\r\n");
    if (headerEnd >= 0) {
      const headers = chunk.subarray(0, headerEnd).toString("utf8");
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      const ct = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      if (name) parts.push({ name, filename, contentType: ct, data: chunk.subarray(headerEnd + 4) });
    }
    pos = next;
  }
  return parts;
}

function readBrandInput(req: SimRequest): { fields: Record<string, string>; files: FormPart[] } | string {
  const ct = header(req, "content-type") ?? "";
  if (ct.toLowerCase().startsWith("multipart/form-data")) {
    const parts = parseMultipart(req.rawBody, ct);
    if (!parts) return "The multipart body has no boundary.";
    const fields: Record<string, string> = {};
    const files: FormPart[] = [];
    for (const p of parts) {
      if ((FILE_IDS as string[]).includes(p.name) && (p.filename !== undefined || p.contentType))
        files.push(p);
      else fields[p.name] = p.data.toString("utf8");
    }
    return { fields, files };
  }
  const b = objectBody(req);
  if (!b) return "The request body must be a JSON object or a multipart form.";
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(b)) if (typeof v === "string") fields[k] = v;
  return { fields, files: [] };
}

function activeBrand(tenant: TenantState): BrandRecord | undefined {
  return [...state(tenant).brands.values()].find((b) => b.active);
}

const brandItem: ItemRoute<BrandRecord> = {
  pattern: "/api/v1/brands/:brandId",
  records: (req) => state(req.tenant).brands,
  missing: (id) => notFound("Brand", id),
};

export const brandsModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/brands",
    tier: "tier1",
    handler: (req) =>
      listResponse(req, [...state(req.tenant).brands.values()], {
        view,
        sort: { fields: ["id", "createdAt", "updatedAt"], default: "+createdAt" },
        defaultLimit: 5,
        cursorParam: "startingAfter",
      }),
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/brands/active",
    tier: "tier1",
    handler: (req) => {
      const b = activeBrand(req.tenant);
      return ok(b ? view(b) : {});
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/brands",
    tier: "tier2",
    handler: (req) => {
      const input = readBrandInput(req);
      if (typeof input === "string") return badRequest(input);
      const name = input.fields.name;
      if (!name || name.trim() === "") return badRequest("The brand needs a non-empty 'name'.");
      const now = ctx.now().toISOString();
      const who = req.principal?.userId ?? "";
      const brand: BrandRecord = {
        id: ctx.newId("hex"),
        name,
        description: input.fields.description ?? "",
        active: false,
        files: new Map(),
        createdAt: now,
        updatedAt: now,
        createdBy: who,
        updatedBy: who,
      };
      for (const f of input.files) {
        const id = f.name as FileId;
        brand.files.set(id, {
          id,
          contentType: f.contentType ?? "application/octet-stream",
          content: Buffer.from(f.data),
          eTag: sha256(f.data.toString("base64")).slice(0, 32),
        });
      }
      state(req.tenant).brands.set(brand.id, brand);
      return ok(view(brand), 201);
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/brands/:brandId",
    tier: "tier1",
    handler: (req) => {
      if (req.params.brandId === "active") {
        const a = activeBrand(req.tenant);
        return ok(a ? view(a) : {});
      }
      const b = brandOf(req);
      return b ? ok(view(b)) : notFound("Brand", req.params.brandId);
    },
  });
  addPatchById(
    routes,
    brandItem,
    (p) => p === "/name" || p === "/description",
    (req, b, ops) => {
      let name = b.name;
      let description = b.description;
      for (const op of ops) {
        const value = op.op === "remove" ? "" : op.value;
        if (typeof value !== "string") return badRequest(`'${op.path}' needs a string value.`);
        if (op.path === "/name") {
          if (value === "") return badRequest("'/name' cannot be empty.");
          name = value;
        } else description = value;
      }
      Object.assign(b, {
        name,
        description,
        updatedAt: ctx.now().toISOString(),
        updatedBy: req.principal?.userId ?? "",
      });
      return noContent();
    },
  );
  routes.add({
    method: "DELETE",
    pattern: "/api/v1/brands/:brandId",
    tier: "tier2",
    handler: (req) => {
      const b = brandOf(req);
      if (!b) return notFound("Brand", req.params.brandId);
      if (b.active) return badRequest(`Brand '${b.name}' is active; deactivate it before deleting.`);
      state(req.tenant).brands.delete(b.id);
      return noContent();
    },
  });
  for (const action of ["activate", "deactivate"] as const) {
    routes.add({
      method: "POST",
      pattern: `/api/v1/brands/:brandId/actions/${action}`,
      tier: "tier2",
      handler: (req) => {
        const b = brandOf(req);
        if (!b) return notFound("Brand", req.params.brandId);
        if (action === "activate")
          for (const other of state(req.tenant).brands.values()) other.active = false;
        b.active = action === "activate";
        b.updatedAt = ctx.now().toISOString();
        return ok(view(b));
      },
    });
  }
  routes.add({
    method: "GET",
    pattern: "/api/v1/brands/:brandId/files/:fileId",
    tier: "tier1",
    handler: (req) => {
      const b = brandOf(req);
      const f = b?.files.get(req.params.fileId as FileId);
      if (!b || !f) return notFound("Brand file", `${req.params.brandId}/${req.params.fileId}`);
      return { status: 200, raw: f.content, headers: { "content-type": f.contentType, etag: f.eTag } };
    },
  });
  routes.add({
    method: "DELETE",
    pattern: "/api/v1/brands/:brandId/files/:fileId",
    tier: "tier2",
    handler: (req) => {
      const b = brandOf(req);
      if (!b || !b.files.delete(req.params.fileId as FileId))
        return notFound("Brand file", `${req.params.brandId}/${req.params.fileId}`);
      return noContent();
    },
  });
};
