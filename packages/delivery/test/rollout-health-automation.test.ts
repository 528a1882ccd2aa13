// The rollout's automation health check reads run statuses the way run-automation does (one shared
// helper): finished passes, failed and 'must stop' (a stop was requested) fail without waiting.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "@qlik-cicd/common";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { createTenantOps, parseInventory } from "../src/rollout/index.ts";
import type { TenantContext } from "../src/rollout/index.ts";

let sim: RunningSimulator;
let work: string;

async function automation(outcome: string): Promise<string> {
  const t = sim.description.tenants[0];
  const res = await fetch(`${t.url}/api/v1/automations`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: outcome, workspace: { simulation: { outcome } } }),
  });
  return ((await res.json()) as { id: string }).id;
}

async function check(outcome: string) {
  const t = sim.description.tenants[0];
  const env = { SIM_KEY: t.apiKey };
  const inventory = parseInventory(
    `version: 1\ntenants:\n  - name: ${t.name}\n    url: ${t.url}\n    credentials: { apiKeyEnv: SIM_KEY }\n`,
    "tenants.yml",
    env,
  );
  const id = await automation(outcome);
  const ops = createTenantOps(
    {
      inventory,
      source: work,
      space: "production",
      appName: "App",
      healthChecks: [{ kind: "automation", id }],
      workDir: work,
      rollbackDir: join(work, "rollback"),
      rollbackOnFailure: false,
      env,
      automation: { timeoutMinutes: 0.5, pollIntervalMs: 20 },
    },
    new MemoryLogger(),
  );
  const started = Date.now();
  const [result] = await ops.checkHealth(inventory.tenants[0], { record: {} } as TenantContext);
  await ops.release();
  return { result, ms: Date.now() - started };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "rollout-health-"));
  sim = await startSimulator({ tenants: 1, seed: "demo", timings: { automationRunMs: 30 } });
});

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("the rollout's automation health check", () => {
  it("passes a finished run", async () => {
    const { result } = await check("finished");
    expect(result).toEqual(expect.objectContaining({ ok: true, detail: expect.stringMatching(/finished$/) }));
  });

  it("fails a run that is being stopped at once, as run-automation does", async () => {
    const { result, ms } = await check("must stop");
    expect(result).toEqual(
      expect.objectContaining({ ok: false, detail: expect.stringMatching(/must stop$/) }),
    );
    expect(ms).toBeLessThan(5_000);
  });
});
