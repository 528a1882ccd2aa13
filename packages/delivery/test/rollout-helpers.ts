// Shared by the rollout tests: a simulator estate, an inventory for it, source versions, inspection.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import { QlikClient } from "@qlik-cicd/qlik-client";
import type { RunningSimulator } from "@qlik-cicd/simulator";

export const APP = "Customer Analytics";

/** Writes v1 and v2 (v1 plus a `TRACE v2;` line) of the seeded demo app into `dir`. */
export async function writeSources(sim: RunningSimulator, dir: string): Promise<{ v1: string; v2: string }> {
  const t = sim.description.tenants[0];
  const client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
  try {
    const res = await client.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
      getItems({ resourceType: "app", limit: 100 }, opts),
    );
    const appId = res.data.data.find((i) => i.name === "Sales Analytics")?.resourceId as string;
    const tree = await client.withApp(appId, (doc) => unbuildApp(doc));
    const v1 = join(dir, "v1");
    const v2 = join(dir, "v2");
    await writeAppTree(v1, tree);
    await writeAppTree(v2, new AppTree({ ...tree.content, script: `${tree.content.script}\nTRACE v2;\n` }));
    return { v1, v2 };
  } finally {
    await client.close();
  }
}

/** An inventory of the simulator's tenants (API keys in SIM_KEY_<n>) and the env that goes with it. */
export function writeInventory(
  sim: RunningSimulator,
  file: string,
  labels: (index: number) => string[] = () => [],
): { env: Record<string, string>; names: string[] } {
  const env: Record<string, string> = {};
  const lines = ["version: 1", "tenants:"];
  sim.description.tenants.forEach((t, i) => {
    const key = `SIM_KEY_${i + 1}`;
    env[key] = t.apiKey;
    lines.push(
      `  - name: ${t.name}`,
      `    url: ${t.url}`,
      `    region: ${t.region}`,
      `    labels: [${labels(i).join(", ")}]`,
      `    credentials: { apiKeyEnv: ${key} }`,
      `    parameters:`,
      `      variables: { vTopN: "${5 + (i % 10)}" }`,
    );
  });
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${lines.join("\n")}\n`);
  return { env, names: sim.description.tenants.map((t) => t.name) };
}

/** Apps named APP in each space of a tenant, from the simulator's own state. */
export function appsBySpace(sim: RunningSimulator, tenant: string, name = APP): Record<string, string[]> {
  const state = sim.control.state(tenant);
  const spaceName = new Map(state.spaces.map((s) => [s.id, s.name]));
  const out: Record<string, string[]> = {};
  for (const app of state.apps) {
    if (app.name !== name) continue;
    const space = spaceName.get(app.spaceId ?? "") ?? "(personal)";
    (out[space] ??= []).push(app.id);
  }
  return out;
}

/** Successful publish requests (POST publish = first publish, PUT publish = republish). */
export function publishCounts(sim: RunningSimulator, tenant: string): { publish: number; republish: number } {
  const log = sim.control.requestLog(tenant);
  const ok = (e: { status: number | "dropped" }) => typeof e.status === "number" && e.status < 300;
  return {
    publish: log.filter((e) => e.method === "POST" && /\/publish$/.test(e.path) && ok(e)).length,
    republish: log.filter((e) => e.method === "PUT" && /\/publish$/.test(e.path) && ok(e)).length,
  };
}

/** The script of the app consumers use in `space`. */
export async function scriptOf(sim: RunningSimulator, tenant: string, space = "production"): Promise<string> {
  const ids = appsBySpace(sim, tenant)[space] ?? [];
  if (ids.length !== 1) throw new Error(`${tenant}: ${ids.length} apps in ${space}`);
  return sim.control.document(tenant, ids[0]).script;
}
