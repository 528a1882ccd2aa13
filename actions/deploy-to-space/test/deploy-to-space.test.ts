// deploy-to-space end to end: the bundled action run as the runner runs it, against the simulator
// started in this process. Tests run in order and build on each other (first deploy, redeploy, …).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getItems } from "@qlik/api/items";
import { createSpace } from "@qlik/api/spaces";
import { noAppFolderError, readAppTree, unbuildApp, writeAppTree, type AppTree } from "@qlik-cicd/app-files";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { runBundledAction, type ActionRun } from "../../../test/helpers/run-bundled-action.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;

let sim: Sim;
let tenant: { url: string; apiKey: string; name: string };
let client: QlikClient;
let work: string;
let sourceDir: string;
let noSheetDir: string;
let brokenDir: string;
let removedSheetId: string;

async function appIdByName(spaceName: string, name: string): Promise<string | undefined> {
  const spaces = await client.fetch({
    tier: "read",
    method: "GET",
    resource: "/api/v1/spaces",
    url: "/api/v1/spaces?limit=100",
  });
  const space = (spaces.data.data as { id: string; name: string }[]).find((s) => s.name === spaceName);
  if (!space) return undefined;
  const res = await client.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
    getItems({ resourceType: "app", spaceId: space.id, limit: 100 }, opts),
  );
  return res.data.data.find((i) => i.name === name)?.resourceId;
}

async function unbuild(appId: string): Promise<AppTree> {
  return client.withApp(appId, (doc) => unbuildApp(doc));
}

/** Everything a deploy could change, from the simulator's control API (request counters excluded). */
function tenantState(): string {
  const { apps, spaces, assignments, items, reloads, docs } = sim.control.state(tenant.name);
  return JSON.stringify({ apps, spaces, assignments, items, reloads, docs });
}

function deploy(
  inputs: Record<string, string | boolean | undefined>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  return runBundledAction("deploy-to-space", {
    inputs: { "tenant-url": tenant.url, "api-key": tenant.apiKey, ...inputs },
    env,
    workspace: work,
  });
}

