// End to end: the OEM's estate pipelines (multi-tenant-rollout.yml, tenant-onboarding.yml,
// drift-check.yml, estate-status.yml) are EXECUTED by test/workflows/runner.ts against the Qlik Cloud simulator with six
// tenants, the GitHub double and a real git remote: rollout states and resume, a provisioned and
// configured tenant, drift reports, the nightly estate view. Tests in a describe block build on each other, in order.
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unbuildApp } from "@qlik-cicd/app-files";
import { readDeploymentRecord } from "@qlik-cicd/delivery";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { configureTenant, parseBlueprint } from "@qlik-cicd/tenant";
import { makeLicenseKey } from "../../packages/simulator/src/rest/admin/index.ts";
import { tenantSettings } from "../../packages/simulator/src/rest/admin/tenant-settings.ts";
import {
  appsIn as appsInWorld,
  example,
  expectJobResult,
  expectSuccess,
  FAST_TIMINGS,
  PRIVATE_KEY,
  runIn,
} from "./e2e-helpers.ts";
import type { RunWorkflowOptions, WorkflowRunResult } from "./runner.ts";
import { sampleBlueprint, sampleInventory, sampleTenants } from "./samples.ts";
import { createWorld, type TestWorld } from "./world.ts";

// A pipeline is many action runs (each a Node process): seconds each, more on a busy CI machine.
jest.setTimeout(120_000);

let world: TestWorld;
const tenant = (i = 0) => world.sim.description.tenants[i];
const appsIn = (tenantName: string, space: string) => appsInWorld(world, tenantName, space);
const run = (options: Omit<RunWorkflowOptions, "world">): Promise<WorkflowRunResult> => runIn(world, options);

beforeAll(async () => {
  world = await createWorld({ simulator: { tenants: 6, seed: "demo", timings: FAST_TIMINGS } });
  // The repository holds the app's files, unbuilt from the seeded development app.
  const devApp = appsIn(tenant().name, "development").find((a) => a.name === "Sales Analytics")!;
  const client = new QlikClient({ tenantUrl: tenant().url, apiKey: tenant().apiKey });
  try {
    const tree = await client.withApp(devApp.id, (doc) => unbuildApp(doc));
    const files = Object.fromEntries(
      [...tree.fileTexts()].map(([path, text]) => [`apps/sales-analytics/${path}`, text]),
    );
    world.commitAndPush(files, "Sales Analytics app");
  } finally {
    await client.close();
  }
}, 30_000);

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------------
// The estate is the sample inventory (workflows-examples/config/tenants.json), its tenants at the
// simulator's addresses in order: acme (the canary) is tenant 0.
const ESTATE = sampleTenants();
const CUSTOMERS = ESTATE.map((t) => t.name);
const inventory = () => sampleInventory(CUSTOMERS.map((_, i) => tenant(i).url));

const estateSecrets = () => ({
  ...Object.fromEntries(ESTATE.map((t, i) => [t.credentials.apiKeyEnv, tenant(i).apiKey])),
  // The app artifact is built once on the build tenant (here the canary's tenant, in its test space).
  QLIK_BUILD_API_KEY: tenant(0).apiKey,
});
const estateVars = () => ({ QLIK_BUILD_TENANT_URL: tenant(0).url });

