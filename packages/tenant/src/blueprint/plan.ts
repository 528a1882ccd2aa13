import { ConfigError, secrets } from "@qlik-cicd/common";
import { activateBrand, createBrand, patchBrand } from "@qlik/api/brands";
import { createIdp, deleteIdp } from "@qlik/api/identity-providers";
import { createOAuthClient, deleteOAuthClient, patchOAuthClient } from "@qlik/api/oauth-clients";
import {
  createSpace,
  createSpaceAssignment,
  deleteSpaceAssignment,
  patchSpace,
  updateSpaceAssignment,
} from "@qlik/api/spaces";
import { patchTenant } from "@qlik/api/tenants";
import { createUser, deleteUser, patchUser } from "@qlik/api/users";
import { createWebhook, patchWebhook } from "@qlik/api/webhooks";
import type { ApplyContext, Step } from "./operations.ts";
import type { AssignmentState, TenantSnapshot } from "./tenant-state.ts";
import { findGroupId } from "./tenant-state.ts";
import type {
  Blueprint,
  IdentityProviderSpec,
  OAuthClientSecretSink,
  OAuthClientSpec,
  SpaceSpec,
} from "./types.ts";

/** Stores a newly created OAuth client's secret where the blueprint says (GitHub secret, exported variable). */
export type SecretSinkFn = (
  client: { name: string; clientId: string },
  sink: OAuthClientSecretSink,
  secret: string,
) => Promise<void>;

export interface PlanInput {
  blueprint: Blueprint;
  snapshot: TenantSnapshot;
  pruneUsers: boolean;
  /** Environment the blueprint's secret references (`*Env`) are read from. */
  env: Record<string, string | undefined>;
  storeSecret: SecretSinkFn;
  /** Assignments of the blueprint's existing spaces, by space id. */
  assignments: Map<string, AssignmentState[]>;
  /** Subjects whose tenant roles must not be reduced and who are never deleted (the caller). */
  protectedSubjects: Set<string>;
  /** Group name (lower case) → id for every group the blueprint's space members name. */
  groupIds: Map<string, string>;
  /** Extra spaces the blueprint needs (the monitoring space). */
  extraSpaces: SpaceSpec[];
}

const lower = (s: string) => s.toLowerCase();
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

function readEnv(env: Record<string, string | undefined>, name: string, field: string): string {
  const value = env[name];
  if (!value) {
    throw new ConfigError(`Environment variable ${name} named in '${field}' is not set.`, {
      field,
      hint: "Pass the secret to the step's env: block from a repository or environment secret.",
    });
  }
  secrets.register(value);
  return value;
}

// ------------------------------------------------------------------------------------------ tenant

