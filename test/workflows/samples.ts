// The samples users copy (workflows-examples/config/). The tests of the example workflows commit them to
// the test repository as they are, swapping in only what names this simulator: each tenant's address and
// the pipeline's own user.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { repoRoot } from "./runner.ts";

export const SAMPLES_DIR = join(repoRoot, "workflows-examples", "config");

/** A sample's text, e.g. `sample("tenants.json")`. */
export function sample(name: string): string {
  return readFileSync(join(SAMPLES_DIR, name), "utf8");
}

export interface SampleTenant {
  name: string;
  url: string;
  credentials: { apiKeyEnv: string };
}

/** The tenants of the sample inventory, in the file's order. */
export function sampleTenants(): SampleTenant[] {
  return (JSON.parse(sample("tenants.json")) as { tenants: SampleTenant[] }).tenants;
}

/** The sample inventory with the tenants, in order, at these addresses. */
export function sampleInventory(urls: readonly string[]): string {
  const inventory = JSON.parse(sample("tenants.json")) as { tenants: SampleTenant[] };
  if (urls.length < inventory.tenants.length) {
    throw new Error(
      `The sample inventory lists ${inventory.tenants.length} tenants; ${urls.length} addresses given.`,
    );
  }
  inventory.tenants.forEach((t, i) => (t.url = urls[i]));
  return `${JSON.stringify(inventory, null, 2)}\n`;
}

/** The sample blueprint with these users as the pipeline's service accounts (comments kept). */
export function sampleBlueprint(serviceAccounts: readonly string[]): string {
  const doc = parseDocument(sample("blueprint.yml"));
  if (!doc.has("serviceAccounts")) throw new Error("The sample blueprint lists no serviceAccounts.");
  doc.set("serviceAccounts", doc.createNode([...serviceAccounts], { flow: true }));
  return doc.toString();
}
