// runAutomation against the simulator's Qlik Automate API: the runs API (poll to a final status) and the
// trigger URL (execution token, synchronous and asynchronous), each succeeding, failing and timing out.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ConfigError, MemoryLogger, mutationEvents, type MutationEvent } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import {
  AutomationRunFailedError,
  AutomationTimeoutError,
  parseAutomationInputs,
  runAutomation,
} from "../src/index.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let client: QlikClient;

/** Creates a triggered automation whose runs end with `outcome` (the simulator's definition hook). */
export async function createAutomation(
  url: string,
  apiKey: string,
  name: string,
  outcome: { outcome: string; output?: unknown; error?: string; durationMs?: number },
): Promise<{ id: string; executionToken: string }> {
  const res = await fetch(`${url}/api/v1/automations`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name, workspace: { runMode: "triggered", simulation: outcome } }),
  });
  if (res.status !== 201) throw new Error(`automation not created: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; executionToken: string };
}

let ok: { id: string; executionToken: string };
let failing: { id: string; executionToken: string };
let slow: { id: string; executionToken: string };
let stopping: { id: string; executionToken: string };

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo", timings: { automationRunMs: 60 } });
  const t = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
  ok = await createAutomation(t.url, t.apiKey, "ok", { outcome: "finished", output: { rows: 42 } });
  failing = await createAutomation(t.url, t.apiKey, "failing", {
    outcome: "failed",
    error: "Block 3: the API answered 500",
  });
  slow = await createAutomation(t.url, t.apiKey, "slow", { outcome: "finished", durationMs: 1500 });
  stopping = await createAutomation(t.url, t.apiKey, "stopping", { outcome: "must stop" });
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

describe("runAutomation, mode run", () => {
  it("polls a run to success", async () => {
    const logger = new MemoryLogger();
    const r = await runAutomation(
      client,
      { automationId: ok.id, mode: "run", pollIntervalMs: 20 },
      { logger },
    );
    expect(r.status).toBe("finished");
    expect(r.finished).toBe(true);
    expect(r.runId).toMatch(/.+/);
    expect(logger.text()).toContain(r.runId);
  });

  it("fails with the run's error", async () => {
    const error = await runAutomation(client, {
      automationId: failing.id,
      mode: "run",
      pollIntervalMs: 20,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutomationRunFailedError);
    expect((error as Error).message).toMatch(/status 'failed': Block 3: the API answered 500/);
  });

  it("times out", async () => {
    const error = await runAutomation(client, {
      automationId: slow.id,
      mode: "run",
      pollIntervalMs: 20,
      timeoutMs: 200,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutomationTimeoutError);
  });

  it("fails as soon as a stop is requested ('must stop') instead of polling until the timeout", async () => {
    const started = Date.now();
    const error = await runAutomation(client, {
      automationId: stopping.id,
      mode: "run",
      pollIntervalMs: 20,
      timeoutMs: 20_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutomationRunFailedError);
    expect((error as AutomationRunFailedError).status).toBe("must stop");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("returns at once without waiting", async () => {
    const r = await runAutomation(client, { automationId: slow.id, mode: "run", wait: false });
    expect(r.finished).toBe(false);
    expect(["queued", "running"]).toContain(r.status);
  });
});

describe("runAutomation, mode execute", () => {
  it("executes synchronously and returns the output", async () => {
    const r = await runAutomation(client, {
      automationId: ok.id,
      mode: "execute",
      executionToken: ok.executionToken,
      inputs: { customer: "acme" },
    });
    expect(r).toEqual(expect.objectContaining({ status: "finished", result: { rows: 42 }, finished: true }));
    expect(r.runId).toMatch(/.+/);
  });

  it("executes asynchronously", async () => {
    const r = await runAutomation(client, {
      automationId: ok.id,
      mode: "execute",
      executionToken: ok.executionToken,
      wait: false,
    });
    expect(r.finished).toBe(false);
    expect(r.runId).toMatch(/.+/);
  });

  it("fails with the run's error", async () => {
    const error = await runAutomation(client, {
      automationId: failing.id,
      mode: "execute",
      executionToken: failing.executionToken,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutomationRunFailedError);
    expect((error as Error).message).toMatch(/failed.*Block 3/);
  });

  it("times out", async () => {
    const error = await runAutomation(client, {
      automationId: slow.id,
      mode: "execute",
      executionToken: slow.executionToken,
      timeoutMs: 200,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutomationTimeoutError);
  });

  it("fails on a run that is being stopped", async () => {
    const error = await runAutomation(client, {
      automationId: stopping.id,
      mode: "execute",
      executionToken: stopping.executionToken,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutomationRunFailedError);
    expect((error as AutomationRunFailedError).status).toBe("must stop");
  });

  it("goes through the Qlik client: a 503 is sent again, the client writes the one audit record", async () => {
    const tenantName = sim.description.tenants[0].name;
    sim.control.clearRequestLog(tenantName);
    sim.control.scheduleFault(tenantName, { kind: "503", method: "POST", path: "/actions/execute" });
    const events: MutationEvent[] = [];
    const off = mutationEvents.on((e) => events.push(e));
    let r: Awaited<ReturnType<typeof runAutomation>>;
    try {
      r = await runAutomation(client, {
        automationId: ok.id,
        mode: "execute",
        executionToken: ok.executionToken,
      });
    } finally {
      off();
    }
    expect(r.status).toBe("finished");
    const executes = sim.control.requestLog(tenantName).filter((e) => e.path.endsWith("/actions/execute"));
    expect(executes.map((e) => e.status)).toEqual([503, 200]);
    expect(events.map((e) => [e.method, e.resource, e.operation, e.result, e.status])).toEqual([
      ["POST", "/api/v1/automations/{id}/actions/execute", "execute automation", "ok", 200],
    ]);
    expect(JSON.stringify(events)).not.toContain(ok.executionToken);
  });

  it("names a wrong token as the input at fault", async () => {
    const error = await runAutomation(client, {
      automationId: ok.id,
      mode: "execute",
      executionToken: "wrong-token-value",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe("execution-token");
  });
});

describe("parseAutomationInputs", () => {
  it("accepts JSON and refuses anything else naming the input", () => {
    expect(parseAutomationInputs('{"a":1}')).toEqual({ a: 1 });
    expect(parseAutomationInputs("")).toBeUndefined();
    expect(() => parseAutomationInputs("{a:1}")).toThrow(ConfigError);
    expect(() => parseAutomationInputs("{a:1}")).toThrow(/Input 'inputs' must be JSON/);
  });
});
