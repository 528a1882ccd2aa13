// evaluate-app end to end: the bundled action run as the runner runs it (`node dist/index.js` with INPUT_*
// variables), against the simulator started in this process. Build first: `node scripts/build-actions.ts evaluate-app`.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishApp } from "@qlik/api/apps";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree, type JsonObject, type ObjectEntry } from "@qlik-cicd/app-files";
import { sleep } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { publishSheets } from "../../../packages/delivery/src/evaluation/index.ts";
import { runBundledAction, type ActionRun } from "../../../test/helpers/run-bundled-action.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let tenant: { url: string; apiKey: string; name: string };
let client: QlikClient;
let work: string;
let devId: string;
let heavyChartId: string;

async function spaceId(name: string): Promise<string> {
  const res = await client.fetch({
    tier: "read",
    method: "GET",
    resource: "/api/v1/spaces",
    url: "/api/v1/spaces?limit=100",
  });
  return (res.data.data as { id: string; name: string }[]).find((s) => s.name === name)?.id ?? "";
}

async function appsIn(spaceName: string): Promise<{ name: string; appId: string }[]> {
  const id = await spaceId(spaceName);
  if (!id) return [];
  const res = await client.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
    getItems({ resourceType: "app", spaceId: id, limit: 100 }, opts),
  );
  return res.data.data.map((i) => ({ name: i.name, appId: i.resourceId as string }));
}

