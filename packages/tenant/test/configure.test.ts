// configureTenant against the simulator: apply, re-apply (no-op), plan/dry-run changes nothing, drift after an
// out-of-band change (a person made TenantAdmin through REST), user pruning, OAuth client secrets stored as
// sealed GitHub secrets and never logged, monitoring apps deployed through the delivery library.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, MemoryLogger, mutationEvents } from "@qlik-cicd/common";
import type { MutationEvent } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { configureTenant } from "../src/index.ts";
import type { Blueprint } from "../src/index.ts";
import { unbuiltAppFolder } from "./helpers.ts";
import { startGitHubDouble, type GitHubDouble } from "../../../test/helpers/github-double.ts";
import { githubClientFor } from "../../../test/helpers/github-client.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let client: QlikClient;
let tenantName: string;
let appDir: string;

const PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";

function blueprint(): Blueprint {
  return {
    version: 1,
    tenant: { name: "Acme Analytics", settings: { enableAnalyticCreation: true } },
    identityProvider: {
      protocol: "jwtAuth",
      description: "acme-jwt",
      issuer: "https://acme.example",
      keys: [{ kid: "k1", pem: PEM }],
    },
    serviceAccounts: ["qlik-sim|tenant-1-admin"],
    users: [
      { subject: "qlik-sim|tenant-1-admin", roles: ["TenantAdmin", "AnalyticsAdmin"] },
      { subject: "acme|ann", name: "Ann", email: "ann@acme.example", roles: ["SharedSpaceCreator"] },
      { subject: "acme|bob", name: "Bob", email: "bob@acme.example" },
    ],
    spaces: [
      {
        name: "customer-reports",
        type: "shared",
        description: "Reports for Acme",
        members: [
          { user: "acme|ann", roles: ["producer"] },
          { user: "acme|bob", roles: ["consumer"] },
        ],
      },
    ],
    oauthClients: [
      {
        name: "acme-backend",
        appType: "web",
        grantTypes: ["client_credentials"],
        secret: { githubSecret: { name: "ACME_BACKEND_SECRET", environment: "production" } },
      },
      { name: "acme-embed", appType: "web", secret: { exportVariable: "ACME_EMBED_SECRET" } },
    ],
    branding: { name: "Acme", description: "Acme colours" },
    monitoring: {
      apps: [{ source: appDir, name: "Reload Monitor" }],
      failedReloadWebhook: { url: "http://127.0.0.1:9/hooks/reload", secretEnv: "HOOK_SECRET" },
    },
  };
}

function state() {
  const t = sim.tenant(tenantName);
  const s = sim.control.state(tenantName);
  return JSON.stringify({
    users: [...t.users.values()].map((u) => [u.subject, u.assignedRoles.map((r) => r.name)]),
    spaces: s.spaces,
    assignments: s.assignments,
    apps: s.apps.map((a) => a.id),
  });
}

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    timings: { reloadMs: 20, publishAccessWindowMs: 0 },
  });
  const t = sim.description.tenants[0];
  tenantName = t.name;
  client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
  const app = sim.control.state(tenantName).apps[0];
  appDir = await unbuiltAppFolder(client, app.id);
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

