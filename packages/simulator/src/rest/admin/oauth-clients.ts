/**
 * OAuth clients: `/api/v1/oauth-clients` (create → the client secret is returned once, list/get without
 * secrets, patch, delete, publish, secret rotation). The tenant's `/oauth/token` endpoint (HTTP core)
 * validates client credentials with `findOAuthClient`.
 */
import { randomBytes } from "node:crypto";
import { qlikError } from "../../http/types.ts";
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import {
  addDeleteById,
  addGetById,
  addPatchById,
  badRequest,
  listResponse,
  noContent,
  notFound,
  objectBody,
  ok,
  safeEqual,
  sha256,
} from "./util.ts";
import type { ItemRoute } from "./util.ts";

interface StoredSecret {
  hint: string;
  hash: string;
  /** Kept in memory only, to re-register the remaining secret with the token endpoint after a deletion. */
  plain: string;
  createdAt: string;
  createdBy: string;
}

export interface OAuthClientRecord {
  id: string;
  clientId: string;
  clientName: string;
  description: string;
  appType: "web" | "native" | "spa" | "anonymous-embed";
  allowedGrantTypes: string[];
  allowedScopes: string[];
  allowedOrigins: string[];
  redirectUris: string[];
  clientUri?: string;
  logoUri?: string;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  /** User who created the client; tokens issued to it act as this user. */
  createdBy: string;
  secrets: StoredSecret[];
}

/** What the token endpoint needs to issue a client-credentials token. */
export interface OAuthClientMatch {
  clientId: string;
  clientName: string;
  /** The user the token acts as (the client's creator). */
  userId: string;
  scopes: string[];
  grantTypes: string[];
}

const APP_TYPES = ["web", "native", "spa", "anonymous-embed"] as const;
const GRANT_TYPES = ["client_credentials", "urn:qlik:oauth:user-impersonation"];
const MAX_SECRETS = 2;

function state(tenant: TenantState): { clients: Map<string, OAuthClientRecord> } {
  return tenant.moduleState("oauth-clients", () => ({ clients: new Map<string, OAuthClientRecord>() }));
}

/**
 * Looks up an OAuth client created through this API by its credentials. Returns null for an unknown client
 * id or a wrong secret (constant-time comparison). Called by the HTTP core's `/oauth/token`.
 */
export function findOAuthClient(
  tenant: TenantState,
  clientId: string,
  clientSecret: string,
): OAuthClientMatch | null {
  const c = state(tenant).clients.get(clientId);
  if (!c) return null;
  const hash = sha256(clientSecret);
  let match = false;
  for (const s of c.secrets) if (safeEqual(s.hash, hash)) match = true;
  if (!match) return null;
  return {
    clientId: c.clientId,
    clientName: c.clientName,
    userId: c.createdBy,
    scopes: c.allowedScopes,
    grantTypes: c.allowedGrantTypes,
  };
}

/** A fresh client secret as the client keeps it: hashed, with its last four characters as the hint. */
function newSecret(createdAt: string, createdBy: string): StoredSecret {
  const plain = randomBytes(32).toString("hex");
  return { hint: plain.slice(-4), hash: sha256(plain), plain, createdAt, createdBy };
}

function view(c: OAuthClientRecord) {
  return {
    clientId: c.clientId,
    clientName: c.clientName,
    description: c.description,
    appType: c.appType,
    allowedGrantTypes: c.allowedGrantTypes,
    allowedScopes: c.allowedScopes,
    allowedOrigins: c.allowedOrigins,
    redirectUris: c.redirectUris,
    allowedAuthMethods: ["client_secret"],
    ...(c.clientUri ? { clientUri: c.clientUri } : {}),
    ...(c.logoUri ? { logoUri: c.logoUri } : {}),
    clientSecrets: c.secrets.map((s) => ({ hint: s.hint, createdAt: s.createdAt, createdBy: s.createdBy })),
    connectionConfig: { consentMethod: "trusted" },
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    createdByType: "user",
    ...(c.publishedAt ? { publishedAt: c.publishedAt } : {}),
  };
}

const STRING_LIST = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

const clientItem: ItemRoute<OAuthClientRecord> = {
  pattern: "/api/v1/oauth-clients/:id",
  records: (req) => state(req.tenant).clients,
  missing: (id) => notFound("OAuth client", id),
};

