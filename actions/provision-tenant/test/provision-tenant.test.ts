// provision-tenant end to end: the bundled action against the simulator's registration API — create with a
// blueprint, re-run reusing the tenant (same id), deactivate; secrets (regional client secret, license key)
// appear only in the runner's mask commands.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "@qlik-cicd/simulator";
import { makeLicenseKey } from "../../../packages/simulator/src/rest/admin/index.ts";
import { runBundledAction } from "../../../test/helpers/run-bundled-action.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let work: string;
const licenseKey = makeLicenseKey({ customer: "umbrella" });

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  work = mkdtempSync(join(tmpdir(), "provision-tenant-"));
  writeFileSync(
    join(work, "tenant.yml"),
    "version: 1\ntenant:\n  name: Umbrella\nspaces:\n  - name: umbrella-reports\n    type: shared\n",
  );
});

afterAll(async () => {
  await sim?.stop();
});

function regional() {
  const r = sim.description.regions.us;
  return {
    region: "us",
    "registration-url": r.registrationUrl,
    "client-id": r.clientId,
    "client-secret": r.clientSecret,
  };
}

function onlyMasked(stdout: string, value: string) {
  for (const line of stdout.split("\n").filter((l) => l.includes(value)))
    expect(line).toBe(`::add-mask::${value}`);
}

describe("provision-tenant (bundled)", () => {
  let tenantId: string;
  let tenantUrl: string;

  it("creates a tenant in the region and applies the blueprint", async () => {
    const run = await runBundledAction("provision-tenant", {
      inputs: {
        ...regional(),
        "license-key": licenseKey,
        "hostname-alias": "umbrella",
        blueprint: "tenant.yml",
      },
      workspace: work,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.created).toBe("true");
    expect(run.outputs.changed).toBe("true");
    tenantId = run.outputs["tenant-id"];
    tenantUrl = run.outputs["tenant-url"];
    expect(sim.tenant(tenantId).region).toBe("us");
    expect([...sim.tenant(tenantId).spaces.values()].map((s) => s.name)).toContain("umbrella-reports");
    expect(run.summary).toContain(tenantId);
    onlyMasked(run.stdout, licenseKey);
    onlyMasked(run.stdout, regional()["client-secret"]);
    expect(run.summary).not.toContain(licenseKey);
  });

  it("a re-run reuses the tenant with the alias: same id, nothing changed", async () => {
    const count = sim.control.summary().length;
    const run = await runBundledAction("provision-tenant", {
      inputs: {
        ...regional(),
        "license-key": licenseKey,
        "hostname-alias": "umbrella",
        "tenant-url": tenantUrl,
        blueprint: "tenant.yml",
      },
      workspace: work,
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs["tenant-id"]).toBe(tenantId);
    expect(run.outputs.created).toBe("false");
    expect(run.outputs.changed).toBe("false");
    expect(sim.control.summary().length).toBe(count);
  });

  it("deactivates the tenant", async () => {
    const run = await runBundledAction("provision-tenant", {
      inputs: { ...regional(), operation: "deactivate", "tenant-id": tenantId },
      workspace: work,
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe("disabled");
    expect(sim.tenant(tenantId).status).toBe("disabled");
  });

  it("refuses a missing license key naming the input", async () => {
    const run = await runBundledAction("provision-tenant", { inputs: { ...regional() }, workspace: work });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "provision-tenant failed: Input 'license-key' is required to create a tenant.",
    ]);
  });
});