describe("multi-tenant-rollout.yml", () => {
  const runId = 8100;
  let event: ReturnType<TestWorld["commitAndPush"]>;
  let digest: string;

  it("plans, deploys the canary, then the waves over shards; a dead tenant halts its wave", async () => {
    expect(CUSTOMERS[0]).toBe("acme");
    event = world.commitAndPush({ "config/tenants.json": inventory() }, "Tenant inventory");
    // umbrella's API key was rotated and the secret not yet updated: its deploy fails (401).
    const secrets = { ...estateSecrets(), QLIK_KEY_UMBRELLA: "stale-api-key-of-umbrella" };
    const r = await run({
      workflow: example("multi-tenant-rollout.yml"),
      event,
      secrets,
      vars: estateVars(),
      runId,
    });
    expectJobResult(r, "build", "success");
    digest = r.step("build", "build").outputs["artifact-digest"];
    expect(digest).toMatch(/^sha256:/);
    expectJobResult(r, "plan", "success");
    const matrix = JSON.parse(r.step("plan", "plan").outputs.matrix) as {
      include: { wave: number; shard: string }[];
    };
    expect(new Set(matrix.include.map((m) => m.wave))).toEqual(new Set([1, 2, 3]));
    expectJobResult(r, "canary", "success");
    expect(appsIn(tenant(0).name, "production").map((a) => a.name)).toEqual(["Sales Analytics"]);
    // Wave 2 or 3 holds the dead tenant; its wave fails and nothing after it runs.
    expect(r.conclusion).toBe("failure");
    expectJobResult(r, "merge", "failure");
    const merged = r.step("merge", "merge").outputs;
    expect(merged.status).toBe("halted");
    expect([...JSON.parse(merged.failed), ...JSON.parse(merged["rolled-back"])]).toContain("umbrella");
  });

  it("a re-run resumes from the checkpointed states: the canary is not deployed again", async () => {
    const r = await run({
      workflow: example("multi-tenant-rollout.yml"),
      event,
      secrets: estateSecrets(),
      vars: estateVars(),
      runId,
      runAttempt: 2,
    });
    expectSuccess(r);
    const merged = r.step("merge", "merge").outputs;
    expect(merged.status).toBe("succeeded");
    expect(JSON.parse(merged.succeeded).sort()).toEqual([...CUSTOMERS].sort());
    for (let i = 0; i < CUSTOMERS.length; i++) {
      expect(appsIn(tenant(i).name, "production").map((a) => a.name)).toEqual(["Sales Analytics"]);
    }
    const state = JSON.parse(
      readFileSync(join(world.artifacts, String(runId), "rollout-report", "rollout-state.json"), "utf8"),
    ) as { tenants: Record<string, { attempts: number; status: string; artifactDigest?: string }> };
    expect(state.tenants.acme).toMatchObject({ status: "deployed", attempts: 1 });
    // Every tenant, in every wave and shard, runs the one artifact built once.
    const digests = new Set(Object.values(state.tenants).map((t) => t.artifactDigest));
    expect([...digests]).toEqual([digest]);
    // The re-run shipped the artifact the first attempt built; it did not build another.
    expect(r.step("build", "build").outcome).toBe("skipped");
    expect(state.tenants.umbrella.status).toBe("deployed");
    expect(state.tenants.umbrella.attempts).toBeGreaterThan(1);
  });
});

// ---------------------------------------------------------------------------------------------------
// The sample blueprint (workflows-examples/config/blueprint.yml), the pipeline's users being the
// simulator's admins.
const BLUEPRINT = sampleBlueprint([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `qlik-sim|tenant-${i}-admin`));