function tenantSteps(input: PlanInput): Step[] {
  const desired = input.blueprint.tenant;
  if (!desired) return [];
  const { tenant } = input.snapshot;
  const ops: { op: "replace"; path: string; value: string | boolean }[] = [];
  const changes: string[] = [];
  if (desired.name !== undefined && desired.name !== tenant.name) {
    ops.push({ op: "replace", path: "/name", value: desired.name });
    changes.push(`name '${tenant.name}' → '${desired.name}'`);
  }
  for (const [key, value] of Object.entries(desired.settings ?? {})) {
    if (tenant.settings[key] !== value) {
      ops.push({ op: "replace", path: `/${key}`, value: value as boolean });
      changes.push(`${key} ${String(tenant.settings[key])} → ${String(value)}`);
    }
  }
  if (ops.length === 0) return [];
  return [
    {
      kind: "update-tenant",
      target: `tenant ${tenant.name}`,
      description: `Update tenant settings: ${changes.join(", ")}`,
      run: async ({ client }) => {
        await client.call(
          {
            tier: "write",
            method: "PATCH",
            resource: "/api/v1/tenants/{id}",
            operation: "update tenant settings",
          },
          (opts) => patchTenant(tenant.id, ops as never, opts),
        );
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------- branding

function brandingSteps(input: PlanInput): Step[] {
  const desired = input.blueprint.branding;
  if (!desired) return [];
  const existing = input.snapshot.brands.find((b) => lower(b.name) === lower(desired.name));
  const steps: Step[] = [];
  const target = `brand ${desired.name}`;
  if (!existing) {
    steps.push({
      kind: "create-brand",
      target,
      description: `Create brand '${desired.name}' and make it the active brand`,
      run: async ({ client }) => {
        const res = await client.call(
          { tier: "write", method: "POST", resource: "/api/v1/brands", operation: "create brand" },
          (opts) => createBrand({ name: desired.name, description: desired.description ?? "" }, opts),
        );
        const id = (res.data as { id: string }).id;
        await client.call(
          {
            tier: "write",
            method: "POST",
            resource: "/api/v1/brands/{id}/actions/activate",
            operation: "activate brand",
          },
          (opts) => activateBrand(id, {}, opts),
        );
      },
    });
    return steps;
  }
  if (desired.description !== undefined && desired.description !== existing.description) {
    steps.push({
      kind: "update-brand",
      target,
      description: `Update the description of brand '${desired.name}'`,
      run: async ({ client }) => {
        await client.call(
          { tier: "write", method: "PATCH", resource: "/api/v1/brands/{id}", operation: "update brand" },
          (opts) =>
            patchBrand(
              existing.id,
              [{ op: "replace", path: "/description", value: desired.description }] as never,
              opts,
            ),
        );
      },
    });
  }
  if (!existing.active) {
    steps.push({
      kind: "activate-brand",
      target,
      description: `Make brand '${desired.name}' the active brand`,
      run: async ({ client }) => {
        await client.call(
          {
            tier: "write",
            method: "POST",
            resource: "/api/v1/brands/{id}/actions/activate",
            operation: "activate brand",
          },
          (opts) => activateBrand(existing.id, {}, opts),
        );
      },
    });
  }
  return steps;
}

// ------------------------------------------------------------------------------ identity provider

function idpBody(
  spec: IdentityProviderSpec,
  env: Record<string, string | undefined>,
): Record<string, unknown> {
  if (spec.protocol === "jwtAuth") {
    return {
      protocol: "jwtAuth",
      provider: "external",
      interactive: false,
      description: spec.description,
      options: { issuer: spec.issuer, staticKeys: spec.keys.map((k) => ({ kid: k.kid, pem: k.pem })) },
    };
  }
  return {
    protocol: "OIDC",
    provider: spec.provider,
    interactive: true,
    description: spec.description,
    pendingOptions: {
      discoveryUrl: spec.discoveryUrl,
      clientId: spec.clientId,
      clientSecret: readEnv(env, spec.clientSecretEnv, "identityProvider.clientSecretEnv"),
      claimsMapping: spec.claimsMapping ?? { sub: ["sub"], name: ["name"], email: ["email"] },
    },
  };
}

function idpMatches(spec: IdentityProviderSpec, actual: TenantSnapshot["idps"][number]): boolean {
  if (spec.protocol === "jwtAuth") {
    const o = actual.options as { issuer?: unknown; staticKeys?: { kid?: unknown; pem?: unknown }[] };
    const keys = (o.staticKeys ?? []).map((k) => `${String(k.kid)}\n${String(k.pem).trim()}`);
    return (
      o.issuer === spec.issuer &&
      sameSet(
        keys,
        spec.keys.map((k) => `${k.kid}\n${k.pem.trim()}`),
      )
    );
  }
  const o = (actual.pendingOptions ?? actual.options) as Record<string, unknown>;
  return (
    actual.provider === spec.provider &&
    o.discoveryUrl === spec.discoveryUrl &&
    o.clientId === spec.clientId &&
    (spec.claimsMapping === undefined ||
      JSON.stringify(o.claimsMapping ?? {}) === JSON.stringify(spec.claimsMapping))
  );
}

function idpSteps(input: PlanInput): Step[] {
  const spec = input.blueprint.identityProvider;
  if (!spec) return [];
  const existing = input.snapshot.idps.find(
    (i) => i.protocol === spec.protocol && i.description === spec.description,
  );
  const target = `identity provider ${spec.description}`;
  const create = async ({ client }: ApplyContext) => {
    const body = idpBody(spec, input.env);
    await client.call(
      {
        tier: "write",
        method: "POST",
        resource: "/api/v1/identity-providers",
        operation: "create identity provider",
      },
      (opts) => createIdp(body as never, opts),
    );
  };
  if (!existing) {
    return [
      {
        kind: "create-identity-provider",
        target,
        description: `Create ${spec.protocol} identity provider '${spec.description}'`,
        run: create,
      },
    ];
  }
  if (idpMatches(spec, existing)) return [];
  return [
    {
      kind: "replace-identity-provider",
      target,
      description: `Replace ${spec.protocol} identity provider '${spec.description}' (its settings differ)`,
      run: async (ctx) => {
        await ctx.client.call(
          {
            tier: "write",
            method: "DELETE",
            resource: "/api/v1/identity-providers/{id}",
            operation: "delete identity provider",
          },
          (opts) => deleteIdp(existing.id, opts),
        );
        await create(ctx);
      },
    },
  ];
}

// -------------------------------------------------------------------------------------------- users

function userSteps(input: PlanInput): { create: Step[]; update: Step[]; prune: Step[] } {
  const desired = input.blueprint.users;
  const out = { create: [] as Step[], update: [] as Step[], prune: [] as Step[] };
  if (!desired) return out;
  const bySubject = new Map(input.snapshot.users.map((u) => [lower(u.subject), u]));
  for (const spec of desired) {
    const actual = bySubject.get(lower(spec.subject));
    const target = `user ${spec.subject}`;
    if (!actual) {
      out.create.push({
        kind: "create-user",
        target,
        description: `Create user ${spec.subject}${spec.roles?.length ? ` with roles ${spec.roles.join(", ")}` : ""}`,
        run: async (ctx) => {
          const res = await ctx.client.call(
            { tier: "write", method: "POST", resource: "/api/v1/users", operation: "create user" },
            (opts) =>
              createUser(
                {
                  subject: spec.subject,
                  ...(spec.name ? { name: spec.name } : {}),
                  ...(spec.email ? { email: spec.email } : {}),
                  assignedRoles: (spec.roles ?? []).map((name) => ({ name })),
                } as never,
                opts,
              ),
          );
          ctx.userIds.set(lower(spec.subject), (res.data as { id: string }).id);
        },
      });
      continue;
    }
    const patch: { op: string; path: string; value: unknown }[] = [];
    const changes: string[] = [];
    if (spec.name !== undefined && spec.name !== actual.name) {
      patch.push({ op: "replace", path: "/name", value: spec.name });
      changes.push(`name → '${spec.name}'`);
    }
    if (spec.roles !== undefined && !sameSet(spec.roles, actual.roles)) {
      let roles = spec.roles;
      if (input.protectedSubjects.has(lower(spec.subject))) {
        // The caller keeps every role it has: removing its own admin role would lock the pipeline out.
        roles = [...new Set([...spec.roles, ...actual.roles])];
      }
      if (!sameSet(roles, actual.roles)) {
        patch.push({ op: "replace", path: "/assignedRoles", value: roles.map((name) => ({ name })) });
        changes.push(`roles [${actual.roles.join(", ")}] → [${[...roles].sort().join(", ")}]`);
      }
    }
    if (patch.length > 0) {
      out.update.push({
        kind: "update-user",
        target,
        description: `Update user ${spec.subject}: ${changes.join("; ")}`,
        run: async ({ client }) => {
          await client.call(
            { tier: "write", method: "PATCH", resource: "/api/v1/users/{id}", operation: "update user" },
            (opts) => patchUser(actual.id, patch as never, opts),
          );
        },
      });
    }
  }
  if (input.pruneUsers) {
    for (const u of unlistedUsers(input.blueprint, input.snapshot, input.protectedSubjects)) {
      out.prune.push({
        kind: "delete-user",
        target: `user ${u.subject}`,
        description: `Delete user ${u.subject} (not in the blueprint)`,
        run: async ({ client }) => {
          await client.call(
            { tier: "write", method: "DELETE", resource: "/api/v1/users/{id}", operation: "delete user" },
            (opts) => deleteUser(u.id, opts),
          );
        },
      });
    }
  }
  return out;
}

/** Users on the tenant that the blueprint does not list (service accounts and the caller excluded). */
function unlistedUsers(
  blueprint: Blueprint,
  snapshot: TenantSnapshot,
  protectedSubjects: Set<string>,
): TenantSnapshot["users"] {
  if (!blueprint.users) return [];
  const listed = new Set([
    ...blueprint.users.map((u) => lower(u.subject)),
    ...(blueprint.serviceAccounts ?? []).map(lower),
  ]);
  return snapshot.users.filter(
    (u) =>
      !listed.has(lower(u.subject)) && !protectedSubjects.has(lower(u.subject)) && u.id !== snapshot.me.id,
  );
}

// ------------------------------------------------------------------------------------------- spaces

async function assigneeId(ctx: ApplyContext, member: { user?: string; group?: string }, where: string) {
  if (member.user) {
    const id = ctx.userIds.get(lower(member.user));
    if (!id)
      throw new ConfigError(
        `${where}: user '${member.user}' does not exist on the tenant; list it under 'users'.`,
        {
          field: where,
        },
      );
    return id;
  }
  const name = member.group as string;
  let id = ctx.groupIds.get(lower(name));
  if (!id) {
    id = await findGroupId(ctx.client, name);
    if (!id)
      throw new ConfigError(
        `${where}: group '${name}' does not exist on the tenant (groups come from the identity provider).`,
        { field: where },
      );
    ctx.groupIds.set(lower(name), id);
  }
  return id;
}

function spaceSteps(input: PlanInput): { spaces: Step[]; members: Step[]; warnings: string[] } {
  const out = { spaces: [] as Step[], members: [] as Step[], warnings: [] as string[] };
  const all = [...(input.blueprint.spaces ?? []), ...input.extraSpaces];
  all.forEach((spec, index) => {
    const actual = input.snapshot.spaces.find((s) => lower(s.name) === lower(spec.name));
    const target = `space ${spec.name}`;
    if (!actual) {
      out.spaces.push({
        kind: "create-space",
        target,
        description: `Create ${spec.type} space '${spec.name}'`,
        run: async (ctx) => {
          const res = await ctx.client.call(
            { tier: "write", method: "POST", resource: "/api/v1/spaces", operation: "create space" },
            (opts) =>
              createSpace(
                {
                  name: spec.name,
                  type: spec.type,
                  ...(spec.description ? { description: spec.description } : {}),
                } as never,
                opts,
              ),
          );
          ctx.spaceIds.set(lower(spec.name), (res.data as { id: string }).id);
        },
      });
    } else {
      if (actual.type !== spec.type) {
        out.warnings.push(
          `Space '${spec.name}' is ${actual.type} on the tenant but ${spec.type} in the blueprint; a space's type cannot change, so it is left as it is.`,
        );
      }
      if (spec.description !== undefined && spec.description !== actual.description) {
        out.spaces.push({
          kind: "update-space",
          target,
          description: `Update the description of space '${spec.name}'`,
          run: async ({ client }) => {
            await client.call(
              { tier: "write", method: "PATCH", resource: "/api/v1/spaces/{id}", operation: "update space" },
              (opts) =>
                patchSpace(
                  actual.id,
                  [{ op: "replace", path: "/description", value: spec.description }] as never,
                  opts,
                ),
            );
          },
        });
      }
    }
    if (!spec.members) return;
    const existing = actual ? (input.assignments.get(actual.id) ?? []) : [];
    const where =
      index < (input.blueprint.spaces?.length ?? 0) ? `spaces[${index}].members` : "monitoring.space";
    const matched = new Set<string>();
    spec.members.forEach((m, j) => {
      const who = m.user ? `user ${m.user}` : `group ${m.group}`;
      // Known ids now (existing users, groups); a user created by this run is resolved when the step runs.
      const knownId = m.user
        ? input.snapshot.users.find((u) => lower(u.subject) === lower(m.user as string))?.id
        : input.groupIds.get(lower(m.group as string));
      const current = knownId ? existing.find((a) => a.assigneeId === knownId) : undefined;
      if (current) matched.add(current.id);
      if (current && sameSet(current.roles, m.roles)) return;
      out.members.push({
        kind: current ? "update-space-member" : "add-space-member",
        target: `${target} / ${who}`,
        description: current
          ? `Change ${who}'s roles in space '${spec.name}' [${current.roles.join(", ")}] → [${[...m.roles].sort().join(", ")}]`
          : `Give ${who} roles ${m.roles.join(", ")} in space '${spec.name}'`,
        run: async (ctx) => {
          const spaceId = actual?.id ?? ctx.spaceIds.get(lower(spec.name));
          if (!spaceId) throw new Error(`Space '${spec.name}' was not created.`);
          const id = await assigneeId(ctx, m, `${where}[${j}]`);
          await upsertAssignment(ctx, spaceId, current, m.user ? "user" : "group", id, m.roles);
        },
      });
    });
    if (actual) {
      for (const a of existing) {
        if (matched.has(a.id)) continue;
        const user = input.snapshot.users.find((u) => u.id === a.assigneeId);
        const who = user ? `user ${user.subject}` : `${a.type} ${a.assigneeId}`;
        out.members.push({
          kind: "remove-space-member",
          target: `${target} / ${who}`,
          description: `Remove ${who} from space '${spec.name}' (not in the blueprint)`,
          run: async ({ client }) => {
            await client.call(
              {
                tier: "write",
                method: "DELETE",
                resource: "/api/v1/spaces/{id}/assignments/{id}",
                operation: "remove space member",
              },
              (opts) => deleteSpaceAssignment(actual.id, a.id, opts),
            );
          },
        });
      }
    }
  });
  return out;
}

async function upsertAssignment(
  ctx: ApplyContext,
  spaceId: string,
  current: AssignmentState | undefined,
  type: "user" | "group",
  assignee: string,
  roles: string[],
): Promise<void> {
  if (current) {
    await ctx.client.call(
      {
        tier: "write",
        method: "PUT",
        resource: "/api/v1/spaces/{id}/assignments/{id}",
        operation: "update space member",
      },
      (opts) => updateSpaceAssignment(spaceId, current.id, { roles } as never, opts),
    );
  } else {
    await ctx.client.call(
      {
        tier: "write",
        method: "POST",
        resource: "/api/v1/spaces/{id}/assignments",
        operation: "add space member",
      },
      (opts) => createSpaceAssignment(spaceId, { type, assigneeId: assignee, roles } as never, opts),
    );
  }
}

// ------------------------------------------------------------------------------------ OAuth clients

function oauthSteps(input: PlanInput): Step[] {
  const steps: Step[] = [];
  for (const spec of input.blueprint.oauthClients ?? []) {
    const actual = input.snapshot.oauthClients.find((c) => lower(c.clientName) === lower(spec.name));
    const target = `OAuth client ${spec.name}`;
    if (!actual) {
      steps.push({
        kind: "create-oauth-client",
        target,
        description: `Create ${spec.appType} OAuth client '${spec.name}'${spec.secret ? ` and store its secret in ${sinkLabel(spec.secret)}` : ""}`,
        run: (ctx) => createClient(ctx, spec, input.storeSecret),
      });
      continue;
    }
    const patch: { op: string; path: string; value: unknown }[] = [];
    const lists: [keyof OAuthClientSpec, keyof typeof actual, string][] = [
      ["grantTypes", "allowedGrantTypes", "/allowedGrantTypes"],
      ["scopes", "allowedScopes", "/allowedScopes"],
      ["redirectUris", "redirectUris", "/redirectUris"],
      ["allowedOrigins", "allowedOrigins", "/allowedOrigins"],
    ];
    for (const [from, to, path] of lists) {
      const want = spec[from] as string[] | undefined;
      if (want !== undefined && !sameSet(want, actual[to] as string[]))
        patch.push({ op: "replace", path, value: want });
    }
    if (spec.description !== undefined && spec.description !== actual.description)
      patch.push({ op: "replace", path: "/description", value: spec.description });
    if (spec.appType !== actual.appType) {
      throw new ConfigError(
        `OAuth client '${spec.name}' is ${actual.appType} on the tenant but ${spec.appType} in the blueprint; a client's type cannot change.`,
        {
          field: "oauthClients.appType",
          hint: "Rename the client in the blueprint, or delete it on the tenant.",
        },
      );
    }
    if (patch.length > 0) {
      steps.push({
        kind: "update-oauth-client",
        target,
        description: `Update OAuth client '${spec.name}': ${patch.map((p) => p.path.slice(1)).join(", ")}`,
        run: async ({ client }) => {
          await client.call(
            {
              tier: "write",
              method: "PATCH",
              resource: "/api/v1/oauth-clients/{id}",
              operation: "update OAuth client",
            },
            (opts) => patchOAuthClient(actual.id, patch as never, opts),
          );
        },
      });
    }
  }
  return steps;
}

function sinkLabel(sink: OAuthClientSecretSink): string {
  const parts: string[] = [];
  if (sink.githubSecret)
    parts.push(
      `GitHub secret ${sink.githubSecret.name}${sink.githubSecret.environment ? ` (environment ${sink.githubSecret.environment})` : ""}`,
    );
  if (sink.exportVariable) parts.push(`job variable ${sink.exportVariable}`);
  return parts.join(" and ");
}

async function createClient(ctx: ApplyContext, spec: OAuthClientSpec, store: SecretSinkFn): Promise<void> {
  const body = {
    clientName: spec.name,
    appType: spec.appType,
    description: spec.description ?? "",
    allowedGrantTypes: spec.grantTypes ?? (spec.appType === "web" ? ["client_credentials"] : []),
    allowedScopes: spec.scopes ?? ["user_default"],
    redirectUris: spec.redirectUris ?? [],
    allowedOrigins: spec.allowedOrigins ?? [],
  };
  const res = await ctx.client.call(
    { tier: "write", method: "POST", resource: "/api/v1/oauth-clients", operation: "create OAuth client" },
    (opts) => createOAuthClient(body as never, opts),
  );
  const data = res.data as { id?: string; clientId?: string; clientSecret?: string };
  const secret = data.clientSecret;
  // Masked before anything else can see it.
  secrets.register(secret);
  const clientId = data.clientId ?? data.id ?? "";
  if (!secret || !spec.secret) return;
  try {
    await store({ name: spec.name, clientId }, spec.secret, secret);
  } catch (error) {
    // The secret is shown once: without a place to keep it the client is useless, so remove it and let a
    // re-run create a new one.
    ctx.logger.warn(
      `The secret of OAuth client '${spec.name}' could not be stored; deleting the client so a re-run creates it again.`,
    );
    await ctx.client
      .call(
        {
          tier: "write",
          method: "DELETE",
          resource: "/api/v1/oauth-clients/{id}",
          operation: "delete OAuth client",
        },
        (opts) => deleteOAuthClient(data.id ?? clientId, opts),
      )
      .catch(() => undefined);
    throw error;
  }
}

// ------------------------------------------------------------------------------------------ webhook

const FAILED_RELOAD_EVENT = "com.qlik.v1.reload.finished";
const FAILED_RELOAD_FILTER = 'data.status eq "error"';

function webhookSteps(input: PlanInput): Step[] {
  const spec = input.blueprint.monitoring?.failedReloadWebhook;
  if (!spec) return [];
  const name = spec.name ?? "qlik-cicd failed reloads";
  const actual = input.snapshot.webhooks.find((w) => w.name === name);
  const target = `webhook ${name}`;
  const secret = () =>
    spec.secretEnv
      ? readEnv(input.env, spec.secretEnv, "monitoring.failedReloadWebhook.secretEnv")
      : undefined;
  if (!actual) {
    return [
      {
        kind: "create-webhook",
        target,
        description: `Register webhook '${name}' for failed reloads (${FAILED_RELOAD_EVENT}) → ${spec.url}`,
        run: async ({ client }) => {
          const body = {
            name,
            url: spec.url,
            eventTypes: [FAILED_RELOAD_EVENT],
            filter: FAILED_RELOAD_FILTER,
            enabled: true,
            ...(spec.secretEnv ? { secret: secret() } : {}),
          };
          await client.call(
            { tier: "write", method: "POST", resource: "/api/v1/webhooks", operation: "create webhook" },
            (opts) => createWebhook(body as never, opts),
          );
        },
      },
    ];
  }
  const patch: { op: string; path: string; value: unknown }[] = [];
  if (actual.url !== spec.url) patch.push({ op: "replace", path: "/url", value: spec.url });
  if (!sameSet(actual.eventTypes, [FAILED_RELOAD_EVENT]))
    patch.push({ op: "replace", path: "/eventTypes", value: [FAILED_RELOAD_EVENT] });
  if (actual.filter !== FAILED_RELOAD_FILTER)
    patch.push({ op: "replace", path: "/filter", value: FAILED_RELOAD_FILTER });
  if (!actual.enabled) patch.push({ op: "replace", path: "/enabled", value: true });
  const needsSecret = spec.secretEnv !== undefined && !actual.secretKeyAdded;
  if (patch.length === 0 && !needsSecret) return [];
  return [
    {
      kind: "update-webhook",
      target,
      description: `Update webhook '${name}': ${[...patch.map((p) => p.path.slice(1)), ...(needsSecret ? ["secret"] : [])].join(", ")}`,
      run: async ({ client }) => {
        const ops = needsSecret ? [...patch, { op: "replace", path: "/secret", value: secret() }] : patch;
        await client.call(
          { tier: "write", method: "PATCH", resource: "/api/v1/webhooks/{id}", operation: "update webhook" },
          (opts) => patchWebhook(actual.id, ops as never, opts),
        );
      },
    },
  ];
}

/**
 * The ordered configuration steps (everything but app deployments): tenant settings, branding, identity
 * provider, users, spaces, space members, OAuth clients, webhooks, and last the deletion of unlisted users.
 */
export function planConfiguration(input: PlanInput): { steps: Step[]; warnings: string[] } {
  const users = userSteps(input);
  const spaces = spaceSteps(input);
  const steps = [
    ...tenantSteps(input),
    ...brandingSteps(input),
    ...idpSteps(input),
    ...users.create,
    ...users.update,
    ...spaces.spaces,
    ...spaces.members,
    ...oauthSteps(input),
    ...webhookSteps(input),
    ...users.prune,
  ];
  return { steps, warnings: spaces.warnings };
}
