import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createSpace, getSpaces } from "@qlik/api/spaces";
import type { RunningSimulator } from "../src/index.ts";
import { apiKeyHost, httpError, opts, startTestSimulator } from "./core-helpers.ts";
import type { HostConfig } from "./core-helpers.ts";

let sim: RunningSimulator;
let host: HostConfig;

beforeAll(async () => {
  sim = await startTestSimulator({
    tenants: 2,
    rateLimits: { tier1: { limit: 3, windowMs: 1000 }, tier2: { limit: 1000, windowMs: 60_000 } },
  });
  host = apiKeyHost(sim);
});
afterAll(() => sim.stop());

const spaceNames = (name = "tenant-1") => sim.control.state(name).spaces.map((s) => s.name);

describe("rate limits", () => {
  test("tier 1 over its limit → 429 with Retry-After, blocked until the window passes", async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const url = `${host.host}/api/v1/spaces`;
    const auth = { authorization: `Bearer ${host.apiKey}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(url, { headers: auth })).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    const limited = await fetch(url, { headers: auth });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { errors: { code: string }[] }).errors[0].code).toBe("HTTP-429");
    // Writes are another tier: still allowed.
    expect((await createSpace({ name: "writes-ok", type: "shared" }, opts(host))).status).toBe(201);
    // Another tenant has its own budget.
    const other = sim.description.tenants[1];
    expect(
      (await fetch(`${other.url}/api/v1/spaces`, { headers: { authorization: `Bearer ${other.apiKey}` } }))
        .status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 50));
    expect((await fetch(url, { headers: auth })).status).toBe(200);
  });
});

describe("faults", () => {
  test("scheduled 503 and 502 reach @qlik/api as errors with status", async () => {
    sim.control.setRateLimits({ tier1: { limit: 1000, windowMs: 60_000 } });
    sim.control.scheduleFault("tenant-1", { kind: "503", method: "GET", path: "/api/v1/spaces" });
    sim.control.scheduleFault("tenant-1", { kind: "502", method: "GET", path: "/api/v1/spaces" });
    expect((await httpError(getSpaces({}, opts(host)))).status).toBe(503);
    expect((await httpError(getSpaces({}, opts(host)))).status).toBe(502);
    expect((await getSpaces({}, opts(host))).status).toBe(200);
  });

  test("a scheduled 429 carries Retry-After", async () => {
    sim.control.scheduleFault("tenant-1", { kind: "429" });
    const res = await fetch(`${host.host}/api/v1/spaces`, {
      headers: { authorization: `Bearer ${host.apiKey}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
  });

  test("drop before apply: connection reset, nothing changed", async () => {
    sim.control.scheduleFault("tenant-1", { kind: "drop-before", method: "POST", path: "/api/v1/spaces" });
    const err = await httpError(createSpace({ name: "never", type: "shared" }, opts(host)));
    expect(err.status).toBe(0);
    expect(spaceNames()).not.toContain("never");
  });

  test("drop after apply: the client sees a reset, but the change was applied", async () => {
    sim.control.scheduleFault("tenant-1", { kind: "drop-after", method: "POST", path: "/api/v1/spaces" });
    const err = await httpError(createSpace({ name: "applied", type: "shared" }, opts(host)));
    expect(err.status).toBe(0);
    expect(spaceNames()).toContain("applied");
    // A naive retry now conflicts, exactly as on Qlik Cloud.
    expect((await httpError(createSpace({ name: "applied", type: "shared" }, opts(host)))).status).toBe(409);
    const log = sim.control.requestLog("tenant-1").filter((e) => e.fault === "drop-after");
    expect(log).toHaveLength(1);
    expect(log[0].status).toBe("dropped");
  });

  test("a tenant that is down answers 503 or refuses connections; others keep working", async () => {
    await sim.control.setFaults("tenant-1", { down: "503" });
    expect((await httpError(getSpaces({}, opts(host)))).status).toBe(503);
    expect((await getSpaces({}, opts(apiKeyHost(sim, 1)))).status).toBe(200);
    await sim.control.setFaults("tenant-1", { down: "refuse" });
    await expect(fetch(`${host.host}/api/v1/spaces`)).rejects.toThrow();
    await sim.control.setFaults("tenant-1", { down: false });
    expect((await getSpaces({}, opts(host))).status).toBe(200);
  });

  test("latency faults delay the answer", async () => {
    sim.control.scheduleFault("tenant-1", { kind: "latency" });
    await sim.control.setFaults("tenant-1", { latencyMs: 150 });
    const start = Date.now();
    expect((await getSpaces({}, opts(host))).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
  });

  test("random faults are deterministic for a seed", async () => {
    const run = async () => {
      const s = await startTestSimulator({ seed: "faulty", faultRate: 0.5 });
      await s.control.setFaults("tenant-1", { kinds: ["502", "503", "429"] });
      const t = s.description.tenants[0];
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++)
        statuses.push(
          (await fetch(`${t.url}/api/v1/spaces`, { headers: { authorization: `Bearer ${t.apiKey}` } }))
            .status,
        );
      await s.stop();
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.some((s) => s !== 200)).toBe(true);
    expect(a.some((s) => s === 200)).toBe(true);
  });
});
