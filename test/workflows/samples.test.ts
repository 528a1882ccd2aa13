// The samples users copy (workflows-examples/config/): each is valid against its published schema (read
// by an Ajv of the test's own, as an editor would), accepted by the product, referenced by the example
// workflows that use such a file, and fits the example app (apps/sales-analytics, the simulator's seeded
// Sales Analytics): every variable and connection it sets exists there, and the app lints clean with it.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { lintAppTree, parseLintConfig, unbuildApp, type AppTree } from "@qlik-cicd/app-files";
import {
  applyParameters,
  parseInventory,
  parseParameters,
  resolveParameters,
  tenantParametersYaml,
} from "@qlik-cicd/delivery";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { parseBlueprint } from "@qlik-cicd/tenant";
import { example } from "./e2e-helpers.ts";
import { repoRoot } from "./runner.ts";
import { sample, SAMPLES_DIR, sampleTenants } from "./samples.ts";

/** Each sample, its schema, and how the product reads it. */
const SAMPLES: Record<string, { schema: string; read: (text: string, file: string) => unknown }> = {
  "tenants.json": {
    schema: "tenant-inventory.schema.json",
    read: (text, file) => parseInventory(text, file, Object.fromEntries(keyVariables().map((k) => [k, "k"]))),
  },
  "blueprint.yml": { schema: "tenant-blueprint.schema.json", read: parseBlueprint },
  "parameters.yml": { schema: "parameters.schema.json", read: parseParameters },
  ".qlik-lint.yml": { schema: "qlik-lint.schema.json", read: parseLintConfig },
};

/** Where the example workflows use each sample (as `config/<file>` of the user's repository). */
const USED_BY: Record<string, string[]> = {
  "tenants.json": ["multi-tenant-rollout.yml", "drift-check.yml"],
  "blueprint.yml": ["tenant-onboarding.yml", "drift-check.yml"],
  ".qlik-lint.yml": ["pr-validation.yml"],
};

const keyVariables = () => sampleTenants().map((t) => t.credentials.apiKeyEnv);
const PARAMETER_ENV = {
  SALES_DATA_CONNECTION: 'CUSTOM CONNECT TO "provider=qix-datafiles.exe;path=/sales;"',
  SALES_DATA_USER: "svc-sales",
  SALES_DATA_PASSWORD: "sample-password-not-real",
};

describe("samples (workflows-examples/config)", () => {
  it("are the four kinds of config file, each valid against its published schema and read by the product", () => {
    expect(readdirSync(SAMPLES_DIR).sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const [name, { schema, read }] of Object.entries(SAMPLES)) {
      const text = sample(name);
      const published = JSON.parse(readFileSync(join(repoRoot, "schemas", schema), "utf8")) as object;
      const validate = new Ajv({ allErrors: true, strict: false }).compile(published);
      expect({ name, valid: validate(parse(text)), errors: validate.errors ?? [] }).toEqual({
        name,
        valid: true,
        errors: [],
      });
      expect(() => read(text, `config/${name}`)).not.toThrow();
      // Editors find the schema: a `$schema` key in JSON, the YAML language server's comment in YAML.
      const reference = `/schemas/${schema}`;
      if (name.endsWith(".json"))
        expect((JSON.parse(text) as { $schema: string }).$schema).toContain(reference);
      else
        expect(text.split("\n")[0]).toMatch(
          new RegExp(`^# yaml-language-server: \\$schema=\\S+${reference}$`),
        );
    }
  });

  it("are the files the example workflows reference", () => {
    for (const [name, workflows] of Object.entries(USED_BY)) {
      for (const workflow of workflows) {
        expect({
          workflow,
          references: readFileSync(example(workflow), "utf8").includes(`config/${name}`),
        }).toEqual({
          workflow,
          references: true,
        });
      }
    }
  });

  it("name exactly the tenant credentials the rollout and drift workflows pass", () => {
    const rollout = parse(readFileSync(example("multi-tenant-rollout.yml"), "utf8")) as {
      jobs: { plan: { env: Record<string, string> } };
    };
    const passed = Object.entries(rollout.jobs.plan.env);
    expect(passed.map(([name]) => name).sort()).toEqual(keyVariables().sort());
    for (const [name, value] of passed) expect(value).toBe(`\${{ secrets.${name} }}`);
    // drift-check.yml lists the estate with jq: every tenant has its own credentials.apiKeyEnv.
    for (const t of sampleTenants()) expect(t.credentials.apiKeyEnv).toMatch(/^QLIK_KEY_/);
  });
});

describe("samples on the example app", () => {
  let sim: RunningSimulator;
  let tree: AppTree;
  let appDir: string;

  beforeAll(async () => {
    sim = await startSimulator({ tenants: 1, seed: "demo" });
    const t = sim.description.tenants[0];
    const app = sim.control.state(t.name).apps.find((a) => a.name === "Sales Analytics")!;
    const client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
    try {
      tree = await client.withApp(app.id, (doc) => unbuildApp(doc));
    } finally {
      await client.close();
    }
    appDir = join(mkdtempSync(join(tmpdir(), "samples-")), "apps", "sales-analytics");
    for (const [path, text] of tree.fileTexts()) {
      mkdirSync(dirname(join(appDir, path)), { recursive: true });
      writeFileSync(join(appDir, path), text);
    }
  }, 30_000);

  afterAll(async () => {
    await sim?.stop();
  });

  const definition = (t: AppTree, name: string) => t.variables.find((v) => v.qName === name)?.qDefinition;

  it("the parameters file sets what each environment of the app needs", () => {
    const params = parseParameters(sample("parameters.yml"), "config/parameters.yml");
    expect(Object.keys(params.environments)).toEqual(["test", "acceptance", "production"]);
    for (const environment of Object.keys(params.environments)) {
      const resolved = resolveParameters(params, environment, PARAMETER_ENV, { required: true });
      const applied = applyParameters(tree, resolved, "config/parameters.yml");
      expect(definition(applied.tree, "vTopN")).toBe(resolved.variables.vTopN);
      expect(definition(applied.tree, "vSalesTarget")).toBe(resolved.variables.vSalesTarget);
      expect(applied.tree.connections.find((c) => c.name === "SalesData")?.connectionString).toBe(
        resolved.connections.SalesData.connectionString,
      );
    }
    const production = applyParameters(tree, resolveParameters(params, "production", PARAMETER_ENV));
    expect(production.credentials.get("SalesData")).toEqual({
      username: "svc-sales",
      password: "sample-password-not-real",
    });
    // Credentials stay out of the app's files.
    expect([...production.tree.fileTexts().values()].join("\n")).not.toContain("sample-password-not-real");
  });

  it("the inventory's parameters fit the app on every tenant", () => {
    const inventory = parseInventory(sample("tenants.json"), "config/tenants.json", {
      ...Object.fromEntries(keyVariables().map((k) => [k, "k"])),
    });
    for (const tenant of inventory.tenants) {
      const yaml = tenantParametersYaml(inventory, tenant);
      expect(yaml).toBeDefined();
      const resolved = resolveParameters(parseParameters(yaml!, "tenant"), tenant.name, {});
      expect(() => applyParameters(tree, resolved)).not.toThrow();
    }
  });

  it("the app lints clean with the lint config", async () => {
    const config = parseLintConfig(sample(".qlik-lint.yml"), "config/.qlik-lint.yml");
    expect(config.rules?.["script-variable-redefined"]).toBe("off");
    const result = await lintAppTree(appDir, config);
    expect(result.findings.filter((f) => f.severity === "error")).toEqual([]);
  });
});
