import { afterEach, describe, expect, it } from "@jest/globals";
import type { TenantState } from "../src/http/types.ts";
import { adminRouteModules, setAutomationOutcome } from "../src/rest/admin/index.ts";
import { AdminHarness } from "./admin-harness.ts";

let h: AdminHarness;
afterEach(() => h?.close());

type Automation = {
  id: string;
  runMode: string;
  executionToken: string;
  ownerId: string;
  lastRunStatus: string;
};
type Run = {
  id: string;
  status: string;
  error: { message: string }[] | null;
  startTime: string | null;
  stopTime: string | null;
};

async function create(tenant: TenantState, body: Record<string, unknown>): Promise<Automation> {
  const res = await h.request(tenant, "POST", "/api/v1/automations", { body });
  expect(res.status).toBe(201);
  return res.body as Automation;
}

describe("automations: runs", () => {
  it("runs go queued → running → finished for the owner only", async () => {
    h = new AdminHarness(adminRouteModules, { timings: { automationRunMs: 1000 } });
    h.freeze();
    const tenant = h.addTenant("acme");
    const a = await create(tenant, { name: "Refresh" });
    expect(a.runMode).toBe("manual");
    expect(a.lastRunStatus).toBe("not started");

    const other = (await h.request(tenant, "POST", "/api/v1/users", { body: { subject: "s|other" } }))
      .body as { id: string };
    const denied = await h.request(tenant, "POST", `/api/v1/automations/${a.id}/runs`, {
      body: { context: "api" },
      principal: { userId: other.id, via: "apikey" },
    });
    expect(denied.status).toBe(403);
    expect((await h.request(tenant, "POST", `/api/v1/automations/${a.id}/runs`, { body: {} })).status).toBe(
      400,
    );

    const q = await h.request(tenant, "POST", `/api/v1/automations/${a.id}/runs`, {
      body: { context: "api" },
    });
    expect(q.status).toBe(201);
    const run = q.body as Run;
    expect(run.status).toBe("queued");
    // The request's context is "api"; the run record's is one of Qlik's run contexts.
    expect((q.body as { context: string }).context).toBe("api_async");
    const poll = async () =>
      (await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs/${run.id}`)).body as Run;
    h.advance(300);
    expect((await poll()).status).toBe("running");
    h.advance(800);
    const done = await poll();
    expect(done.status).toBe("finished");
    expect(done.stopTime).not.toBeNull();
    expect(done).not.toHaveProperty("duration");
    const listed = (await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs`)).body as {
      data: Record<string, unknown>[];
    };
    expect(listed.data[0].duration).toBe(1);
    expect(
      ((await h.request(tenant, "GET", `/api/v1/automations/${a.id}`)).body as Automation).lastRunStatus,
    ).toBe("finished");
  });

  it("can end in 'must stop', where a stop was requested and the run never completes it", async () => {
    h = new AdminHarness(adminRouteModules, { timings: { automationRunMs: 100 } });
    h.freeze();
    const tenant = h.addTenant("acme");
    const a = await create(tenant, { name: "Stuck", workspace: { simulation: { outcome: "must stop" } } });
    const q = await h.request(tenant, "POST", `/api/v1/automations/${a.id}/runs`, {
      body: { context: "api" },
    });
    h.advance(500);
    const run = (await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs/${(q.body as Run).id}`))
      .body as Run;
    expect(run.status).toBe("must stop");
    expect(run.stopTime).toBeNull();
    const list = (await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs`)).body as {
      data: Record<string, unknown>[];
    };
    expect(list.data[0]).not.toHaveProperty("metrics");
    expect(list.data[0]).not.toHaveProperty("duration");
  });

  it("fails or stops according to the definition or the control hook", async () => {
    h = new AdminHarness(adminRouteModules, { timings: { automationRunMs: 100 } });
    h.freeze();
    const tenant = h.addTenant("acme");
    const failing = await create(tenant, {
      name: "Broken",
      workspace: { simulation: { outcome: "failed", error: "Connector timed out" } },
    });
    const run = (
      await h.request(tenant, "POST", `/api/v1/automations/${failing.id}/runs`, { body: { context: "api" } })
    ).body as Run;
    h.advance(200);
    const r = (await h.request(tenant, "GET", `/api/v1/automations/${failing.id}/runs/${run.id}`))
      .body as Run;
    expect(r.status).toBe("failed");
    expect(r.error?.[0].message).toBe("Connector timed out");

    const a = await create(tenant, { name: "Ok" });
    expect(setAutomationOutcome(tenant, a.id, { status: "stopped" })).toBe(true);
    const r2 = (
      await h.request(tenant, "POST", `/api/v1/automations/${a.id}/runs`, { body: { context: "api" } })
    ).body as Run;
    h.advance(200);
    expect(
      ((await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs/${r2.id}`)).body as Run).status,
    ).toBe("stopped");
    expect(setAutomationOutcome(tenant, "missing", null)).toBe(false);

    // stop a running run
    setAutomationOutcome(tenant, a.id, null);
    const r3 = (
      await h.request(tenant, "POST", `/api/v1/automations/${a.id}/runs`, { body: { context: "api" } })
    ).body as Run;
    h.advance(50);
    expect(
      (await h.request(tenant, "POST", `/api/v1/automations/${a.id}/runs/${r3.id}/actions/stop`)).status,
    ).toBe(204);
    h.advance(200);
    expect(
      ((await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs/${r3.id}`)).body as Run).status,
    ).toBe("stopped");
  });
});

