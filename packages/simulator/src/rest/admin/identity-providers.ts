/**
 * Identity providers: `/api/v1/identity-providers` (JWT, OIDC and SAML create/list/get/patch/delete,
 * `/status`). Client secrets inside OIDC options are write-only: responses never include them.
 */
import type { JsonObject } from "../../model/app-document.ts";
import type { RouteModule, SimContext, TenantState } from "../../http/types.ts";
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
} from "./util.ts";
import type { ItemRoute } from "./util.ts";

export interface IdpRecord {
  id: string;
  protocol: "OIDC" | "SAML" | "jwtAuth";
  provider: string;
  interactive: boolean;
  active: boolean;
  description: string;
  clockToleranceSec: number;
  createNewUsersOnLogin: boolean;
  postLogoutRedirectUri?: string;
  options: JsonObject;
  pendingOptions?: JsonObject;
  pendingState?: "verified" | "pending" | "error";
  meta?: unknown;
  tenantIds: string[];
  created: string;
  lastUpdated: string;
}

const OIDC_PROVIDERS = ["auth0", "okta", "generic", "salesforce", "keycloak", "adfs", "azureAD"];
const SAML_PROVIDERS = ["okta", "generic", "adfs", "azureAD"];

function idpState(tenant: TenantState): { idps: Map<string, IdpRecord> } {
  return tenant.moduleState("identity-providers", () => ({ idps: new Map<string, IdpRecord>() }));
}

function scrub(options: JsonObject | undefined): JsonObject | undefined {
  if (!options) return undefined;
  const copy = structuredClone(options);
  delete copy.clientSecret;
  if (copy.decryptingKey && typeof copy.decryptingKey === "object" && !Array.isArray(copy.decryptingKey))
    delete (copy.decryptingKey as JsonObject).privateKey;
  return copy;
}

function view(idp: IdpRecord) {
  return {
    id: idp.id,
    protocol: idp.protocol,
    provider: idp.provider,
    interactive: idp.interactive,
    active: idp.active,
    description: idp.description,
    clockToleranceSec: idp.clockToleranceSec,
    createNewUsersOnLogin: idp.createNewUsersOnLogin,
    ...(idp.postLogoutRedirectUri ? { postLogoutRedirectUri: idp.postLogoutRedirectUri } : {}),
    options: scrub(idp.options),
    ...(idp.pendingOptions
      ? { pendingOptions: scrub(idp.pendingOptions), pendingState: idp.pendingState }
      : {}),
    ...(idp.meta !== undefined ? { meta: idp.meta } : {}),
    tenantIds: idp.tenantIds,
    created: idp.created,
    lastUpdated: idp.lastUpdated,
  };
}

