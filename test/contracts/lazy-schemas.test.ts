// Loading the libraries compiles no JSON schema: each config file's schema is compiled the first time a
// file of its kind is validated, once, by the one Ajv in @qlik-cicd/common, so an action that validates
// nothing pays nothing for them.
import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";

describe("schemas are compiled on first use", () => {
  it("not when the libraries are imported, then once per kind of file", async () => {
    const compiled: unknown[] = [];
    const original = Ajv.prototype.compile;
    Ajv.prototype.compile = function (this: Ajv, ...args: Parameters<Ajv["compile"]>) {
      compiled.push((args[0] as { title?: string }).title);
      return original.apply(this, args);
    } as Ajv["compile"];
    try {
      const { parseInventory, parseParameters } = await import("@qlik-cicd/delivery");
      const { parseBlueprint } = await import("@qlik-cicd/tenant");
      const { loadLintConfig, validateLintConfig } = await import("@qlik-cicd/app-files");
      expect(compiled).toHaveLength(0);

      const inventory =
        "tenants:\n  - name: acme\n    url: https://acme.eu.qlikcloud.com\n    credentials: { apiKeyEnv: K }\n";
      parseInventory(inventory, "tenants.yml", { K: "key" });
      parseInventory(inventory, "tenants.yml", { K: "key" });
      expect(compiled).toEqual(["Qlik Cloud tenant inventory"]);

      parseBlueprint("version: 1\n", "tenant.yml");
      parseBlueprint("version: 1\n", "tenant.yml");
      parseParameters("defaults: { variables: { vA: x } }\n", "parameters.yml");
      parseParameters("environments: {}\n", "parameters.yml");
      const file = join(mkdtempSync(join(tmpdir(), "lazy-schemas-")), ".qlik-lint.yml");
      writeFileSync(file, "rules: { object-empty-sheet: off }\n");
      await loadLintConfig(file);
      validateLintConfig({ knownVariables: ["vA"] });
      expect(compiled).toEqual([
        "Qlik Cloud tenant inventory",
        "Qlik Cloud tenant blueprint",
        "Qlik app deploy parameters",
        "Qlik app lint configuration (.qlik-lint.yml)",
      ]);
    } finally {
      Ajv.prototype.compile = original;
    }
  });
});
