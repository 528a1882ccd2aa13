// run-automation end to end: the bundled action against the simulator's Qlik Automate API, in both modes.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startSimulator } from "@qlik-cicd/simulator";
import { runBundledAction } from "../../../test/helpers/run-bundled-action.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let ok: { id: string; executionToken: string };
let failing: { id: string; executionToken: string };

async function createAutomation(name: string, simulation: Record<string, unknown>) {
  const t = sim.description.tenants[0];
  const res = await fetch(`${t.url}/api/v1/automations`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name, workspace: { runMode: "triggered", simulation } }),
  });
  return (await res.json()) as { id: string; executionToken: string };
}

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo", timings: { automationRunMs: 50 } });
  ok = await createAutomation("ok", { outcome: "finished", output: { refreshed: 3 } });
  failing = await createAutomation("failing", {
    outcome: "failed",
    error: "Block 2 could not reach the CRM",
  });
});

afterAll(async () => {
  await sim?.stop();
});

function connection() {
  const t = sim.description.tenants[0];
  return { "tenant-url": t.url, "api-key": t.apiKey };
}

describe("run-automation (bundled)", () => {
  it("runs through the runs API and waits for success", async () => {
    const run = await runBundledAction("run-automation", {
      inputs: { ...connection(), "automation-id": ok.id, "poll-interval-seconds": "0.05" },
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe("finished");
    expect(run.outputs["run-id"]).toMatch(/.+/);
    expect(run.summary).toContain(run.outputs["run-id"]);
  });

  it("executes with the token, returns the output, and never prints the token", async () => {
    const run = await runBundledAction("run-automation", {
      inputs: {
        ...connection(),
        "automation-id": ok.id,
        mode: "execute",
        "execution-token": ok.executionToken,
        inputs: '{"customer":"acme"}',
      },
    });
    expect(run.errors).toEqual([]);
    expect(JSON.parse(run.outputs.result)).toEqual({ refreshed: 3 });
    for (const line of run.stdout.split("\n").filter((l) => l.includes(ok.executionToken)))
      expect(line).toBe(`::add-mask::${ok.executionToken}`);
  });

  it("fails the step with the run's error", async () => {
    const run = await runBundledAction("run-automation", {
      inputs: {
        ...connection(),
        "automation-id": failing.id,
        mode: "execute",
        "execution-token": failing.executionToken,
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe("failed");
    expect(run.errors[0]).toMatch(
      /^run-automation failed: Automation .* ended with status 'failed': Block 2 could not reach the CRM\./,
    );
  });

  it("refuses inputs that are not JSON", async () => {
    const run = await runBundledAction("run-automation", {
      inputs: {
        ...connection(),
        "automation-id": ok.id,
        mode: "execute",
        "execution-token": ok.executionToken,
        inputs: "{nope",
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/Input 'inputs' must be JSON/);
  });
});
