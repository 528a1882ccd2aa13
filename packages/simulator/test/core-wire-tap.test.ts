// The wire tap: every HTTP exchange (request bytes, status, headers, response bytes as written) and every
// WebSocket frame in both directions reaches the observer, without changing what the client sees.
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import WebSocket from "ws";
import { startSimulator } from "../src/index.ts";
import type { WireExchange, WireFrame } from "../src/index.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
const exchanges: WireExchange[] = [];
const frames: WireFrame[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    wireTap: { http: (e) => exchanges.push(e), ws: (f) => frames.push(f) },
  });
});

afterAll(async () => {
  await sim?.stop();
});

test("records a REST exchange as sent and as answered", async () => {
  const t = sim.description.tenants[0];
  const res = await fetch(`${t.url}/api/v1/spaces?limit=2`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "tapped", type: "shared" }),
  });
  const answered = await res.text();
  expect(res.status).toBe(201);
  const e = exchanges.find((x) => x.url === "/api/v1/spaces?limit=2");
  expect(e).toBeDefined();
  expect(e?.method).toBe("POST");
  expect(e?.endpoint).toEqual({ kind: "tenant", name: t.name, url: t.url });
  expect(JSON.parse(e?.requestBody.toString("utf8") ?? "")).toEqual({ name: "tapped", type: "shared" });
  expect(e?.status).toBe(201);
  expect(String(e?.responseHeaders["content-type"])).toMatch(/^application\/json/);
  expect(e?.responseBody.toString("utf8")).toBe(answered);
});

test("records QIX frames in both directions, in order", async () => {
  const t = sim.description.tenants[0];
  const appId = sim.control.state(t.name).apps[0].id;
  const ws = new WebSocket(`${t.url.replace(/^http/, "ws")}/app/${appId}`, {
    headers: { authorization: `Bearer ${t.apiKey}` },
  });
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on("error", reject);
    ws.on("message", (data: Buffer) => {
      received.push(data.toString("utf8"));
      if (received.length === 1)
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, handle: -1, method: "OpenDoc", params: [appId] }));
      if (received.length === 2) resolve();
    });
  });
  ws.close();
  const mine = frames.filter((f) => f.path === `/app/${appId}`);
  expect(mine.map((f) => f.from)).toEqual(["server", "client", "server"]);
  expect(mine.filter((f) => f.from === "server").map((f) => f.text)).toEqual(received);
  expect(JSON.parse(mine[1].text)).toMatchObject({ method: "OpenDoc", params: [appId] });
  expect(new Set(mine.map((f) => f.socket)).size).toBe(1);
});
