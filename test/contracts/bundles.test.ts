// What each committed bundle contains, from esbuild's metafile (built in memory from the source, so it
// checks the bundles the integrator will build, not whatever dist/ holds): within its size budget, one
// undici, and nothing an action does not use (schema validation only where a file is validated).
import { beforeAll, describe, expect, it } from "@jest/globals";
import type { Metafile } from "esbuild";
import { relative } from "node:path";
import {
  analyse,
  bundleTargets,
  QLIK_ACTION_BUDGET,
  root,
  undiciRoot,
  type BundleTarget,
} from "../../scripts/bundle/config.ts";

/**
 * Bundles that validate a user file against a JSON schema: blueprint (configure-tenant, provision-tenant),
 * parameters file (deploy-to-space, rollout-canary), tenant inventory (rollout-canary, estate-status; its
 * blueprint too), .qlik-lint.yml
 * (validate-app).
 */
const VALIDATING = [
  "configure-tenant",
  "deploy-to-space",
  "estate-status",
  "provision-tenant",
  "rollout-canary/engine",
  "validate-app",
];

const targets = bundleTargets();
const built = new Map<string, { bytes: number; inputs: string[] }>();

function inputsOf(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs));
}

const inPackage = (name: string) => (input: string) => input.includes(`node_modules/${name}/`);

beforeAll(async () => {
  for (const target of targets) {
    const { bytes, metafile } = await analyse(target);
    built.set(target.name, { bytes, inputs: inputsOf(metafile) });
  }
}, 120_000);

describe("bundles", () => {
  it("cover every action, the shared uploader and the root action", () => {
    expect(targets.map((t) => t.name)).toEqual([
      "_shared/artifact-upload",
      "approve-gate",
      "configure-tenant",
      "deploy-to-space",
      "estate-status",
      "evaluate-app",
      "provision-tenant",
      "rollout-canary",
      "rollout-canary/engine",
      "run-automation",
      "unbuild-app",
      "validate-app",
      "root",
    ]);
  });

  it("give every Qlik-facing action a budget of at most 2.5 MB", () => {
    const qlik = targets.filter((t) => t.qlikFacing);
    expect(qlik.length).toBeGreaterThanOrEqual(7);
    for (const t of qlik) expect(t.budget).toBeLessThanOrEqual(QLIK_ACTION_BUDGET);
    expect(QLIK_ACTION_BUDGET).toBe(2_500_000);
  });

  it.each(targets.map((t) => [t.name, t] as [string, BundleTarget]))("%s is within its budget", (name, t) => {
    const { bytes } = built.get(name)!;
    expect({ name, bytes, withinBudget: bytes <= t.budget }).toEqual({ name, bytes, withinBudget: true });
  });

  it.each(targets.map((t) => [t.name]))("%s carries at most one undici, the root one", (name) => {
    const undici = relative(root, undiciRoot());
    const copies = new Set(
      built
        .get(name)!
        .inputs.filter((i) => /node_modules\/undici\//.test(i))
        .map((i) => i.slice(0, i.indexOf("node_modules/undici/") + "node_modules/undici".length)),
    );
    expect([...copies].every((c) => c.endsWith(undici))).toBe(true);
    expect(copies.size).toBeLessThanOrEqual(1);
  });

  it("Qlik-facing actions carry @qlik/api (and undici for its transport); the others no Qlik client", () => {
    for (const t of targets) {
      const { inputs } = built.get(t.name)!;
      const has = { qlikApi: inputs.some(inPackage("@qlik/api")) };
      if (t.qlikFacing) expect(inputs.some(inPackage("undici"))).toBe(true);
      expect({ name: t.name, ...has }).toEqual({ name: t.name, qlikApi: t.qlikFacing });
    }
  });

  it("take from undici only the modules they use (no barrel: no mocks, caches, WebSocket or Milo parser)", () => {
    for (const t of targets) {
      const unused = built
        .get(t.name)!
        .inputs.filter((i) =>
          /node_modules\/undici\/(index\.js|lib\/(mock|cache|milo|web\/websocket|web\/eventsource)\/)/.test(
            i,
          ),
        );
      expect({ name: t.name, unused }).toEqual({ name: t.name, unused: [] });
    }
  });

  it("bundle ajv only into the actions that validate a file against a schema", () => {
    const withAjv = targets
      .filter((t) => built.get(t.name)!.inputs.some(inPackage("ajv")))
      .map((t) => t.name);
    expect(withAjv).toEqual(VALIDATING);
  });

  it("bundle no libsodium (secrets are sealed with tweetnacl) and no test-only packages", () => {
    for (const t of targets) {
      const { inputs } = built.get(t.name)!;
      const found = ["libsodium", "libsodium-wrappers", "nock", "esbuild", "@qlik-cicd/simulator"].filter(
        (p) => inputs.some(inPackage(p)),
      );
      expect({
        name: t.name,
        found,
        simulator: inputs.some((i) => i.startsWith("packages/simulator/")),
      }).toEqual({
        name: t.name,
        found: [],
        simulator: false,
      });
    }
  });
});