function sheetIds(tree: AppTree): string[] {
  return tree.objects
    .filter((o) => (o.qProperty.qInfo as { qType?: string }).qType === "sheet")
    .map((o) => (o.qProperty.qInfo as { qId: string }).qId)
    .sort();
}

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  tenant = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: tenant.url, apiKey: tenant.apiKey });
  work = mkdtempSync(join(tmpdir(), "deploy-to-space-"));

  // The source: the seeded development app, unbuilt into files.
  const devAppId = await appIdByName("development", "Sales Analytics");
  expect(devAppId).toBeDefined();
  sourceDir = join(work, "apps", "sales");
  await writeAppTree(sourceDir, await unbuild(devAppId as string));
  // The same app with one sheet removed.
  noSheetDir = join(work, "apps", "sales-no-sheet");
  cpSync(sourceDir, noSheetDir, { recursive: true });
  const sheetFiles = readdirSync(join(noSheetDir, "objects"))
    .filter((f) => f.startsWith("sheet-"))
    .sort();
  expect(sheetFiles.length).toBeGreaterThan(1);
  removedSheetId = sheetIds(await readAppTree(sourceDir)).find((id) =>
    sheetFiles.at(-1)!.includes(id),
  ) as string;
  expect(removedSheetId).toBeDefined();
  rmSync(join(noSheetDir, "objects", sheetFiles.at(-1)!));

  // The same app with a script that fails to reload.
  brokenDir = join(work, "apps", "sales-broken");
  cpSync(sourceDir, brokenDir, { recursive: true });
  const script = readFileSync(join(brokenDir, "script.qvs"), "utf8");
  writeFileSync(
    join(brokenDir, "script.qvs"),
    `${script}\nBroken:\nLOAD * FROM [lib://NoSuchConnection/missing.qvd] (qvd);\n`,
  );
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("deploy-to-space (bundled action against the simulator)", () => {
  let testPublishedId = "";

  it("first deploy to a managed space: stages, publishes, reloads and verifies", async () => {
    const run = await deploy({ source: "apps/sales", space: "test" });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changed).toBe("true");
    expect(run.outputs["published-app-id"]).toMatch(/\S/);
    expect(run.outputs["app-id"]).not.toBe(run.outputs["published-app-id"]);
    expect(run.outputs["reload-status"]).toBe("SUCCEEDED");
    expect(run.outputs["app-url"]).toContain(run.outputs["published-app-id"]);
    const plan = JSON.parse(run.outputs.plan);
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual(
      expect.arrayContaining([
        "create-space",
        "create-app",
        "build",
        "make-public",
        "publish",
        "reload",
        "verify",
      ]),
    );
    expect(run.summary).toContain("### Deployed: Sales Analytics → test");
    expect(run.summary).toContain("| Reload | SUCCEEDED");
    // The audit table follows its heading after a blank line, or GitHub shows it as raw `| … |` text.
    expect(run.summary).toMatch(
      /<h3>Audit trail<\/h3>\n\n\| tenant \| operation \| succeeded \| failed \|\n\| --- \|/,
    );
    testPublishedId = run.outputs["published-app-id"];
    // The staging app lives in the created shared staging space; the published copy in test.
    expect(await appIdByName("test-staging", "Sales Analytics")).toBe(run.outputs["app-id"]);
    expect(await appIdByName("test", "Sales Analytics")).toBe(testPublishedId);
    expect(sheetIds(await unbuild(testPublishedId))).toEqual(sheetIds(await readAppTree(sourceDir)));
  });

  it("redeploying the same source changes nothing", async () => {
    const run = await deploy({ source: "apps/sales", space: "test" });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changed).toBe("false");
    expect(run.outputs["published-app-id"]).toBe(testPublishedId);
    expect(run.outputs["reload-id"]).toBe("");
    expect(JSON.parse(run.outputs.plan).steps).toEqual([]);
    expect(run.summary).toContain("No changes");
  });

  it("a sheet removed from the files is removed from the target, which keeps its id", async () => {
    const run = await deploy({ source: "apps/sales-no-sheet", space: "test" });
    expect(run.errors).toEqual([]);
    expect(run.outputs.changed).toBe("true");
    expect(run.outputs["published-app-id"]).toBe(testPublishedId);
    const plan = JSON.parse(run.outputs.plan);
    expect(plan.changes).toContainEqual(expect.objectContaining({ change: "remove", kind: "sheet" }));
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toContain("republish");
    const ids = sheetIds(await unbuild(testPublishedId));
    expect(ids).not.toContain(removedSheetId);
    expect(ids.length).toBeGreaterThan(0);
  });

  it("promotes test → acceptance → production; republish keeps the production app id", async () => {
    const acc = await deploy({ source: "apps/sales", space: "acceptance" });
    expect(acc.exitCode).toBe(0);
    const prod1 = await deploy({ source: "apps/sales", space: "production" });
    expect(prod1.errors).toEqual([]);
    const productionId = prod1.outputs["published-app-id"];
    expect(productionId).toMatch(/\S/);
    expect(productionId).not.toBe(acc.outputs["published-app-id"]);

    const prod2 = await deploy({
      source: "apps/sales-no-sheet",
      space: "production",
    });
    expect(prod2.errors).toEqual([]);
    expect(prod2.outputs.changed).toBe("true");
    expect(prod2.outputs["published-app-id"]).toBe(productionId);
    expect(sheetIds(await unbuild(productionId))).not.toContain(removedSheetId);
  });

  it("a failed reload fails the step with the reload log's error lines", async () => {
    const run = await deploy({ source: "apps/sales-broken", space: "test", "app-name": "Sales Broken" });
    expect(run.exitCode).toBe(1);
    expect(run.outputs["reload-status"]).toBe("FAILED");
    expect(run.errors.join("\n")).toContain("NoSuchConnection");
    expect(run.summary).toContain("Deploy failed: reload FAILED");
  });

  it("dry run shows the plan and changes nothing on the tenant (not even the staging space)", async () => {
    await client.call({ tier: "write", method: "POST", resource: "/api/v1/spaces" }, (opts) =>
      createSpace({ name: "sandbox", type: "managed" }, opts),
    );
    const before = tenantState();
    const run = await deploy({ source: "apps/sales-no-sheet", space: "acceptance", "dry-run": true });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changed).toBe("true");
    expect(run.summary).toContain("dry run: nothing was changed");
    expect(JSON.parse(run.outputs.plan).changes).toContainEqual(
      expect.objectContaining({ change: "remove", kind: "sheet" }),
    );
    const fresh = await deploy({ source: "apps/sales", space: "sandbox", "dry-run": true });
    expect(fresh.exitCode).toBe(0);
    expect(JSON.parse(fresh.outputs.plan).steps.map((s: { kind: string }) => s.kind)).toEqual(
      expect.arrayContaining(["create-space", "create-app", "publish"]),
    );
    expect(tenantState()).toBe(before);
  });

  it("an unknown space fails with one sentence listing nearby names", async () => {
    const run = await deploy({ source: "apps/sales", space: "tset" });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain("Space 'tset' was not found on tenant");
    expect(run.errors[0]).toContain("Did you mean 'test'?");
  });

  it("applies per-environment parameters; a missing secret reference names the variable and the file", async () => {
    const tree = await readAppTree(sourceDir);
    const variable = tree.variables[0]?.qName as string | undefined;
    const connection = tree.connections[0]?.name;
    expect(variable ?? connection).toBeDefined();
    const env: string[] = ["environments:", "  test:"];
    if (variable) env.push("    variables:", `      ${JSON.stringify(variable)}: "from-parameters"`);
    if (connection) {
      env.push(
        "    connections:",
        `      ${JSON.stringify(connection)}:`,
        "        username: { env: DB_USER }",
        "        password: { secret: DB_PASS }",
      );
    }
    writeFileSync(join(work, "params.yml"), `${env.join("\n")}\n`);

    if (connection) {
      const missing = await deploy(
        { source: "apps/sales", space: "test", parameters: "params.yml" },
        { DB_USER: "svc" },
      );
      expect(missing.exitCode).toBe(1);
      expect(missing.errors[0]).toContain("'DB_PASS'");
      expect(missing.errors[0]).toContain("params.yml");
    }

    const password = "pa55-Word-never-shown";
    const ok = await deploy(
      { source: "apps/sales", space: "test", parameters: "params.yml" },
      { DB_USER: "svc-user", DB_PASS: password },
    );
    expect(ok.errors).toEqual([]);
    expect(ok.exitCode).toBe(0);
    // The only place the value may appear is the runner's own mask command.
    const stdout = ok.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(ok.stdout).toContain(`::add-mask::${password}`);
    for (const text of [stdout, ok.stderr, ok.summary, JSON.stringify(ok.outputs)])
      expect(text).not.toContain(password);
    if (variable) {
      const deployed = await unbuild(ok.outputs["published-app-id"]);
      expect(deployed.variable(variable)?.qDefinition).toBe("from-parameters");
    }
  });

  it("a missing referenced variable fails before anything changes", async () => {
    writeFileSync(
      join(work, "params-missing.yml"),
      "environments:\n  test:\n    variables:\n      vNope: { env: NOT_SET_ANYWHERE }\n",
    );
    const run = await deploy({ source: "apps/sales", space: "test", parameters: "params-missing.yml" });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain("'NOT_SET_ANYWHERE'");
    expect(run.errors[0]).toContain("params-missing.yml");
  });

  it("refuses a source with no app files (dry run too) with validate-app's sentence, changing nothing", async () => {
    mkdirSync(join(work, "docs"), { recursive: true });
    writeFileSync(join(work, "docs", "README.md"), "# Not an app\n");
    const before = tenantState();
    for (const inputs of [
      { source: "docs", "app-name": "X", "dry-run": true },
      { source: "docs", "app-name": "X" },
      { source: "apps", "app-name": "X", "dry-run": true },
    ]) {
      const run = await deploy({ ...inputs, space: "test" });
      expect([inputs, run.exitCode]).toEqual([inputs, 1]);
      expect(run.errors).toHaveLength(1);
      const sentence = noAppFolderError(join(work, inputs.source), "source").message;
      expect(sentence).toMatch(
        /^No app folder found at '.+' \(in 'source'\): expected a folder with config\.yml or script\.qvs\.$/,
      );
      expect(run.errors[0]).toContain(`deploy-to-space failed: ${sentence}`);
      expect(run.outputs.plan).toBeUndefined();
    }
    // A folder of app folders: the hint names them.
    const parent = await deploy({ source: "apps", "app-name": "X", space: "test" });
    expect(parent.errors[0]).toContain(
      "It holds app folders ('sales', 'sales-broken', 'sales-no-sheet'); name one of them.",
    );
    expect(tenantState()).toBe(before);
  });
});