function evaluate(
  inputs: Record<string, string | number | boolean | undefined>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  return runBundledAction("evaluate-app", {
    inputs: {
      "tenant-url": tenant.url,
      "api-key": tenant.apiKey,
      passes: 2,
      "timeout-minutes": 1,
      ...inputs,
    },
    env,
    workspace: work,
  });
}

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    timings: { evaluationMs: 30, reloadMs: 20, publishAccessWindowMs: 30 },
  });
  tenant = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: tenant.url, apiKey: tenant.apiKey });
  work = mkdtempSync(join(tmpdir(), "evaluate-app-action-"));
  devId = (await appsIn("development")).find((a) => a.name === "Sales Analytics")?.appId as string;
  await client.withApp(devId, (doc) => publishSheets(doc));
  const production = await spaceId("production");
  await client.call({ tier: "write", method: "POST", resource: "/api/v1/apps/{id}/publish" }, (opts) =>
    publishApp(devId, { spaceId: production, data: "source", attributes: { name: "Sales Analytics" } }, opts),
  );
  await sleep(60);

  // The pull request's files, and the same files with a much heavier chart.
  const tree = await client.withApp(devId, (doc) => unbuildApp(doc));
  await writeAppTree(join(work, "apps", "sales"), tree);
  const sheet = tree.objects.find(
    (o) => (o.qProperty.qInfo as { qType?: string }).qType === "sheet" && o.qChildren.length,
  ) as ObjectEntry;
  const chart = sheet.qChildren.find((c) => c.qProperty.qHyperCubeDef) as ObjectEntry;
  heavyChartId = (chart.qProperty.qInfo as { qId: string }).qId;
  const cube = chart.qProperty.qHyperCubeDef as JsonObject;
  const heavy = [1, 2, 3].map((i) => ({
    qDef: {
      qDef: `Sum(Aggr(If(Sum(Sales) > ${i}, Avg(Aggr(Sum(Quantity * UnitPrice), CustomerID, ProductID)), 0), CustomerID, OrderDate))`,
      qLabel: `Heavy ${i}`,
    },
  }));
  const heavier: ObjectEntry = {
    ...chart,
    qProperty: {
      ...chart.qProperty,
      qHyperCubeDef: { ...cube, qMeasures: [...(cube.qMeasures as JsonObject[]), ...heavy] },
    },
  };
  const objects = tree.objects.map((o) =>
    o === sheet ? { ...o, qChildren: o.qChildren.map((c) => (c === chart ? heavier : c)) } : o,
  );
  await writeAppTree(join(work, "apps", "sales-heavy"), new AppTree({ ...tree.content, objects }));
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("evaluate-app (bundled action against the simulator)", () => {
  let firstReport = "";

  it("evaluates a pull request's files against production, passes, writes outputs, report and summary", async () => {
    const run = await evaluate({ source: "apps/sales", "report-path": "out/report.json" });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe("pass");
    expect(run.outputs["evaluation-id"]).toMatch(/^\w+$/);
    expect(run.outputs["baseline-evaluation-id"]).toMatch(/^\w+$/);
    expect(run.outputs.report).toBe(join(work, "out", "report.json"));
    const text = readFileSync(run.outputs.report, "utf8");
    const report = JSON.parse(text);
    expect(Object.keys(report)).toEqual([...Object.keys(report)].sort());
    expect(text.endsWith("}\n")).toBe(true);
    expect(report.gate.verdict).toBe("pass");
    expect(report.current.evaluationIds).toHaveLength(2);
    expect(report.current.evaluationIds.at(-1)).toBe(run.outputs["evaluation-id"]);
    expect(report.baseline.kind).toBe("auto");
    // Two fresh baseline evaluations, run one after the other: the output is the newer (the second).
    const baseline = report.baseline.evaluations as { id: string; ended: string }[];
    expect(baseline).toHaveLength(2);
    expect(Date.parse(baseline[1].ended)).toBeGreaterThan(Date.parse(baseline[0].ended));
    expect(run.outputs["baseline-evaluation-id"]).toBe(baseline[1].id);
    expect(run.summary).toContain("### ✅ Performance gate passed: Sales Analytics");
    expect(run.summary).toContain("| Object | Type | Sheet | Baseline | Now | Change |");
    expect(run.summary).toContain("a temporary app built from `apps/sales` (deleted after the run)");
    expect(report.app.source).toBe("apps/sales");
    // The temporary app is gone; no secret anywhere.
    expect(await appsIn("ci-scratch")).toEqual([]);
    const logged = run.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::")) // the masking command itself is how the runner learns the secret
      .join("\n");
    expect(run.stdout).toContain(`::add-mask::${tenant.apiKey}`);
    for (const out of [logged, run.stderr, run.summary, text]) expect(out).not.toContain(tenant.apiKey);
    firstReport = run.outputs.report;
  });

  it("fails the step on a heavier chart with one sentence naming it, compared with the saved report", async () => {
    const run = await evaluate({ source: "apps/sales-heavy", baseline: "out/report.json" });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe("fail");
    expect(run.errors).toHaveLength(1);
    // Workflow commands encode % as %25; the runner decodes it.
    expect(decodeURIComponent(run.errors[0])).toMatch(
      /^evaluate-app failed: Performance gate failed for app 'Sales Analytics': Object '.+' \(\w+\) went from \d+ ms to \d+ ms \(\+\d+ %, \+\d+ ms\), more than the 20 % allowed\.$/,
    );
    const report = JSON.parse(readFileSync(run.outputs.report, "utf8"));
    expect(report.baseline.kind).toBe("report");
    expect(report.baseline.evaluationIds).toEqual(
      JSON.parse(readFileSync(firstReport, "utf8")).current.evaluationIds,
    );
    expect(report.gate.regressions[0].objectId).toBe(heavyChartId);
    expect(run.summary).toContain("### ❌ Performance gate failed: Sales Analytics");
    expect(run.summary).toContain("**Regressions (1)**");
    expect(await appsIn("ci-scratch")).toEqual([]);
  });

  it("rejects missing input with one sentence naming the fields and changes nothing", async () => {
    const before = JSON.stringify(sim.control.state(tenant.name).apps);
    const run = await evaluate({ passes: undefined });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "evaluate-app failed: Set exactly one of 'app-id', 'space' (with 'app-name') or 'source' to choose what to evaluate.",
    ]);
    const badPasses = await evaluate({ "app-id": devId, passes: 0 });
    expect(badPasses.errors).toEqual([
      "evaluate-app failed: Input 'passes' must be a whole number from 1 to 10, got '0'.",
    ]);
    expect(JSON.stringify(sim.control.state(tenant.name).apps)).toBe(before);
  });
});