function isObj(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function validateCreate(b: Record<string, unknown>): string | undefined {
  if (b.protocol === "jwtAuth") {
    if (b.provider !== "external") return 'A jwtAuth identity provider needs provider "external".';
    const o = b.options;
    if (!isObj(o) || typeof o.issuer !== "string" || o.issuer === "")
      return "A jwtAuth identity provider needs 'options.issuer'.";
    if (!Array.isArray(o.staticKeys) || o.staticKeys.length === 0)
      return "A jwtAuth identity provider needs at least one key in 'options.staticKeys'.";
    for (const [i, k] of o.staticKeys.entries()) {
      if (!isObj(k) || typeof k.kid !== "string" || k.kid === "")
        return `'options.staticKeys[${i}].kid' is required.`;
      if (typeof k.pem !== "string" || !/-----BEGIN (PUBLIC KEY|CERTIFICATE|RSA PUBLIC KEY)-----/.test(k.pem))
        return `'options.staticKeys[${i}].pem' must be a PEM public key or certificate.`;
    }
    return undefined;
  }
  if (b.protocol === "OIDC") {
    if (typeof b.provider !== "string" || !OIDC_PROVIDERS.includes(b.provider))
      return `An OIDC identity provider needs 'provider' in ${OIDC_PROVIDERS.join(", ")}.`;
    if (typeof b.interactive !== "boolean") return "An OIDC identity provider needs boolean 'interactive'.";
    if (b.interactive) {
      const p = b.pendingOptions;
      if (!isObj(p)) return "An interactive OIDC identity provider needs 'pendingOptions'.";
      if (typeof p.clientId !== "string" || p.clientId === "")
        return "'pendingOptions.clientId' is required.";
      if (typeof p.clientSecret !== "string" || p.clientSecret === "")
        return "'pendingOptions.clientSecret' is required.";
      if (typeof p.discoveryUrl !== "string" && !isObj(p.openid_configuration))
        return "'pendingOptions.discoveryUrl' or 'pendingOptions.openid_configuration' is required.";
      if (!isObj(p.claimsMapping)) return "'pendingOptions.claimsMapping' is required.";
    } else {
      const o = b.options;
      if (!isObj(o) || !isObj(o.claimsMapping))
        return "A non-interactive OIDC identity provider needs 'options.claimsMapping'.";
    }
    return undefined;
  }
  if (b.protocol === "SAML") {
    if (typeof b.provider !== "string" || !SAML_PROVIDERS.includes(b.provider))
      return `A SAML identity provider needs 'provider' in ${SAML_PROVIDERS.join(", ")}.`;
    if (typeof b.interactive !== "boolean") return "A SAML identity provider needs boolean 'interactive'.";
    return undefined;
  }
  return `'protocol' must be one of OIDC, SAML, jwtAuth; got ${JSON.stringify(b.protocol)}.`;
}

const idpItem: ItemRoute<IdpRecord> = {
  pattern: "/api/v1/identity-providers/:id",
  records: (req) => idpState(req.tenant).idps,
  missing: (id) => notFound("Identity provider", id),
};

export const identityProvidersModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/identity-providers/status",
    tier: "tier1",
    handler: (req) => {
      const idps = [...idpState(req.tenant).idps.values()];
      return ok({
        active_interactive_idps_count: idps.filter((i) => i.active && i.interactive).length,
        idps_metadata: idps.map((i) => ({
          active: i.active,
          interactive: i.interactive,
          provider: i.provider,
        })),
      });
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/identity-providers",
    tier: "tier1",
    handler: (req) => {
      let list = [...idpState(req.tenant).idps.values()];
      const active = req.query.get("active");
      if (active !== null) list = list.filter((i) => String(i.active) === active);
      return listResponse(req, list, { view, defaultLimit: 20 });
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/identity-providers",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b) return badRequest("The request body must be a JSON object.");
      const problem = validateCreate(b);
      if (problem) return badRequest(problem);
      const now = ctx.now().toISOString();
      const interactive = b.protocol === "jwtAuth" ? false : (b.interactive as boolean);
      const pending = interactive && isObj(b.pendingOptions) ? structuredClone(b.pendingOptions) : undefined;
      const idp: IdpRecord = {
        id: ctx.newId("hex"),
        protocol: b.protocol as IdpRecord["protocol"],
        provider: b.provider as string,
        interactive,
        // Interactive IdPs start inactive until their pending options are verified and promoted.
        active: !interactive,
        description: typeof b.description === "string" ? b.description : "",
        clockToleranceSec: typeof b.clockToleranceSec === "number" ? b.clockToleranceSec : 5,
        createNewUsersOnLogin: b.createNewUsersOnLogin === true,
        postLogoutRedirectUri:
          typeof b.postLogoutRedirectUri === "string" ? b.postLogoutRedirectUri : undefined,
        options: isObj(b.options) ? structuredClone(b.options) : {},
        pendingOptions: pending,
        pendingState: pending ? "verified" : undefined,
        tenantIds: [req.tenant.id],
        created: now,
        lastUpdated: now,
      };
      idpState(req.tenant).idps.set(idp.id, idp);
      return ok(view(idp), 201);
    },
  });
  addGetById(routes, idpItem, view);
  addPatchById(
    routes,
    idpItem,
    () => true,
    (req, idp, ops) => {
      const next = structuredClone(idp);
      for (const op of ops) {
        if (op.op === "promote-options") {
          if (!next.pendingOptions) return badRequest("There are no pending options to promote.");
          next.options = next.pendingOptions;
          next.pendingOptions = undefined;
          next.pendingState = undefined;
          next.active = true;
          continue;
        }
        if (op.op !== "replace")
          return badRequest(`Patch op '${op.op}' is not supported for identity providers.`);
        if (idp.protocol === "jwtAuth" && op.path !== "/description")
          return badRequest(
            `Patch path '${op.path}' is not supported for jwtAuth identity providers; only /description.`,
          );
        const parts = op.path.split("/").filter(Boolean);
        if (parts.length === 1) {
          const key = parts[0];
          if (key === "active") {
            if (typeof op.value !== "boolean") return badRequest("'/active' needs a boolean.");
            next.active = op.value;
          } else if (key === "description" || key === "postLogoutRedirectUri") {
            if (typeof op.value !== "string") return badRequest(`'/${key}' needs a string.`);
            next[key] = op.value;
          } else if (key === "clockToleranceSec") {
            if (typeof op.value !== "number") return badRequest("'/clockToleranceSec' needs a number.");
            next.clockToleranceSec = op.value;
          } else if (key === "meta") next.meta = op.value;
          else if (key === "options" || key === "pendingOptions") {
            if (!isObj(op.value)) return badRequest(`'/${key}' needs an object.`);
            next[key] = structuredClone(op.value);
            if (key === "pendingOptions") next.pendingState = "verified";
          } else return badRequest(`Patch path '${op.path}' is not supported.`);
        } else if (parts.length === 2 && (parts[0] === "options" || parts[0] === "pendingOptions")) {
          const target = (next[parts[0] as "options" | "pendingOptions"] ??= {});
          target[parts[1]] = structuredClone(op.value) as JsonObject[string];
        } else return badRequest(`Patch path '${op.path}' is not supported.`);
      }
      next.lastUpdated = ctx.now().toISOString();
      idpState(req.tenant).idps.set(idp.id, next);
      return noContent();
    },
  );
  addDeleteById(routes, idpItem);
};
