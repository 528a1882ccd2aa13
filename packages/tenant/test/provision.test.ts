// provisionTenant against the simulator's Platform Operations registration API in two regions: create, re-run
// reusing the tenant found through its alias (no duplicate), a blueprint applied with the regional client,
// deactivate / reactivate with the hostname confirmation, and bad input refused before any call.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ConfigError, describeError, MemoryLogger } from "@qlik-cicd/common";
import { startSimulator } from "@qlik-cicd/simulator";
import { makeLicenseKey } from "../../simulator/src/rest/admin/index.ts";
import { provisionTenant } from "../src/index.ts";
import type { ProvisionOptions } from "../src/index.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;

function regional(
  region: "eu" | "us",
): Pick<ProvisionOptions, "region" | "registrationUrl" | "clientId" | "clientSecret"> {
  const r = sim.description.regions[region];
  return { region, registrationUrl: r.registrationUrl, clientId: r.clientId, clientSecret: r.clientSecret };
}

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
});

afterAll(async () => {
  await sim?.stop();
});

describe("provisionTenant", () => {
  let euTenant: { id: string; url: string };

  it("creates tenants in two regions with the region's datacenter", async () => {
    const logger = new MemoryLogger();
    const licenseKey = makeLicenseKey({ customer: "acme" });
    const eu = await provisionTenant({ ...regional("eu"), licenseKey, hostnameAlias: "acme" }, { logger });
    const us = await provisionTenant({ ...regional("us"), licenseKey, hostnameAlias: "globex" }, { logger });
    expect(eu.created).toBe(true);
    expect(us.created).toBe(true);
    expect(eu.tenantId).not.toBe(us.tenantId);
    expect(eu.datacenter).toBe("eu-west-1");
    expect(us.datacenter).toBe("us-east-1");
    expect(sim.tenant(eu.tenantId).region).toBe("eu");
    expect(sim.tenant(us.tenantId).region).toBe("us");
    // The alias is set on the new tenant after creation, as its full hostname.
    expect(eu.hostnames).toContain("acme.eu.qlikcloud.com");
    expect(sim.tenant(eu.tenantId).hostnameAliases).toEqual(["acme.eu.qlikcloud.com"]);
    const me = await fetch(`${eu.tenantUrl}/api/v1/tenants/me`);
    expect(me.status).toBe(401); // the tenant answers at the URL reported
    euTenant = { id: eu.tenantId, url: eu.tenantUrl };
    expect(logger.text()).not.toContain(licenseKey);
    expect(logger.text()).not.toContain(regional("eu").clientSecret);
  });

  it("a re-run finds the tenant through its alias and reuses it (same id, no new tenant)", async () => {
    const count = sim.control.summary().length;
    const again = await provisionTenant({
      ...regional("eu"),
      licenseKey: makeLicenseKey(),
      hostnameAlias: "acme",
      tenantUrl: euTenant.url,
    });
    expect(again.created).toBe(false);
    expect(again.tenantId).toBe(euTenant.id);
    expect(sim.control.summary().length).toBe(count);
  });

  it("an alias in use that cannot be reached is one clear error, and no second tenant is left running", async () => {
    const before = new Set(sim.control.summary().map((t) => t.id));
    const error = await provisionTenant({
      ...regional("eu"),
      licenseKey: makeLicenseKey(),
      hostnameAlias: "acme",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(describeError(error)).toMatch(/alias 'acme' is already in use.*deactivated again.*tenant-url/);
    // Qlik only takes an alias after creation: the tenant created for it is deactivated again.
    const added = sim.control.summary().filter((t) => !before.has(t.id));
    expect(added).toHaveLength(1);
    expect(sim.tenant(added[0].id).status).toBe("disabled");
    expect(sim.tenant(added[0].id).hostnameAliases).toEqual([]);
  });

  it("applies a blueprint to a new tenant with the regional client", async () => {
    const result = await provisionTenant({
      ...regional("us"),
      licenseKey: makeLicenseKey(),
      hostnameAlias: "initech",
      blueprint: {
        baseDir: "/",
        blueprint: {
          version: 1,
          tenant: { name: "Initech" },
          spaces: [{ name: "reports", type: "shared" }],
          users: [{ subject: "initech|peter", roles: ["SharedSpaceCreator"] }],
        },
      },
    });
    expect(result.blueprint?.changed).toBe(true);
    const t = sim.tenant(result.tenantId);
    expect([...t.spaces.values()].map((s) => s.name)).toContain("reports");
    expect([...t.users.values()].map((u) => u.subject)).toContain("initech|peter");
  });

  it("deactivates and reactivates with the confirmation header, idempotently", async () => {
    const off = await provisionTenant({
      ...regional("eu"),
      operation: "deactivate",
      tenantId: euTenant.id,
      purgeAfterDays: 10,
    });
    expect(off.status).toBe("disabled");
    expect(off.estimatedPurgeDate).toBeDefined();
    expect(sim.tenant(euTenant.id).status).toBe("disabled");
    const again = await provisionTenant({
      ...regional("eu"),
      operation: "deactivate",
      tenantId: euTenant.id,
    });
    expect(again.status).toBe("disabled");
    const on = await provisionTenant({ ...regional("eu"), operation: "reactivate", tenantId: euTenant.id });
    expect(on.status).toBe("active");
    expect(sim.tenant(euTenant.id).status).toBe("active");
  });

  it("refuses bad input before any call", async () => {
    const count = sim.control.summary().length;
    await expect(provisionTenant({ ...regional("eu"), licenseKey: "not-a-key" })).rejects.toThrow(
      ConfigError,
    );
    await expect(
      provisionTenant({
        ...regional("eu"),
        region: "mars",
        registrationUrl: undefined,
        licenseKey: makeLicenseKey(),
      }),
    ).rejects.toThrow(/Region 'mars'/);
    await expect(provisionTenant({ ...regional("eu"), operation: "deactivate" })).rejects.toThrow(
      /tenant-id/,
    );
    expect(sim.control.summary().length).toBe(count);
  });
});
