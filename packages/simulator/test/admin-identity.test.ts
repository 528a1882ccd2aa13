import { afterEach, describe, expect, it } from "@jest/globals";
import { adminRouteModules, findOAuthClient } from "../src/rest/admin/index.ts";
import { AdminHarness } from "./admin-harness.ts";

let h: AdminHarness;
afterEach(() => h?.close());

function setup() {
  h = new AdminHarness(adminRouteModules);
  const tenant = h.addTenant("acme");
  return { h, tenant };
}

type User = {
  id: string;
  subject: string;
  name: string;
  status: string;
  assignedRoles: { name: string }[];
  assignedGroups: { name: string }[];
};

describe("users", () => {
  it("creates, reads, filters, patches and deletes users", async () => {
    const { h, tenant } = setup();
    const created = await h.request(tenant, "POST", "/api/v1/users", {
      body: {
        subject: "auth0|alice",
        email: "alice@example.com",
        name: "Alice",
        assignedRoles: [{ name: "Developer" }],
      },
    });
    expect(created.status).toBe(201);
    const alice = created.body as User;
    expect(alice).toMatchObject({ subject: "auth0|alice", name: "Alice", status: "active" });
    expect(alice.assignedRoles.map((r) => r.name)).toEqual(["Developer"]);

    expect(
      (await h.request(tenant, "POST", "/api/v1/users", { body: { subject: "auth0|alice" } })).status,
    ).toBe(409);
    expect((await h.request(tenant, "POST", "/api/v1/users", { body: { email: "x@y.z" } })).status).toBe(400);
    const badRole = await h.request(tenant, "POST", "/api/v1/users", {
      body: { subject: "auth0|bob", assignedRoles: [{ name: "NoSuchRole" }] },
    });
    expect(badRole.status).toBe(400);
    expect(JSON.stringify(badRole.body)).toContain("NoSuchRole");

    const filtered = await h.request(
      tenant,
      "GET",
      `/api/v1/users?filter=${encodeURIComponent('email eq "ALICE@example.com"')}`,
    );
    expect((filtered.body as { data: User[] }).data.map((u) => u.id)).toEqual([alice.id]);
    const byRole = await h.request(
      tenant,
      "GET",
      `/api/v1/users?filter=${encodeURIComponent('assignedRoles.name eq "TenantAdmin"')}`,
    );
    expect((byRole.body as { data: User[] }).data.map((u) => u.subject)).toEqual(["qlik-sim|acme-admin"]);

    const patch = await h.request(tenant, "PATCH", `/api/v1/users/${alice.id}`, {
      body: [
        { op: "replace", path: "/name", value: "Alice A." },
        {
          op: "replace",
          path: "/assignedRoles",
          value: [{ name: "TenantAdmin" }, { name: "AnalyticsAdmin" }],
        },
        { op: "replace", path: "/status", value: "disabled" },
      ],
    });
    expect(patch.status).toBe(204);
    const after = (await h.request(tenant, "GET", `/api/v1/users/${alice.id}`)).body as User;
    expect(after).toMatchObject({ name: "Alice A.", status: "disabled" });
    expect(after.assignedRoles.map((r) => r.name)).toEqual(["TenantAdmin", "AnalyticsAdmin"]);
    expect(
      (
        await h.request(tenant, "PATCH", `/api/v1/users/${alice.id}`, {
          body: [{ op: "replace", path: "/status", value: "gone" }],
        })
      ).status,
    ).toBe(400);

    expect(h.events.map((e) => e.eventType)).toEqual(["com.qlik.user.created", "com.qlik.user.updated"]);
    expect((await h.request(tenant, "DELETE", `/api/v1/users/${alice.id}`)).status).toBe(204);
    expect((await h.request(tenant, "GET", `/api/v1/users/${alice.id}`)).status).toBe(404);
  });

  it("answers /users/me with a redirect to the caller's own user", async () => {
    const { h, tenant } = setup();
    const me = await h.request(tenant, "GET", "/api/v1/users/me");
    expect(me.status).toBe(301);
    const path = new URL(me.headers.location).pathname;
    expect(path).toBe(`/api/v1/users/${h.adminOf(tenant).userId}`);
    expect(((await h.request(tenant, "GET", path)).body as User).subject).toBe("qlik-sim|acme-admin");
  });
});

