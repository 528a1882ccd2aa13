import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { openAppSession } from "@qlik/api/qix";
import { createSpace } from "@qlik/api/spaces";
import { getItems } from "@qlik/api/items";
import WebSocket from "ws";
import type { RunningSimulator } from "../src/index.ts";
import { apiKeyHost, opts, startTestSimulator } from "./core-helpers.ts";
import type { HostConfig } from "./core-helpers.ts";

let sim: RunningSimulator;
let host: HostConfig;
let ctl: string;

beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 2 });
  host = apiKeyHost(sim);
  ctl = sim.description.control;
});
afterAll(() => sim.stop());

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(ctl + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe("control API (separate listener)", () => {
  test("is not on a tenant origin, and tenant origins do not serve it", async () => {
    expect(new URL(ctl).port).not.toBe(new URL(host.host).port);
    const onTenant = await fetch(`${host.host}/state`, {
      headers: { authorization: `Bearer ${host.apiKey}` },
    });
    expect(onTenant.status).toBe(404);
    const desc = await control("GET", "/");
    expect((desc.body as { url: string }).url).toBe(sim.description.url);
  });

  test("reads state: apps, spaces, docs; lazily created tenants show as not materialized", async () => {
    const summary = (await control("GET", "/state")).body as {
      tenants: { name: string; materialized: boolean; apps: number }[];
    };
    expect(summary.tenants.map((t) => [t.name, t.materialized, t.apps])).toEqual([
      ["tenant-1", true, 1],
      ["tenant-2", false, 0],
    ]);
    const st = (await control("GET", "/tenants/tenant-1/state")).body as {
      apps: { id: string; name: string }[];
      docs: { sheets: number; measures: number; bookmarks: number }[];
    };
    expect(st.apps.map((a) => a.name)).toEqual(["Sales Analytics"]);
    expect(st.docs[0]).toMatchObject({ sheets: 3, measures: 4, bookmarks: 1 });
    const doc = (await control("GET", `/tenants/tenant-1/apps/${st.apps[0].id}/document`)).body as {
      script: string;
    };
    expect(doc.script).toContain("lib://");
    expect((await control("GET", "/tenants/nope/state")).status).toBe(404);
  });

  test("request log lets a test prove a dry run changed nothing", async () => {
    await control("DELETE", "/tenants/tenant-1/requests");
    await getItems({ resourceType: "app" }, opts(host));
    const log = (await control("GET", "/tenants/tenant-1/requests")).body as {
      requests: { method: string; path: string }[];
    };
    expect(log.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v1/items"]);
    expect((sim.control.state("tenant-1").counters as { mutations: number }).mutations).toBe(0);
  });

  test("faults over HTTP: validation, down, scheduled", async () => {
    expect((await control("PUT", "/tenants/tenant-1/faults", { rate: 2 })).status).toBe(400);
    expect((await control("PUT", "/tenants/tenant-1/faults", { down: true })).status).toBe(200);
    expect(
      (await fetch(`${host.host}/api/v1/spaces`, { headers: { authorization: `Bearer ${host.apiKey}` } }))
        .status,
    ).toBe(503);
    await control("PUT", "/tenants/tenant-1/faults", { down: false });
    expect(
      (await control("POST", "/tenants/tenant-1/faults/next", { kind: "502", path: "/api/v1/spaces" }))
        .status,
    ).toBe(200);
    expect(
      (await fetch(`${host.host}/api/v1/spaces`, { headers: { authorization: `Bearer ${host.apiKey}` } }))
        .status,
    ).toBe(502);
    expect((await control("POST", "/tenants/tenant-1/faults/next", { kind: "boom" })).status).toBe(400);
  });

  test("timings and rate limits can be set", async () => {
    const t = await control("PUT", "/timings", { reloadMs: 10 });
    expect((t.body as { reloadMs: number }).reloadMs).toBe(10);
    expect((await control("PUT", "/timings", { reloadMs: -1 })).status).toBe(400);
    const l = await control("PUT", "/rate-limits", { tier2: { limit: 5, windowMs: 1000 } });
    expect((l.body as { tier2: { limit: number } }).tier2.limit).toBe(5);
    await control("PUT", "/rate-limits", { tier2: { limit: 100, windowMs: 60000 } });
  });

  test("reset returns a tenant to its seed", async () => {
    await createSpace({ name: "temporary", type: "shared" }, opts(host));
    expect(sim.control.state("tenant-1").spaces.map((s) => s.name)).toContain("temporary");
    expect((await control("POST", "/tenants/tenant-1/reset")).status).toBe(204);
    const names = sim.control.state("tenant-1").spaces.map((s) => s.name);
    expect(names).toEqual(["development", "test", "acceptance", "production"]);
  });
});

describe("QIX WebSocket upgrade", () => {
  const wsStatus = (url: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.on("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on("open", () => {
        resolve(101);
        ws.terminate();
      });
      ws.on("error", () => resolve(-1));
    });

  test("401 without credentials, 404 for an unknown app, 101 with a key", async () => {
    const appId = sim.control.state("tenant-1").apps[0].id;
    const base = host.host.replace("http", "ws");
    expect(await wsStatus(`${base}/app/${appId}`)).toBe(401);
    const other = sim.description.tenants[1].apiKey;
    expect(await wsStatus(`${base}/app/${appId}`, { authorization: `Bearer ${other}` })).toBe(401);
    expect(await wsStatus(`${base}/app/nope`, { authorization: `Bearer ${host.apiKey}` })).toBe(404);
    expect(
      await wsStatus(`${base}/app/${appId}/identity/abc`, { authorization: `Bearer ${host.apiKey}` }),
    ).toBe(101);
  });

  test("@qlik/api opens the app over the socket and reads it", async () => {
    const appId = sim.control.state("tenant-1").apps[0].id;
    const session = openAppSession({ appId, hostConfig: host });
    try {
      const doc = await session.getDoc();
      const layout = await doc.getAppLayout();
      expect(layout.qTitle).toBe("Sales Analytics");
    } finally {
      await session.close({ websocketCloseDelay: 0 });
    }
  });

  test("a scheduled WebSocket drop closes the session after it opened", async () => {
    const appId = sim.control.state("tenant-1").apps[0].id;
    sim.control.scheduleFault("tenant-1", { kind: "ws-drop" });
    const closed = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`${host.host.replace("http", "ws")}/app/${appId}`, {
        headers: { authorization: `Bearer ${host.apiKey}` },
      });
      let opened = false;
      ws.on("open", () => (opened = true));
      ws.on("close", () => resolve(opened));
      ws.on("error", () => undefined);
    });
    expect(closed).toBe(true);
  });
});
