// End to end: the BI team's pipelines (single-tenant-pipeline.yml and pr-validation.yml) are EXECUTED by
// test/workflows/runner.ts against the Qlik Cloud simulator (in process), the GitHub double and a real git
// remote, and their effects are asserted: the pull request, apps published in test/acceptance/production,
// approvals, the production app's id kept across releases. Tests build on each other, in order.
// The estate pipelines (rollout, onboarding, drift) are in examples-estate.test.ts.
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { QlikClient } from "@qlik-cicd/qlik-client";
import {
  appsIn as appsInWorld,
  example,
  expectSuccess,
  FAST_TIMINGS,
  PRIVATE_KEY,
  runIn,
} from "./e2e-helpers.ts";
import type { RunWorkflowOptions, WorkflowRunResult } from "./runner.ts";
import { sample } from "./samples.ts";
import { createWorld, type TestWorld } from "./world.ts";

// A pipeline is many action runs (each a Node process): seconds each, more on a busy CI machine.
jest.setTimeout(120_000);

let world: TestWorld;
const tenant = () => world.sim.description.tenants[0];
const appsIn = (tenantName: string, space: string) => appsInWorld(world, tenantName, space);
const run = (options: Omit<RunWorkflowOptions, "world">): Promise<WorkflowRunResult> => runIn(world, options);