describe("configureTenant", () => {
  const env = { HOOK_SECRET: "hook-secret-value-0123456789-abcdef" };
  const logger = new MemoryLogger();
  const exported = new Map<string, string>();
  let github: GitHubDouble;

  afterAll(async () => {
    await github?.close();
  });

  it("applies a blueprint, storing new client secrets sealed and never logging them", async () => {
    github = await startGitHubDouble();
    github.repo("acme/ops");
    const events: MutationEvent[] = [];
    const off = mutationEvents.on((e) => events.push(e));
    const result = await configureTenant(
      client,
      { blueprint: blueprint(), mode: "apply", baseDir: "/", env },
      {
        logger,
        github: githubClientFor(github),
        defaultRepository: "acme/ops",
        exportVariable: (name, value) => exported.set(name, value),
      },
    );
    off();
    expect(result.changed).toBe(true);
    const kinds = result.plan.map((p) => p.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "update-tenant",
        "create-brand",
        "create-identity-provider",
        "create-user",
        "create-space",
        "add-space-member",
        "create-oauth-client",
        "create-webhook",
        "deploy-app",
      ]),
    );
    // Users before spaces, spaces before members, deployments last.
    expect(kinds.indexOf("create-user")).toBeLessThan(kinds.indexOf("add-space-member"));
    expect(kinds.indexOf("create-space")).toBeLessThan(kinds.indexOf("add-space-member"));
    expect(kinds.at(-1)).toBe("deploy-app");

    const t = sim.tenant(tenantName);
    const ann = [...t.users.values()].find((u) => u.subject === "acme|ann");
    expect(ann?.assignedRoles.map((r) => r.name)).toEqual(["SharedSpaceCreator"]);
    const snap = sim.control.state(tenantName);
    const space = snap.spaces.find((s) => s.name === "customer-reports");
    expect(space).toBeDefined();
    expect(snap.assignments.filter((a) => a.spaceId === space!.id)).toHaveLength(2);
    const monitoring = snap.spaces.find((s) => s.name === "monitoring");
    expect(snap.apps.some((a) => a.name === "Reload Monitor" && a.spaceId === monitoring?.id)).toBe(true);

    // The secret went to GitHub sealed with the repository's key (environment scope) and opens to a secret
    // the tenant accepts for the client.
    const put = github.requests.find((r) => r.method === "PUT");
    expect(put?.path).toBe("/repos/acme/ops/environments/production/secrets/ACME_BACKEND_SECRET");
    const stored = github.repo("acme/ops").secrets.find((s) => s.name === "ACME_BACKEND_SECRET");
    expect(stored?.keyId).toBe("double-key-1");
    const secret = (await github.decryptSecret("acme/ops", "ACME_BACKEND_SECRET", "environment:production"))!;
    expect(secret.length).toBeGreaterThan(10);
    expect(stored?.encryptedValue).not.toContain(secret);
    const embedSecret = exported.get("ACME_EMBED_SECRET");
    expect(embedSecret).toBeTruthy();
    for (const value of [secret, embedSecret as string, env.HOOK_SECRET]) {
      expect(logger.text()).not.toContain(value);
      expect(JSON.stringify(result)).not.toContain(value);
      expect(JSON.stringify(events)).not.toContain(value);
    }
    // The GitHub write is audited like tenant mutations.
    expect(events).toContainEqual(
      expect.objectContaining({
        tenant: "github:acme/ops",
        method: "PUT",
        operation: "store Actions secret",
        result: "ok",
      }),
    );
  });

  it("re-applying changes nothing", async () => {
    const before = state();
    const result = await configureTenant(
      client,
      { blueprint: blueprint(), mode: "apply", baseDir: "/", env },
      {
        logger,
        github: githubClientFor(github),
        defaultRepository: "acme/ops",
        exportVariable: () => undefined,
      },
    );
    expect(result.plan).toEqual([]);
    expect(result.changed).toBe(false);
    expect(state()).toBe(before);
  });

  it("plan and dry-run list ordered operations and change nothing", async () => {
    const changed = blueprint();
    changed.users!.push({ subject: "acme|cy", roles: ["Developer"] });
    changed.spaces![0].members!.push({ user: "acme|cy", roles: ["consumer"] });
    const before = state();
    const plan = await configureTenant(client, { blueprint: changed, mode: "plan", baseDir: "/", env: {} });
    const dry = await configureTenant(client, {
      blueprint: changed,
      mode: "apply",
      dryRun: true,
      baseDir: "/",
      env: {},
    });
    expect(state()).toBe(before);
    expect(plan.mode).toBe("plan");
    expect(dry.mode).toBe("plan");
    expect(plan.changed).toBe(true);
    expect(plan.plan.map((p) => p.kind)).toEqual(["create-user", "add-space-member"]);
    expect(dry.plan).toEqual(plan.plan);
  });

  it("reports drift after an out-of-band change and flags the person holding an admin role", async () => {
    // Someone makes a person TenantAdmin directly through the REST API.
    const t = sim.description.tenants[0];
    const res = await fetch(`${t.url}/api/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        subject: "acme|mallory",
        name: "Mallory",
        assignedRoles: [{ name: "TenantAdmin" }],
      }),
    });
    expect(res.status).toBe(201);
    const reportDir = mkdtempSync(join(tmpdir(), "drift-"));
    const before = state();
    const result = await configureTenant(client, {
      blueprint: blueprint(),
      mode: "drift",
      baseDir: "/",
      reportDir,
    });
    expect(state()).toBe(before);
    expect(result.changed).toBe(false);
    const drift = result.drift!;
    expect(drift.inSync).toBe(false);
    expect(drift.differences).toContainEqual(
      expect.objectContaining({ area: "users", target: "user acme|mallory" }),
    );
    expect(drift.interactiveAdmins.map((p) => p.subject)).toEqual(["acme|mallory"]);
    const md = readFileSync(result.driftReportPath!, "utf8");
    expect(md).toContain("acme\\|mallory");
    expect(md).toContain("People with admin roles");
    expect(JSON.parse(readFileSync(result.driftJsonPath!, "utf8")).interactiveAdmins[0].roles).toEqual([
      "TenantAdmin",
    ]);
  });

  it("deprovisions unlisted users with prune-users, never the caller", async () => {
    const keep = blueprint();
    keep.users = keep.users!.filter((u) => u.subject !== "qlik-sim|tenant-1-admin");
    keep.serviceAccounts = [];
    const result = await configureTenant(client, {
      blueprint: keep,
      mode: "apply",
      pruneUsers: true,
      baseDir: "/",
      env,
    });
    const deleted = result.plan.filter((p) => p.kind === "delete-user").map((p) => p.target);
    expect(deleted).toContain("user acme|mallory");
    expect(deleted).not.toContain("user qlik-sim|tenant-1-admin");
    const subjects = [...sim.tenant(tenantName).users.values()].map((u) => u.subject);
    expect(subjects).not.toContain("acme|mallory");
    expect(subjects).toContain("qlik-sim|tenant-1-admin");
    const drift = await configureTenant(client, { blueprint: blueprint(), mode: "drift", baseDir: "/" });
    expect(drift.drift!.inSync).toBe(true);
  });

  it("refuses a blueprint whose secrets have no home before changing anything", async () => {
    const b = blueprint();
    b.oauthClients = [{ name: "new-client", appType: "web", secret: { githubSecret: { name: "X_SECRET" } } }];
    const before = state();
    await expect(configureTenant(client, { blueprint: b, mode: "apply", baseDir: "/", env })).rejects.toThrow(
      /github-token/,
    );
    expect(state()).toBe(before);
  });

  it("refuses a webhook secret Qlik would not take, in one sentence naming the field, before changing anything", async () => {
    const b = blueprint();
    b.monitoring!.failedReloadWebhook = {
      name: "short secret",
      url: "http://127.0.0.1:9/x",
      secretEnv: "SHORT",
    };
    const before = state();
    const error = await configureTenant(client, {
      blueprint: b,
      mode: "apply",
      baseDir: "/",
      env: { ...env, SHORT: "too-short" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe("monitoring.failedReloadWebhook.secretEnv");
    expect((error as Error).message).toBe(
      "Environment variable SHORT named in 'monitoring.failedReloadWebhook.secretEnv' holds 9 characters; Qlik takes a webhook secret of 32 to 64 characters.",
    );
    expect((error as Error).message).not.toContain("too-short");
    expect(state()).toBe(before);
  });
});
