import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { adminRouteModules, deliverEvent, webhookDeliveries } from "../src/rest/admin/index.ts";
import { AdminHarness } from "./admin-harness.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

let server: Server;
let base = "";
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        headers: req.headers,
        raw: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(req.url === "/fail" ? 500 : 200, { "content-type": "text/plain", connection: "close" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let h: AdminHarness;
afterEach(() => {
  h?.close();
  received.length = 0;
});

/** Qlik takes webhook secrets of 32 to 64 characters. */
const SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t";

describe("webhooks", () => {
  it("keeps the secret write-only and delivers signed CloudEvents to subscribed hooks", async () => {
    h = new AdminHarness(adminRouteModules);
    const tenant = h.addTenant("acme");
    const created = await h.request(tenant, "POST", "/api/v1/webhooks", {
      body: {
        name: "ci",
        url: `${base}/hook`,
        eventTypes: ["com.qlik.v1.app.published"],
        secret: SECRET,
        headers: { "x-team": "bi" },
      },
    });
    expect(created.status).toBe(201);
    const hook = created.body as { id: string; secretKeyAdded: boolean; enabled: boolean };
    expect(hook).toMatchObject({ secretKeyAdded: true, enabled: true });
    expect(JSON.stringify(created.body)).not.toContain(SECRET);
    expect(
      JSON.stringify((await h.request(tenant, "GET", `/api/v1/webhooks/${hook.id}`)).body),
    ).not.toContain(SECRET);
    // a second hook for another event, and a disabled one for the same event
    await h.request(tenant, "POST", "/api/v1/webhooks", {
      body: { name: "other", url: `${base}/other`, eventTypes: ["com.qlik.v1.reload.finished"] },
    });
    await h.request(tenant, "POST", "/api/v1/webhooks", {
      body: { name: "off", url: `${base}/off`, eventTypes: ["com.qlik.v1.app.published"], enabled: false },
    });

    const deliveries = await deliverEvent(
      tenant,
      "com.qlik.v1.app.published",
      { id: "app-1", name: "Sales" },
      { ctx: h.ctx },
    );
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].status).toBe("success");
    expect(received).toHaveLength(1);
    const r = received[0];
    expect(r.path).toBe("/hook");
    expect(r.headers["x-team"]).toBe("bi");
    const expected = createHmac("sha256", SECRET).update(r.raw).digest("hex");
    expect(r.headers["qlik-signature"]).toBe(expected);
    const body = JSON.parse(r.raw) as Record<string, unknown>;
    expect(body).toMatchObject({
      specversion: "1.0",
      type: "com.qlik.v1.app.published",
      eventType: "com.qlik.v1.app.published",
      tenantId: tenant.id,
      data: { id: "app-1", name: "Sales" },
    });
    expect(typeof body.id).toBe("string");

    const listed = await h.request(tenant, "GET", `/api/v1/webhooks/${hook.id}/deliveries`);
    expect((listed.body as { data: { status: string }[] }).data.map((d) => d.status)).toEqual(["success"]);
  });

  it("delivers ctx.emitEvent through the module's subscription and records failures", async () => {
    h = new AdminHarness(adminRouteModules);
    const tenant = h.addTenant("acme");
    await h.request(tenant, "POST", "/api/v1/webhooks", {
      body: { name: "broken", url: `${base}/fail`, eventTypes: ["com.qlik.v1.reload.finished"] },
    });
    h.ctx.emitEvent(tenant, "com.qlik.v1.reload.finished", { reloadId: "r1", status: "SUCCEEDED" });
    for (let i = 0; i < 100 && webhookDeliveries(tenant).length === 0; i++)
      await new Promise((res) => setTimeout(res, 10));
    const [d] = webhookDeliveries(tenant);
    expect(d).toMatchObject({ status: "fail", eventType: "com.qlik.v1.reload.finished" });
    expect(d.response?.statusCode).toBe(500);
    expect(received[0].headers["qlik-signature"]).toBeUndefined(); // no secret, no signature
  });

  it("validates input and supports patch and delete", async () => {
    h = new AdminHarness(adminRouteModules);
    const tenant = h.addTenant("acme");
    expect(
      (await h.request(tenant, "POST", "/api/v1/webhooks", { body: { name: "x", url: "ftp://nope" } }))
        .status,
    ).toBe(400);
    expect(
      (
        await h.request(tenant, "POST", "/api/v1/webhooks", {
          body: { name: "x", url: base, eventTypes: ["app.published"] },
        })
      ).status,
    ).toBe(400);
    const id = (
      (await h.request(tenant, "POST", "/api/v1/webhooks", { body: { name: "x", url: base } })).body as {
        id: string;
      }
    ).id;
    const p = await h.request(tenant, "PATCH", `/api/v1/webhooks/${id}`, {
      body: [
        { op: "replace", path: "/enabled", value: false },
        { op: "replace", path: "/secret", value: "n".repeat(64) },
      ],
    });
    expect(p.status).toBe(204);
    expect((await h.request(tenant, "GET", `/api/v1/webhooks/${id}`)).body).toMatchObject({
      enabled: false,
      secretKeyAdded: true,
    });
    for (const secret of ["short", "x".repeat(31), "x".repeat(65)]) {
      const bad = await h.request(tenant, "PATCH", `/api/v1/webhooks/${id}`, {
        body: [{ op: "replace", path: "/secret", value: secret }],
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain("32 to 64 characters");
    }
    const tooShort = await h.request(tenant, "POST", "/api/v1/webhooks", {
      body: { name: "y", url: base, secret: "x".repeat(31) },
    });
    expect(tooShort.status).toBe(400);
    const removed = await h.request(tenant, "PATCH", `/api/v1/webhooks/${id}`, {
      body: [{ op: "remove", path: "/secret" }],
    });
    expect(removed.status).toBe(204);
    expect((await h.request(tenant, "GET", `/api/v1/webhooks/${id}`)).body).toMatchObject({
      secretKeyAdded: false,
    });
    expect((await h.request(tenant, "DELETE", `/api/v1/webhooks/${id}`)).status).toBe(204);
    expect((await h.request(tenant, "GET", `/api/v1/webhooks/${id}`)).status).toBe(404);
    const types = (await h.request(tenant, "GET", "/api/v1/webhooks/event-types")).body as {
      data: { name: string }[];
    };
    expect(types.data.map((t) => t.name)).toContain("com.qlik.v1.app.published");
  });
});