beforeAll(async () => {
  world = await createWorld({ simulator: { tenants: 1, seed: "demo", timings: FAST_TIMINGS } });
  // pr-validation.yml lints with the sample lint config (workflows-examples/config/.qlik-lint.yml).
  world.commitAndPush({ "config/.qlik-lint.yml": sample(".qlik-lint.yml") }, "Lint config");
}, 30_000);

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------------
describe("single-tenant-pipeline.yml + pr-validation.yml", () => {
  const vars = () => ({
    QLIK_TENANT_URL: tenant().url,
    QLIK_CICD_APP_CLIENT_ID: "Iv23liFakeClientId",
    QLIK_RELEASE_APPROVERS: "alice, bob, carol, dana",
  });
  const secrets = () => ({ QLIK_API_KEY: tenant().apiKey, QLIK_CICD_APP_PRIVATE_KEY: PRIVATE_KEY });
  const approvals = {
    "acceptance-approval-1": { approve: ["alice"] },
    "acceptance-approval-2": { approve: ["bob"] },
    production: { approve: ["carol"] },
  };
  let devAppId: string;
  let productionAppId: string;

  const dispatch = () =>
    run({
      workflow: example("single-tenant-pipeline.yml"),
      event: {
        name: "repository_dispatch",
        payload: {
          action: "qlik-app-published",
          client_payload: {
            event: "com.qlik.v1.app.published",
            appId: "published-copy",
            originAppId: devAppId,
          },
        },
      },
      vars: vars(),
      secrets: secrets(),
    });

  beforeAll(() => {
    devAppId = appsIn(tenant().name, "development").find((a) => a.name === "Sales Analytics")!.id;
    expect(devAppId).toBeTruthy();
  });

  it("a published app in Qlik Cloud becomes a pull request", async () => {
    const r = await dispatch();
    expectSuccess(r);
    expect(r.job("unbuild")[0].result).toBe("success");
    for (const j of ["deploy-test", "deploy-acceptance", "deploy-production"])
      expect(r.job(j)[0].result).toBe("skipped");
    expect(world.repository.pulls).toHaveLength(1);
    const pr = world.repository.pulls[0];
    expect(pr).toMatchObject({ head: "qlik/unbuild/sales-analytics", base: "main", state: "open" });
    expect(r.step("unbuild", "unbuild").outputs["pull-request-url"]).toContain("/pull/1");
    // The pull request was opened with the GitHub App's token, not the workflow's.
    const opened = world.github.requests.find((q) => q.method === "POST" && q.path.endsWith("/pulls"));
    expect(opened?.authorization).toBe(`token ${world.appToken}`);
    expect(world.git(world.remote, "ls-tree", "--name-only", "-r", pr.head)).toContain(
      "apps/sales-analytics/script.qvs",
    );
  });

  it("pr-validation lints, diffs and evaluates the pull request and comments on it", async () => {
    const r = await run({
      workflow: example("pr-validation.yml"),
      event: world.pullRequestEvent(1),
      vars: vars(),
      secrets: secrets(),
    });
    expectSuccess(r);
    expect(r.step("validate", "validate").outputs.errors).toBe("0");
    expect(JSON.parse(r.step("validate", "validate").outputs.apps)).toEqual(["apps/sales-analytics"]);
    // One evaluation per app the pull request changes (here the one app), by its folder.
    expect(JSON.parse(r.step("validate", "validate").outputs["changed-apps"])).toEqual([
      "apps/sales-analytics",
    ]);
    expect(r.job("evaluate").map((j) => j.matrix)).toEqual([{ app: "apps/sales-analytics" }]);
    expect(r.step("evaluate", "evaluate").outputs.verdict).toBe("pass");
    expect(r.step("evaluate", "name").outputs.artifact).toBe("evaluation-apps-sales-analytics");
    expect(world.repository.comments.filter((c) => c.issue === 1).length).toBeGreaterThanOrEqual(1);
    // The temporary app is gone again; nothing reached the managed spaces.
    expect(appsIn(tenant().name, "ci-scratch")).toEqual([]);
    expect(appsIn(tenant().name, "test")).toEqual([]);
  });

  it("a push that does not touch apps/** does not start the pipeline", async () => {
    const r = await run({
      workflow: example("single-tenant-pipeline.yml"),
      event: world.commitAndPush({ "docs/notes.md": "notes\n" }, "Notes"),
      vars: vars(),
      secrets: secrets(),
    });
    expect(r.triggered).toBe(false);
    expect(r.notTriggeredBecause).toContain("path filters");
  });

  it("after the merge: test → evaluate → two approvals → acceptance → production → checks", async () => {
    const r = await run({
      workflow: example("single-tenant-pipeline.yml"),
      event: world.mergePullRequest(1),
      vars: vars(),
      secrets: secrets(),
      environments: approvals,
      runId: 7001,
    });
    expectSuccess(r);
    expect(r.job("unbuild")[0].result).toBe("skipped");
    for (const space of ["test", "acceptance", "production"]) {
      const apps = appsIn(tenant().name, space);
      expect(apps.map((a) => [a.name, a.published])).toEqual([["Sales Analytics", true]]);
    }
    productionAppId = r.job("deploy-production")[0].outputs["app-id"];
    expect(appsIn(tenant().name, "production")[0].id).toBe(productionAppId);
    expect(r.job("deploy-acceptance")[0].concurrency).toBe("qlik-deploy-acceptance");
    // approve-gate counted the two chained environments' reviewers.
    const gate = r.step("deploy-acceptance", "gate");
    expect(gate.outputs.approved).toBe("true");
    expect(
      JSON.parse(gate.outputs.approvers)
        .map((a: { login: string }) => a.login)
        .sort(),
    ).toEqual(["alice", "bob"]);
    expect(r.step("post-deploy", "verify").outputs.changed).toBe("false");
    expect(r.step("post-deploy", "evaluate").outputs.verdict).toBe("pass");
  });

  it("approve-gate refuses acceptance when the commit's author is one of the two approvers", async () => {
    const before = appsIn(tenant().name, "acceptance")[0].modifiedDate;
    const r = await run({
      workflow: example("single-tenant-pipeline.yml"),
      event: world.commitAndPush({ "apps/sales-analytics/notes.txt": "release notes\n" }, "Notes"),
      vars: vars(),
      secrets: secrets(),
      environments: { ...approvals, "acceptance-approval-2": { approve: ["dana"] } },
      runId: 7002,
    });
    expect(r.conclusion).toBe("failure");
    expect(r.job("deploy-acceptance")[0].result).toBe("failure");
    expect(r.step("deploy-acceptance", "gate").errors[0]).toMatch(/Only 1 of the required 2/);
    expect(r.step("deploy-acceptance", "deploy").outcome).toBe("skipped");
    expect(r.job("deploy-production")[0].result).toBe("skipped");
    expect(appsIn(tenant().name, "acceptance")[0].modifiedDate).toBe(before);
  });

  it("the next change goes through a new pull request and keeps the production app's id", async () => {
    const client = new QlikClient({ tenantUrl: tenant().url, apiKey: tenant().apiKey });
    try {
      await client.withApp(devAppId, async (doc) => {
        const script = await doc.getScript();
        await doc.setScript(`${script}\n// second release\n`);
        await doc.doSave();
      });
    } finally {
      await client.close();
    }
    expectSuccess(await dispatch());
    expect(world.repository.pulls).toHaveLength(2);
    const r = await run({
      workflow: example("single-tenant-pipeline.yml"),
      event: world.mergePullRequest(2),
      vars: vars(),
      secrets: secrets(),
      environments: approvals,
      runId: 7003,
    });
    expectSuccess(r);
    expect(r.job("deploy-production")[0].outputs["app-id"]).toBe(productionAppId);
    expect(appsIn(tenant().name, "production").map((a) => a.id)).toEqual([productionAppId]);
    expect(r.step("deploy-production", "deploy").outputs.changed).toBe("true");
  });
});