describe("tenant-onboarding.yml", () => {
  let automation: { id: string; executionToken: string };

  beforeAll(async () => {
    world.commitAndPush({ "config/blueprint.yml": BLUEPRINT }, "Tenant blueprint");
    const res = await fetch(`${tenant().url}/api/v1/automations`, {
      method: "POST",
      headers: { authorization: `Bearer ${tenant().apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Customer welcome",
        workspace: { runMode: "triggered", simulation: { outcome: "finished", output: { welcomed: true } } },
      }),
    });
    automation = (await res.json()) as { id: string; executionToken: string };
  });

  it("a signup provisions the tenant, applies the blueprint, deploys content and runs the automation", async () => {
    const us = world.sim.description.regions.us;
    const tenantsBefore = world.sim.control.summary().length;
    const r = await run({
      workflow: example("tenant-onboarding.yml"),
      event: {
        name: "repository_dispatch",
        payload: { action: "customer-signup", client_payload: { customer: "wayne", region: "us" } },
      },
      vars: {
        QLIK_CICD_APP_CLIENT_ID: "Iv23liFakeClientId",
        QLIK_us_REGISTRATION_URL: us.registrationUrl,
        QLIK_OPS_TENANT_URL: tenant().url,
        QLIK_WELCOME_AUTOMATION_ID: automation.id,
      },
      secrets: {
        QLIK_CICD_APP_PRIVATE_KEY: PRIVATE_KEY,
        QLIK_US_CLIENT_ID: us.clientId,
        QLIK_US_CLIENT_SECRET: us.clientSecret,
        QLIK_LICENSE_KEY: makeLicenseKey({ customer: "wayne" }),
        QLIK_OPS_API_KEY: tenant().apiKey,
        QLIK_WELCOME_EXECUTION_TOKEN: automation.executionToken,
      },
    });
    expectSuccess(r);
    expect(world.sim.control.summary().length).toBe(tenantsBefore + 1);
    const tenantId = r.job("onboard")[0].outputs["tenant-id"];
    const created = world.sim.tenant(tenantId);
    expect(created.region).toBe("us");
    // What the sample blueprint asks for: its spaces and tenant settings.
    expect([...created.spaces.values()].map((s) => s.name)).toEqual(
      expect.arrayContaining(["customer-analytics", "customer-data"]),
    );
    expect(tenantSettings(created)).toMatchObject({
      autoAssignCreateSharedSpacesRoleToProfessionals: false,
      enableAnalyticCreation: false,
    });
    expect(r.step("onboard", "content").outputs.changed).toBe("true");
    expect(r.step("welcome", "automation").outputs.status).toMatch(/finished/);
    expect(r.job("onboard")[0].concurrency).toBe("qlik-onboard-wayne");
  });
});

// ---------------------------------------------------------------------------------------------------
describe("drift-check.yml", () => {
  it("reports drift per tenant: the changed tenant fails, the report collects every tenant", async () => {
    // Two tenants of the estate were configured with the blueprint; one of them lacks its data space.
    world.commitAndPush({ "config/blueprint.yml": BLUEPRINT, "config/tenants.json": inventory() }, "Estate");
    const blueprint = parseBlueprint(BLUEPRINT, "config/blueprint.yml");
    for (const i of [1, 2]) {
      const spaces = blueprint.spaces?.filter((s) => i === 1 || s.name !== "customer-data");
      const client = new QlikClient({ tenantUrl: tenant(i).url, apiKey: tenant(i).apiKey });
      try {
        await configureTenant(client, {
          blueprint: { ...blueprint, spaces },
          mode: "apply",
          baseDir: "/",
          env: {},
        });
      } finally {
        await client.close();
      }
    }
    const r = await run({
      workflow: example("drift-check.yml"),
      event: { name: "schedule", payload: { schedule: "17 5 * * 1-5" } },
      secrets: estateSecrets(),
    });
    const byTenant = Object.fromEntries(
      r.job("drift").map((j) => [(j.matrix?.tenant as { name: string }).name, j]),
    );
    expect(Object.keys(byTenant).sort()).toEqual([...CUSTOMERS].sort());
    expectJobResult(r, "estate", "success");
    expect(byTenant.globex.result).toBe("success");
    expect(byTenant.initech.result).toBe("failure");
    const drift = JSON.parse(byTenant.initech.steps.find((s) => s.id === "drift")!.outputs.drift);
    expect(drift.inSync).toBe(false);
    expect(JSON.stringify(drift.differences)).toContain("customer-data");
    expect(r.job("report")[0].result).toBe("success");
    const summary = r.job("report")[0].steps.at(-1)!.summary;
    // Every tenant's report, by the tenant's own name: initech's missing data space among them.
    for (let i = 0; i < CUSTOMERS.length; i++)
      expect(summary).toContain(`## Drift report: ${tenant(i).name}`);
    expect(summary).toContain("Create data space 'customer-data'");
    expect(existsSync(join(world.artifacts, String(r.runId), "drift-initech"))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
describe("estate-status.yml", () => {
  it("nightly: reads every tenant, uploads the page and keeps ONE issue listing the tenants with problems", async () => {
    // The expected version is what the rollout above deployed (its commit, in each app's record).
    const record = await (async () => {
      const client = new QlikClient({ tenantUrl: tenant(0).url, apiKey: tenant(0).apiKey });
      try {
        return await readDeploymentRecord(client, appsIn(tenant(0).name, "production")[0].id);
      } finally {
        await client.close();
      }
    })();
    expect(record?.commit).toMatch(/^[0-9a-f]{40}$/);
    const vars = { QLIK_RELEASED_COMMIT: record!.commit! };
    const night = (secrets: Record<string, string>, runId: number) =>
      run({
        workflow: example("estate-status.yml"),
        event: { name: "schedule", payload: { schedule: "41 2 * * *" } },
        secrets,
        vars,
        runId,
      });

    // Night 1: hooli's key was rotated and the secret not yet updated.
    const first = await night({ ...estateSecrets(), QLIK_KEY_HOOLI: "stale-api-key-of-hooli" }, 8301);
    expectSuccess(first);
    const out = first.step("estate", "estate").outputs;
    expect(out.status).toBe("problems");
    expect(JSON.parse(out["not-current"])).toEqual([]);
    const problems = JSON.parse(out.problems) as { name: string; problems: string[] }[];
    expect(problems.find((p) => p.name === "hooli")?.problems).toEqual(["bad-credentials"]);
    expect(problems.find((p) => p.name === "initech")?.problems).toEqual(["drift"]);
    expect(problems.map((p) => p.name)).not.toContain("globex");
    expect(existsSync(join(world.artifacts, "8301", "qlik-estate-8301", "estate.html"))).toBe(true);
    const open = () =>
      world.repository.issues.filter((i) => i.state === "open" && i.labels.includes("qlik-estate"));
    expect(open()).toHaveLength(1);
    expect(open()[0].body).toContain("| hooli | credentials refused |");
    expect(open()[0].title).toBe(`Qlik estate: tenants with problems: ${problems.length} tenants`);
    expect(out.issue).toContain(`/issues/${open()[0].number}`);
    for (const key of [...Object.values(estateSecrets()), "stale-api-key-of-hooli"]) {
      expect(open()[0].body).not.toContain(key);
      expect(first.step("estate", "estate").stdout.replace(/^::add-mask::.*$/gm, "")).not.toContain(key);
    }

    // Night 2: the secret is updated; the same issue is updated, no second one opened.
    const second = await night(estateSecrets(), 8302);
    expectSuccess(second);
    expect(open()).toHaveLength(1);
    expect(open()[0].body).not.toContain("hooli | credentials refused");
    expect(second.step("estate", "estate").outputs.issue).toBe(out.issue);

    // Night 3: every tenant configured with the blueprint, so nothing is wrong: the issue is closed.
    const blueprint = parseBlueprint(BLUEPRINT, "config/blueprint.yml");
    for (let i = 0; i < CUSTOMERS.length; i++) {
      const client = new QlikClient({ tenantUrl: tenant(i).url, apiKey: tenant(i).apiKey });
      try {
        await configureTenant(client, { blueprint, mode: "apply", baseDir: "/", env: {} });
      } finally {
        await client.close();
      }
    }
    const third = await night(estateSecrets(), 8303);
    expectSuccess(third);
    expect(third.step("estate", "estate").outputs.status).toBe("healthy");
    expect(open()).toHaveLength(0);
    const closed = world.repository.issues.find((i) => `${i.number}` === out.issue.split("/").at(-1));
    expect(closed?.state).toBe("closed");
  });
});