describe("groups and roles", () => {
  it("lists built-in roles and manages groups", async () => {
    const { h, tenant } = setup();
    const roles = (await h.request(tenant, "GET", "/api/v1/roles?limit=100")).body as {
      data: { name: string; type: string; id: string }[];
    };
    const names = roles.data.map((r) => r.name);
    for (const n of ["TenantAdmin", "AnalyticsAdmin", "DataAdmin", "Developer"]) expect(names).toContain(n);
    expect(roles.data.every((r) => r.type === "default")).toBe(true);
    const tenantAdmin = roles.data.find((r) => r.name === "TenantAdmin")!;
    expect((await h.request(tenant, "GET", `/api/v1/roles/${tenantAdmin.id}`)).status).toBe(200);

    const g = await h.request(tenant, "POST", "/api/v1/groups", {
      body: { name: "Finance", assignedRoles: [{ id: tenantAdmin.id }] },
    });
    expect(g.status).toBe(201);
    const group = g.body as { id: string; assignedRoles: { name: string }[] };
    expect(group.assignedRoles.map((r) => r.name)).toEqual(["TenantAdmin"]);
    expect((await h.request(tenant, "POST", "/api/v1/groups", { body: { name: "finance" } })).status).toBe(
      409,
    );
    const list = (await h.request(tenant, "GET", "/api/v1/groups")).body as { data: { name: string }[] };
    expect(list.data.map((x) => x.name)).toEqual(["Finance"]);

    const u = (await h.request(tenant, "POST", "/api/v1/users", { body: { subject: "s|1" } })).body as User;
    await h.request(tenant, "PATCH", `/api/v1/users/${u.id}`, {
      body: [{ op: "add", path: "/assignedGroups", value: [{ name: "Finance" }] }],
    });
    expect(
      ((await h.request(tenant, "GET", `/api/v1/users/${u.id}`)).body as User).assignedGroups.map(
        (x) => x.name,
      ),
    ).toEqual(["Finance"]);
    expect((await h.request(tenant, "DELETE", `/api/v1/groups/${group.id}`)).status).toBe(204);
    expect(((await h.request(tenant, "GET", `/api/v1/users/${u.id}`)).body as User).assignedGroups).toEqual(
      [],
    );
    expect((await h.request(tenant, "GET", `/api/v1/groups/${group.id}`)).status).toBe(404);
  });
});

