// Loading the libraries compiles no JSON schema: the inventory and blueprint schemas are compiled the
// first time a file is validated, once, so an action that validates nothing pays nothing for them.
import { describe, expect, it } from "@jest/globals";
import { Ajv } from "ajv";

describe("schemas are compiled on first use", () => {
  it("not when @qlik-cicd/delivery and @qlik-cicd/tenant are imported, then once each", async () => {
    const compiled: unknown[] = [];
    const original = Ajv.prototype.compile;
    Ajv.prototype.compile = function (this: Ajv, ...args: Parameters<Ajv["compile"]>) {
      compiled.push((args[0] as { title?: string }).title);
      return original.apply(this, args);
    } as Ajv["compile"];
    try {
      const { parseInventory } = await import("@qlik-cicd/delivery");
      const { parseBlueprint } = await import("@qlik-cicd/tenant");
      expect(compiled).toHaveLength(0);

      const inventory =
        "tenants:\n  - name: acme\n    url: https://acme.eu.qlikcloud.com\n    credentials: { apiKeyEnv: K }\n";
      parseInventory(inventory, "tenants.yml", { K: "key" });
      parseInventory(inventory, "tenants.yml", { K: "key" });
      expect(compiled).toHaveLength(1);

      parseBlueprint("version: 1\n", "tenant.yml");
      parseBlueprint("version: 1\n", "tenant.yml");
      expect(compiled).toHaveLength(2);
    } finally {
      Ajv.prototype.compile = original;
    }
  });
});
