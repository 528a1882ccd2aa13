// The webhook relay on a loopback port: signed deliveries become repository_dispatch events (GitHub faked
// with the GitHub double); forged, oversized, replayed, stale and malformed deliveries are refused. Also a real delivery
// from the simulator's webhook sender, signed with its secret.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { MemoryLogger, mutationEvents } from "@qlik-cicd/common";
import type { MutationEvent } from "@qlik-cicd/common";
import { startSimulator } from "@qlik-cicd/simulator";
import { signWebhookBody } from "../../simulator/src/rest/admin/index.ts";
import { dispatchEventType, signQlikWebhook, startWebhookRelay, verifyQlikSignature } from "../src/index.ts";
import type { RunningRelay } from "../src/index.ts";
import {
  startGitHubDouble,
  type GitHubDouble,
  type GitHubRepo,
} from "../../../test/helpers/github-double.ts";
import { githubClientFor } from "../../../test/helpers/github-client.ts";

const SECRET = "relay-secret-0123456789-abcdefghij";
let relay: RunningRelay;
const logger = new MemoryLogger();
let github: GitHubDouble;
let repo: GitHubRepo;
/** The repository_dispatch events GitHub received, as the API took them. */
const dispatched = () =>
  repo.dispatches.map((d) => ({ event_type: d.eventType, client_payload: d.clientPayload }));

function event(overrides: Record<string, unknown> = {}) {
  return {
    specversion: "1.0",
    id: randomUUID(),
    type: "com.qlik.v1.app.published",
    time: new Date().toISOString(),
    tenantid: "tenant-1",
    data: { id: "app-1", name: "Sales", spaceId: "space-9", originAppId: "app-0" },
    ...overrides,
  };
}