describe("oauth clients", () => {
  it("returns the secret once, registers it with the token endpoint and revokes on delete", async () => {
    const { h, tenant } = setup();
    const res = await h.request(tenant, "POST", "/api/v1/oauth-clients", {
      body: {
        clientName: "pipeline",
        appType: "web",
        allowedGrantTypes: ["client_credentials"],
        allowedScopes: ["admin_classic", "user_default"],
      },
    });
    expect(res.status).toBe(201);
    const c = res.body as { clientId: string; clientSecret: string; clientSecrets: { hint: string }[] };
    expect(c.clientSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(c.clientSecrets).toEqual([expect.objectContaining({ hint: c.clientSecret.slice(-4) })]);

    const got = await h.request(tenant, "GET", `/api/v1/oauth-clients/${c.clientId}`);
    expect(JSON.stringify(got.body)).not.toContain(c.clientSecret);
    const list = await h.request(tenant, "GET", "/api/v1/oauth-clients");
    expect(JSON.stringify(list.body)).not.toContain(c.clientSecret);
    expect((list.body as { data: unknown[] }).data).toHaveLength(1);

    const admin = h.adminOf(tenant).userId;
    expect(findOAuthClient(tenant, c.clientId, c.clientSecret)).toMatchObject({
      clientId: c.clientId,
      userId: admin,
    });
    expect(findOAuthClient(tenant, c.clientId, "wrong")).toBeNull();
    expect(h.registeredClients.get(`${tenant.id}/${c.clientId}`)).toEqual({
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      userId: admin,
    });

    // rotation: a second secret works too; deleting the first keeps the second registered
    const second = (await h.request(tenant, "POST", `/api/v1/oauth-clients/${c.clientId}/client-secrets`))
      .body as { clientSecret: string; hint: string };
    expect(findOAuthClient(tenant, c.clientId, second.clientSecret)).not.toBeNull();
    expect(
      (await h.request(tenant, "POST", `/api/v1/oauth-clients/${c.clientId}/client-secrets`)).status,
    ).toBe(409);
    expect(
      (
        await h.request(
          tenant,
          "DELETE",
          `/api/v1/oauth-clients/${c.clientId}/client-secrets/${c.clientSecret.slice(-4)}`,
        )
      ).status,
    ).toBe(204);
    expect(findOAuthClient(tenant, c.clientId, c.clientSecret)).toBeNull();
    expect(h.registeredClients.get(`${tenant.id}/${c.clientId}`)?.clientSecret).toBe(second.clientSecret);

    expect((await h.request(tenant, "DELETE", `/api/v1/oauth-clients/${c.clientId}`)).status).toBe(204);
    expect(findOAuthClient(tenant, c.clientId, second.clientSecret)).toBeNull();
    expect(h.revokedClients.has(`${tenant.id}/${c.clientId}`)).toBe(true);
    expect(
      (
        await h.request(tenant, "POST", "/api/v1/oauth-clients", {
          body: { clientName: "x", appType: "robot" },
        })
      ).status,
    ).toBe(400);
  });
});

describe("identity providers, brands and tenant settings", () => {
  const PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";

  it("creates JWT and OIDC identity providers without leaking secrets", async () => {
    const { h, tenant } = setup();
    const jwt = await h.request(tenant, "POST", "/api/v1/identity-providers", {
      body: {
        protocol: "jwtAuth",
        provider: "external",
        description: "embed",
        options: { issuer: "https://issuer", staticKeys: [{ kid: "k1", pem: PEM }] },
      },
    });
    expect(jwt.status).toBe(201);
    expect(jwt.body).toMatchObject({ protocol: "jwtAuth", active: true, interactive: false });
    expect(
      (
        await h.request(tenant, "POST", "/api/v1/identity-providers", {
          body: {
            protocol: "jwtAuth",
            provider: "external",
            options: { issuer: "x", staticKeys: [{ kid: "k", pem: "nope" }] },
          },
        })
      ).status,
    ).toBe(400);

    const oidc = await h.request(tenant, "POST", "/api/v1/identity-providers", {
      body: {
        protocol: "OIDC",
        provider: "okta",
        interactive: true,
        pendingOptions: {
          clientId: "cid",
          clientSecret: "very-secret",
          discoveryUrl: "https://okta/.well-known/openid-configuration",
          claimsMapping: { sub: ["sub"] },
        },
      },
    });
    expect(oidc.status).toBe(201);
    expect(JSON.stringify(oidc.body)).not.toContain("very-secret");
    const id = (oidc.body as { id: string }).id;
    expect(oidc.body).toMatchObject({ active: false, pendingState: "verified" });
    expect(
      (
        await h.request(tenant, "PATCH", `/api/v1/identity-providers/${id}`, {
          body: [{ op: "promote-options" }],
        })
      ).status,
    ).toBe(204);
    const after = (await h.request(tenant, "GET", `/api/v1/identity-providers/${id}`)).body as {
      active: boolean;
      options: { clientId: string };
    };
    expect(after.active).toBe(true);
    expect(after.options.clientId).toBe("cid");
    expect(JSON.stringify(after)).not.toContain("very-secret");
    expect(
      ((await h.request(tenant, "GET", "/api/v1/identity-providers")).body as { data: unknown[] }).data,
    ).toHaveLength(2);
    expect((await h.request(tenant, "DELETE", `/api/v1/identity-providers/${id}`)).status).toBe(204);
  });

  it("manages brands with one active at a time, from JSON or multipart", async () => {
    const { h, tenant } = setup();
    const a = (
      await h.request(tenant, "POST", "/api/v1/brands", { body: { name: "Blue", description: "d" } })
    ).body as { id: string };
    const boundary = "----sim";
    const multipart = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nGreen\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="logo"; filename="logo.png"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n` +
        `--${boundary}--\r\n`,
    );
    const bRes = await h.request(tenant, "POST", "/api/v1/brands", {
      rawBody: multipart,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(bRes.status).toBe(201);
    const b = bRes.body as { id: string; name: string; files: { id: string }[] };
    expect(b.name).toBe("Green");
    expect(b.files.map((f) => f.id)).toEqual(["logo"]);
    const logo = await h.request(tenant, "GET", `/api/v1/brands/${b.id}/files/logo`);
    expect(logo.raw?.toString()).toBe("PNGDATA");

    await h.request(tenant, "POST", `/api/v1/brands/${a.id}/actions/activate`, { body: {} });
    await h.request(tenant, "POST", `/api/v1/brands/${b.id}/actions/activate`, { body: {} });
    expect(((await h.request(tenant, "GET", "/api/v1/brands/active")).body as { id: string }).id).toBe(b.id);
    expect(
      ((await h.request(tenant, "GET", `/api/v1/brands/${a.id}`)).body as { active: boolean }).active,
    ).toBe(false);
    expect((await h.request(tenant, "DELETE", `/api/v1/brands/${b.id}`)).status).toBe(400);
    await h.request(tenant, "POST", `/api/v1/brands/${b.id}/actions/deactivate`, { body: {} });
    expect((await h.request(tenant, "DELETE", `/api/v1/brands/${b.id}`)).status).toBe(204);
    expect((await h.request(tenant, "GET", "/api/v1/brands/active")).body).toEqual({});
  });

  it("reads and patches tenant settings", async () => {
    const { h, tenant } = setup();
    const redirect = await h.request(tenant, "GET", "/api/v1/tenants/me");
    expect(redirect.status).toBe(302);
    const own = new URL(redirect.headers.location).pathname;
    expect(own).toBe(`/api/v1/tenants/${tenant.id}`);
    const me = (await h.request(tenant, "GET", own)).body as {
      id: string;
      hostnames: string[];
    };
    expect(me.id).toBe(tenant.id);
    expect(me.hostnames).toEqual([tenant.hostname]);
    const patch = await h.request(tenant, "PATCH", `/api/v1/tenants/${tenant.id}`, {
      body: [
        { op: "replace", path: "/name", value: "Acme Corp" },
        { op: "replace", path: "/hostnames/1", value: "analytics.acme.example" },
        { op: "replace", path: "/autoAssignCreateSharedSpacesRoleToProfessionals", value: false },
      ],
    });
    expect(patch.status).toBe(204);
    const after = (await h.request(tenant, "GET", `/api/v1/tenants/${tenant.id}`)).body as Record<
      string,
      unknown
    >;
    expect(after).toMatchObject({
      name: "Acme Corp",
      hostnames: [tenant.hostname, "analytics.acme.example"],
      autoAssignCreateSharedSpacesRoleToProfessionals: false,
    });
    expect(tenant.hostnameAliases).toEqual(["analytics.acme.example"]);
    expect(
      (
        await h.request(tenant, "PATCH", `/api/v1/tenants/${tenant.id}`, {
          body: [{ op: "replace", path: "/hostnames/1", value: "bad host" }],
        })
      ).status,
    ).toBe(400);
    expect((await h.request(tenant, "GET", "/api/v1/tenants/other")).status).toBe(404);
  });
});
