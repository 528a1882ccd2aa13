import { afterEach, describe, expect, it } from "@jest/globals";
import { isValidLicenseKey, makeLicenseKey, registrationRouteModule } from "../src/rest/admin/index.ts";
import { AdminHarness } from "./admin-harness.ts";

let h: AdminHarness;
afterEach(() => h?.close());

type Tenant = {
  id: string;
  name: string;
  hostnames: string[];
  datacenter: string;
  status: string;
  created: string;
};

function setup() {
  h = new AdminHarness([registrationRouteModule]);
  const region = h.addTenant("register.eu", "eu"); // stands in for the region's pseudo tenant
  h.tenantList.splice(h.tenantList.indexOf(region), 1);
  const client = { userId: "regional-bot", via: "oauth" as const, regionalClientId: "client-eu" };
  return { h, region, client };
}

describe("Platform Operations registration", () => {
  it("validates license keys", () => {
    expect(isValidLicenseKey(makeLicenseKey({ plan: "test" }))).toBe(true);
    for (const bad of ["", "abc", "a.b", "a.b.c", "eyJ.eyJ.x", 42])
      expect(isValidLicenseKey(bad)).toBe(false);
  });

  it("creates a tenant, then deactivates and reactivates it with the hostname confirmation", async () => {
    const { h, region, client } = setup();
    const missing = await h.request(region, "POST", "/api/v1/tenants", {
      body: { datacenter: "eu-west-1" },
      principal: client,
    });
    expect(missing.status).toBe(400);
    const malformed = await h.request(region, "POST", "/api/v1/tenants", {
      body: { licenseKey: "not-a-key" },
      principal: client,
    });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain("licenseKey");
    expect(h.tenantList).toHaveLength(0);

    const res = await h.request(region, "POST", "/api/v1/tenants", {
      body: { licenseKey: makeLicenseKey(), datacenter: "eu-west-1", hostnameAlias: "customer-1.eu.example" },
      principal: client,
    });
    expect(res.status).toBe(201);
    const t = res.body as Tenant;
    expect(t).toMatchObject({ status: "active", datacenter: "eu-west-1" });
    expect(h.tenantList.map((x) => x.id)).toEqual([t.id]);
    const tenant = h.tenantList[0];
    // Qlik's creation request has no alias (it is set afterwards on the tenant): the field is ignored.
    expect(t.hostnames).toEqual([tenant.hostname]);

    expect(
      ((await h.request(region, "GET", `/api/v1/tenants/${t.id}`, { principal: client })).body as Tenant).id,
    ).toBe(t.id);

    const noHeader = await h.request(region, "POST", `/api/v1/tenants/${t.id}/actions/deactivate`, {
      body: {},
      principal: client,
    });
    expect(noHeader.status).toBe(400);
    const wrong = await h.request(region, "POST", `/api/v1/tenants/${t.id}/actions/deactivate`, {
      body: {},
      headers: { "qlik-confirm-hostname": "someone-else.example" },
      principal: client,
    });
    expect(wrong.status).toBe(400);
    expect(tenant.status).toBe("active");

    const off = await h.request(region, "POST", `/api/v1/tenants/${t.id}/actions/deactivate`, {
      body: { purgeAfterDays: 10 },
      headers: { "qlik-confirm-hostname": tenant.hostname },
      principal: client,
    });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: t.id, status: "disabled" });
    expect(tenant.status).toBe("disabled");

    const on = await h.request(region, "POST", `/api/v1/tenants/${t.id}/actions/reactivate`, {
      body: {},
      headers: { "qlik-confirm-hostname": tenant.hostname },
      principal: client,
    });
    expect(on.status).toBe(200);
    expect(tenant.status).toBe("active");
  });

  it("lets a regional client act only on tenants it created", async () => {
    const { h, region, client } = setup();
    const t = (
      await h.request(region, "POST", "/api/v1/tenants", {
        body: { licenseKey: makeLicenseKey() },
        principal: client,
      })
    ).body as Tenant;
    const seeded = h.addTenant("seeded");
    const intruder = { userId: "bot-2", via: "oauth" as const, regionalClientId: "client-other" };
    expect((await h.request(region, "GET", `/api/v1/tenants/${t.id}`, { principal: intruder })).status).toBe(
      403,
    );
    expect(
      (
        await h.request(region, "POST", `/api/v1/tenants/${seeded.id}/actions/deactivate`, {
          body: {},
          headers: { "qlik-confirm-hostname": seeded.hostname },
          principal: client,
        })
      ).status,
    ).toBe(403);
    expect((await h.request(region, "GET", "/api/v1/tenants/nope", { principal: client })).status).toBe(404);
    const tenantUser = { userId: "admin-1", via: "apikey" as const };
    expect(
      (
        await h.request(region, "POST", "/api/v1/tenants", {
          body: { licenseKey: makeLicenseKey() },
          principal: tenantUser,
        })
      ).status,
    ).toBe(403);
  });
});