function post(
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(relay.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/",
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function signed(body: string) {
  return post(body, { "qlik-signature": signQlikWebhook(SECRET, body) });
}

beforeAll(async () => {
  github = await startGitHubDouble();
  repo = github.repo("acme/bi");
  relay = await startWebhookRelay({
    secret: SECRET,
    github: { client: githubClientFor(github), owner: "acme", repo: "bi" },
    maxBodyBytes: 4096,
    replayWindowSeconds: 300,
    logger,
  });
});

afterEach(() => {
  repo.dispatches.length = 0;
});

afterAll(async () => {
  await relay?.close();
  await github?.close();
});

describe("signature", () => {
  it("verifies the hex HMAC of the raw body, in constant time on equal lengths", () => {
    const body = Buffer.from('{"a":1}');
    const sig = signQlikWebhook(SECRET, body);
    expect(verifyQlikSignature(SECRET, body, sig)).toBe(true);
    expect(verifyQlikSignature(SECRET, body, sig.toUpperCase())).toBe(true);
    expect(verifyQlikSignature(SECRET, body, sig.slice(0, 10))).toBe(false);
    expect(verifyQlikSignature(SECRET, Buffer.from('{"a":2}'), sig)).toBe(false);
    expect(verifyQlikSignature("other-secret", body, sig)).toBe(false);
    expect(verifyQlikSignature(SECRET, body, undefined)).toBe(false);
  });
  it("names dispatch events after the Qlik event", () => {
    expect(dispatchEventType("com.qlik.v1.app.published")).toBe("qlik-app-published");
    expect(dispatchEventType("com.qlik.v1.reload.finished")).toBe("qlik-reload-finished");
  });
});

describe("webhook relay", () => {
  it("turns a valid app.published delivery into a repository_dispatch", async () => {
    const events: MutationEvent[] = [];
    const off = mutationEvents.on((m) => events.push(m));
    const e = event();
    const res = await signed(JSON.stringify(e));
    off();
    expect(res.status).toBe(202);
    expect(events).toEqual([
      expect.objectContaining({ tenant: "github:acme/bi", method: "POST", result: "ok", status: 204 }),
    ]);
    expect(dispatched()).toEqual([
      {
        event_type: "qlik-app-published",
        client_payload: expect.objectContaining({
          appId: "app-1",
          appName: "Sales",
          spaceId: "space-9",
          tenantId: "tenant-1",
          eventId: e.id,
        }),
      },
    ]);
  });

  it("rejects a forged signature (401) without dispatching", async () => {
    const body = JSON.stringify(event());
    expect((await post(body, { "qlik-signature": signQlikWebhook("not-the-secret", body) })).status).toBe(
      401,
    );
    expect((await post(body)).status).toBe(401);
    expect((await post(body, { "qlik-signature": "abc" })).status).toBe(401);
    expect(dispatched()).toEqual([]);
  });

  it("rejects an oversized body (413), declared or streamed", async () => {
    const big = JSON.stringify(event({ data: { pad: "x".repeat(10_000) } }));
    const res = await signed(big);
    expect(res.status).toBe(413);
    // Without a content length (chunked), the relay stops reading once the limit is passed.
    const chunked = await new Promise<number>((resolve, reject) => {
      const url = new URL(relay.url);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: "/",
          headers: { "transfer-encoding": "chunked" },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on("error", () => resolve(413));
      for (let i = 0; i < 8; i++) req.write("y".repeat(1024));
      req.end();
      setTimeout(() => reject(new Error("no answer")), 5000).unref();
    });
    expect(chunked).toBe(413);
    expect(dispatched()).toEqual([]);
  });

  it("rejects a replayed event id (409) and a stale event (400)", async () => {
    const body = JSON.stringify(event());
    expect((await signed(body)).status).toBe(202);
    expect((await signed(body)).status).toBe(409);
    const stale = JSON.stringify(event({ time: new Date(Date.now() - 3600_000).toISOString() }));
    expect((await signed(stale)).status).toBe(400);
    expect(dispatched()).toHaveLength(1);
  });

  it("rejects malformed deliveries (400)", async () => {
    expect((await signed("{not json")).status).toBe(400);
    expect((await signed(JSON.stringify({ hello: "world" }))).status).toBe(400);
    expect((await signed("[1,2]")).status).toBe(400);
  });

  it("answers 502 when GitHub refuses, and lets Qlik's retry through", async () => {
    github.fail({
      method: "POST",
      path: "/repos/acme/bi/dispatches",
      status: 500,
      body: { message: "Server Error" },
    });
    const body = JSON.stringify(event());
    expect((await signed(body)).status).toBe(502);
    expect((await signed(body)).status).toBe(202);
  });

  it("accepts a delivery signed by the simulator's webhook sender", async () => {
    const body = JSON.stringify(
      event({ type: "com.qlik.v1.reload.finished", data: { appId: "a", status: "error" } }),
    );
    const res = await post(body, { "qlik-signature": signWebhookBody(SECRET, body) });
    expect(res.status).toBe(202);
    expect(dispatched()[0].event_type).toBe("qlik-reload-finished");
    expect(logger.text()).not.toContain(SECRET);
  });
});

describe("end to end with the simulator", () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  beforeAll(async () => {
    sim = await startSimulator({ tenants: 1, seed: "demo" });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("relays a signed Qlik webhook delivery for a published app", async () => {
    const t = sim.description.tenants[0];
    const res = await fetch(`${t.url}/api/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "relay",
        url: `${relay.url}/`,
        eventTypes: ["com.qlik.v1.app.published"],
        secret: SECRET,
        enabled: true,
      }),
    });
    expect(res.status).toBe(201);
    const { deliverEvent } = await import("../../simulator/src/rest/admin/index.ts");
    const [record] = await deliverEvent(sim.tenant(t.name), "com.qlik.v1.app.published", {
      id: "app-7",
      name: "Ops",
      spaceId: "s-1",
    });
    expect(record.status).toBe("success");
    expect(dispatched()[0]).toEqual(
      expect.objectContaining({
        event_type: "qlik-app-published",
        client_payload: expect.objectContaining({ appId: "app-7", appName: "Ops" }),
      }),
    );
  });
});