describe("automations: execute with X-Execution-Token", () => {
  const triggered = {
    name: "Deploy hook",
    workspace: {
      blocks: [{ id: "b1", type: "StartBlock", inputs: [{ id: "run_mode", value: "triggered" }] }],
      simulation: { outcome: "finished", output: { deployed: true, apps: 3 } },
    },
  };

  it("returns the output synchronously, or a run id with async", async () => {
    h = new AdminHarness(adminRouteModules, { timings: { automationRunMs: 60 } });
    const tenant = h.addTenant("acme");
    const a = await create(tenant, triggered);
    expect(a.runMode).toBe("triggered");
    const url = `/api/v1/automations/${a.id}/actions/execute`;

    const started = Date.now();
    const sync = await h.request(tenant, "POST", url, {
      body: { app: "x" },
      headers: { "X-Execution-Token": a.executionToken },
      principal: null,
    });
    expect(sync.status).toBe(200);
    expect(sync.body).toEqual({ deployed: true, apps: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    const runId = sync.headers["x-automation-run-id"];
    expect(
      ((await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs/${runId}`)).body as Run).status,
    ).toBe("finished");

    const asyncRes = await h.request(tenant, "POST", `${url}?async=true`, {
      headers: { "X-Execution-Token": a.executionToken },
      principal: null,
    });
    expect(asyncRes.status).toBe(200);
    const { id, status } = asyncRes.body as { id: string; status: string };
    expect(status).toBe("queued");
    h.advance(100);
    expect(
      ((await h.request(tenant, "GET", `/api/v1/automations/${a.id}/runs/${id}`)).body as Run).status,
    ).toBe("finished");
    const viaHeader = await h.request(tenant, "POST", url, {
      headers: { "X-Execution-Token": a.executionToken, "X-Execution-Async": "true" },
      principal: null,
    });
    expect((viaHeader.body as { status: string }).status).toBe("queued");
  });

  it("rejects bad tokens, query-string tokens and non-triggered automations; reports failures", async () => {
    h = new AdminHarness(adminRouteModules, { timings: { automationRunMs: 20 } });
    const tenant = h.addTenant("acme");
    const a = await create(tenant, triggered);
    const url = `/api/v1/automations/${a.id}/actions/execute`;
    expect((await h.request(tenant, "POST", url, { principal: null })).status).toBe(401);
    expect(
      (await h.request(tenant, "POST", url, { headers: { "X-Execution-Token": "nope" }, principal: null }))
        .status,
    ).toBe(401);
    expect(
      (await h.request(tenant, "POST", `${url}?X-Execution-Token=${a.executionToken}`, { principal: null }))
        .status,
    ).toBe(401);
    const manual = await create(tenant, { name: "Manual" });
    expect(
      (
        await h.request(tenant, "POST", `/api/v1/automations/${manual.id}/actions/execute`, {
          headers: { "X-Execution-Token": manual.executionToken },
          principal: null,
        })
      ).status,
    ).toBe(400);
    setAutomationOutcome(tenant, a.id, { status: "failed", error: "boom" });
    const failed = await h.request(tenant, "POST", url, {
      headers: { "X-Execution-Token": a.executionToken },
      principal: null,
    });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).toContain("boom");
  });
});