export const oauthClientsModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/oauth-clients",
    tier: "tier1",
    handler: (req) =>
      listResponse(req, [...state(req.tenant).clients.values()], {
        view,
        sort: {
          fields: ["clientId", "clientName", "appType", "createdAt", "updatedAt"],
          default: "+createdAt",
        },
        defaultLimit: 20,
        totalResults: true,
      }),
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/oauth-clients",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b) return badRequest("The request body must be a JSON object.");
      if (typeof b.clientName !== "string" || b.clientName.trim() === "")
        return badRequest("The OAuth client needs a non-empty 'clientName'.");
      if (typeof b.appType !== "string" || !(APP_TYPES as readonly string[]).includes(b.appType))
        return badRequest(`'appType' must be one of ${APP_TYPES.join(", ")}.`);
      const grants = b.allowedGrantTypes ?? [];
      if (!STRING_LIST(grants) || grants.some((g) => !GRANT_TYPES.includes(g)))
        return badRequest(`'allowedGrantTypes' must list only ${GRANT_TYPES.join(", ")}.`);
      for (const key of ["allowedScopes", "allowedOrigins", "redirectUris"] as const)
        if (b[key] !== undefined && !STRING_LIST(b[key]))
          return badRequest(`'${key}' must be an array of strings.`);
      const now = ctx.now().toISOString();
      const who = req.principal?.userId ?? "";
      const clientId = ctx.newId("hex") + ctx.newId("hex").slice(0, 8);
      const c: OAuthClientRecord = {
        id: clientId,
        clientId,
        clientName: b.clientName,
        description: typeof b.description === "string" ? b.description : "",
        appType: b.appType as OAuthClientRecord["appType"],
        allowedGrantTypes: grants,
        allowedScopes: (b.allowedScopes as string[] | undefined) ?? ["user_default"],
        allowedOrigins: (b.allowedOrigins as string[] | undefined) ?? [],
        redirectUris: (b.redirectUris as string[] | undefined) ?? [],
        clientUri: typeof b.clientUri === "string" ? b.clientUri : undefined,
        logoUri: typeof b.logoUri === "string" ? b.logoUri : undefined,
        createdAt: now,
        updatedAt: now,
        createdBy: who,
        secrets: [],
      };
      // Confidential (web) clients get a secret; public clients (spa, native) do not.
      let secret: string | undefined;
      if (c.appType === "web") {
        const stored = newSecret(now, who);
        c.secrets.push(stored);
        secret = stored.plain;
        ctx.registerOAuthClient(req.tenant, { clientId, clientSecret: secret, userId: who });
      }
      state(req.tenant).clients.set(clientId, c);
      return ok({ ...view(c), ...(secret ? { clientSecret: secret } : {}) }, 201);
    },
  });
  addGetById(routes, clientItem, view);
  const scalar = ["/clientName", "/clientUri", "/description", "/logoUri"];
  const lists = ["/allowedOrigins", "/redirectUris", "/allowedScopes", "/allowedGrantTypes"];
  addPatchById(
    routes,
    clientItem,
    (p) => scalar.includes(p) || lists.includes(p),
    (req, c, ops) => {
      const next = structuredClone(c);
      for (const op of ops) {
        const key = op.path.slice(1) as "clientName" | "clientUri" | "description" | "logoUri";
        if (scalar.includes(op.path)) {
          if (op.op === "remove") {
            if (key === "clientName") return badRequest("'clientName' cannot be removed.");
            if (key === "description") next.description = "";
            else delete next[key];
          } else if (typeof op.value !== "string") return badRequest(`'${op.path}' needs a string value.`);
          else next[key] = op.value;
        } else {
          const lk = op.path.slice(1) as
            "allowedOrigins" | "redirectUris" | "allowedScopes" | "allowedGrantTypes";
          const values = typeof op.value === "string" ? [op.value] : op.value;
          if (!STRING_LIST(values)) return badRequest(`'${op.path}' needs a string or array of strings.`);
          if (lk === "allowedGrantTypes" && values.some((g) => !GRANT_TYPES.includes(g)))
            return badRequest(`'allowedGrantTypes' must list only ${GRANT_TYPES.join(", ")}.`);
          if (op.op === "replace") next[lk] = values;
          else if (op.op === "add") next[lk] = [...new Set([...next[lk], ...values])];
          else next[lk] = next[lk].filter((x) => !values.includes(x));
        }
      }
      next.updatedAt = ctx.now().toISOString();
      Object.assign(c, next);
      return noContent();
    },
  );
  // Tokens the deleted client issued stop working.
  addDeleteById(routes, clientItem, (req, id) => ctx.revokeOAuthClient(req.tenant, id));
  routes.add({
    method: "POST",
    pattern: "/api/v1/oauth-clients/:id/actions/publish",
    tier: "tier2",
    handler: (req) => {
      const c = state(req.tenant).clients.get(req.params.id);
      if (!c) return notFound("OAuth client", req.params.id);
      c.publishedAt = c.publishedAt ?? ctx.now().toISOString();
      return ok({ publishedAt: c.publishedAt }, 201);
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/oauth-clients/:id/client-secrets",
    tier: "tier2",
    handler: (req: SimRequest) => {
      const c = state(req.tenant).clients.get(req.params.id);
      if (!c) return notFound("OAuth client", req.params.id);
      if (c.appType !== "web")
        return badRequest(`OAuth client '${c.clientId}' is a public client without secrets.`);
      if (c.secrets.length >= MAX_SECRETS)
        return qlikError(
          409,
          "OAUTH-409",
          "Conflict",
          `OAuth client '${c.clientId}' already has ${MAX_SECRETS} secrets; delete one first.`,
        );
      const stored = newSecret(ctx.now().toISOString(), req.principal?.userId ?? "");
      c.secrets.push(stored);
      ctx.registerOAuthClient(req.tenant, {
        clientId: c.clientId,
        clientSecret: stored.plain,
        userId: c.createdBy,
      });
      const { hint, createdAt, createdBy } = stored;
      return ok({ clientId: c.clientId, clientSecret: stored.plain, hint, createdAt, createdBy }, 201);
    },
  });
  routes.add({
    method: "DELETE",
    pattern: "/api/v1/oauth-clients/:id/client-secrets/:hint",
    tier: "tier2",
    handler: (req) => {
      const c = state(req.tenant).clients.get(req.params.id);
      if (!c) return notFound("OAuth client", req.params.id);
      const before = c.secrets.length;
      c.secrets = c.secrets.filter((s) => s.hint !== req.params.hint);
      if (c.secrets.length === before) return notFound("Client secret", req.params.hint);
      const remaining = c.secrets[c.secrets.length - 1];
      if (remaining)
        ctx.registerOAuthClient(req.tenant, {
          clientId: c.clientId,
          clientSecret: remaining.plain,
          userId: c.createdBy,
        });
      else ctx.revokeOAuthClient(req.tenant, c.clientId);
      return noContent();
    },
  });
};
