// evaluateApp in-process against the simulator (whose evaluations carry seeded noise of a few percent):
// baseline auto in production, ten unchanged runs, the ms floor, a PR's files as a temporary app that is
// always deleted, a heavier chart failing the gate, a timeout, and warnings for apps without public sheets.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, publishApp } from "@qlik/api/apps";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree, type JsonObject, type ObjectEntry } from "@qlik-cicd/app-files";
import { ConfigError, MemoryLogger, sleep } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import {
  EvaluationTimeoutError,
  evaluateApp,
  failureSentence,
  publishSheets,
  type EvaluationReport,
  renderEvaluationMarkdown,
  writeEvaluationReport,
  type EvaluateAppOptions,
} from "../src/evaluation/index.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let tenantName: string;
let client: QlikClient;
let work: string;
let devId: string;
let prodId: string;
let sourceDir: string;
let heavyDir: string;
let heavyChartId: string;

const fast: Partial<EvaluateAppOptions> = { pollIntervalMs: 20, timeoutMinutes: 1 };

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

/** The first chart of the first sheet, made much heavier: measures with nested Aggr() over big fields. */
function withHeavierChart(tree: AppTree): { tree: AppTree; chartId: string } {
  const sheets = [...tree.objects].sort((a, b) =>
    JSON.stringify(a.qProperty.qInfo).localeCompare(JSON.stringify(b.qProperty.qInfo)),
  );
  const sheet = sheets.find(
    (o) => (o.qProperty.qInfo as { qType?: string }).qType === "sheet" && o.qChildren.length,
  );
  if (!sheet) throw new Error("the source has no sheet with charts");
  const chart = sheet.qChildren.find((c) => c.qProperty.qHyperCubeDef) as ObjectEntry;
  const chartId = (chart.qProperty.qInfo as { qId: string }).qId;
  const cube = chart.qProperty.qHyperCubeDef as JsonObject;
  const heavy = (i: number) => ({
    qDef: {
      qDef: `Sum(Aggr(If(Sum(Sales) > ${i}, Avg(Aggr(Sum({<Region=>} Quantity * UnitPrice), CustomerID, ProductID)), 0), CustomerID, OrderDate))`,
      qLabel: `Heavy ${i}`,
    },
    qSortBy: { qSortByNumeric: -1 },
  });
  const heavierChart: ObjectEntry = {
    ...chart,
    qProperty: {
      ...chart.qProperty,
      qHyperCubeDef: {
        ...cube,
        qMeasures: [...(cube.qMeasures as JsonObject[]), heavy(1), heavy(2), heavy(3)],
      },
    },
  };
  const objects = tree.objects.map((o) =>
    o === sheet ? { ...o, qChildren: o.qChildren.map((c) => (c === chart ? heavierChart : c)) } : o,
  );
  return { tree: new AppTree({ ...tree.content, objects }), chartId };
}

/** The id of the evaluation that ended last, read from the evaluations' own times. */
function newestId(evaluations: readonly { id: string; ended?: string }[]): string {
  const sorted = [...evaluations].sort((a, b) => Date.parse(b.ended!) - Date.parse(a.ended!));
  expect(sorted.every((e) => Number.isFinite(Date.parse(e.ended!)))).toBe(true);
  expect(Date.parse(sorted[0].ended!)).toBeGreaterThan(Date.parse(sorted[1].ended!));
  return sorted[0].id;
}

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    timings: { evaluationMs: 30, reloadMs: 20, publishAccessWindowMs: 30 },
  });
  const t = sim.description.tenants[0];
  tenantName = t.name;
  // Qlik's real per-minute limits would make this suite wait on the client's own limiter.
  client = new QlikClient(
    { tenantUrl: t.url, apiKey: t.apiKey },
    { rateLimits: { read: 100_000, write: 100_000, reload: 100_000 } },
  );
  work = mkdtempSync(join(tmpdir(), "evaluation-sim-"));
  devId = (await appsIn("development")).find((a) => a.name === "Sales Analytics")?.appId as string;
  expect(devId).toBeDefined();

  // The development app's sheets are private in the seed: make them public so it can be evaluated.
  await client.withApp(devId, (doc) => publishSheets(doc));
  // Production holds the published copy (the baseline for `auto`).
  const productionSpace = await spaceId("production");
  const published = await client.call(
    { tier: "write", method: "POST", resource: "/api/v1/apps/{id}/publish" },
    (opts) =>
      publishApp(
        devId,
        { spaceId: productionSpace, data: "source", attributes: { name: "Sales Analytics" } },
        opts,
      ),
  );
  prodId = published.data.attributes?.id as string;
  await sleep(60); // the publish access window

  const tree = await client.withApp(devId, (doc) => unbuildApp(doc));
  sourceDir = join(work, "sales");
  await writeAppTree(sourceDir, tree);
  const heavier = withHeavierChart(tree);
  heavyChartId = heavier.chartId;
  heavyDir = join(work, "sales-heavy");
  await writeAppTree(heavyDir, heavier.tree);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("evaluateApp against the simulator", () => {
  let firstReport: EvaluationReport | undefined;

  it("baseline auto finds the app of the same name in production and evaluates it", async () => {
    const logger = new MemoryLogger();
    const result = await evaluateApp(client, { ...fast, appId: devId }, { logger });
    expect(result.report.baseline.kind).toBe("auto");
    expect(result.report.baseline.appId).toBe(prodId);
    expect(result.report.baseline.space).toBe("production");
    expect(result.report.baseline.reused).toBe(0);
    expect(result.report.baseline.evaluations).toHaveLength(3);
    expect(result.report.current.evaluations).toHaveLength(3);
    expect(result.report.baseline.evaluations.every((e) => e.appId === prodId)).toBe(true);
    expect(result.report.current.evaluations.every((e) => e.appId === devId)).toBe(true);
    expect(result.verdict).toBe("pass");
    expect(result.gate.objects.length).toBeGreaterThan(3);
    expect(result.gate.objects.every((o) => o.status === "changed" && o.baselineMs! > 0)).toBe(true);
    expect(result.evaluationId).toBe(result.report.current.evaluationIds[2]);
    // Three fresh evaluations, run one after the other: the newest is the last (it was the first).
    expect(result.baselineEvaluationId).toBe(newestId(result.report.baseline.evaluations));
    expect(result.baselineEvaluationId).toBe(result.report.baseline.evaluationIds[2]);
    expect(result.warnings).toEqual([]);
    firstReport = result.report;
    const md = renderEvaluationMarkdown(result.report);
    expect(md).toContain("Performance gate passed: Sales Analytics");
    expect(md).toContain("| Object | Type | Sheet | Baseline | Now | Change |");
  });

  it("an unchanged app passes ten runs out of ten, reusing the recent baseline evaluations", async () => {
    const verdicts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await evaluateApp(client, { ...fast, appId: devId }, { logger: new MemoryLogger() });
      expect(result.report.baseline.reused).toBe(3);
      // Reused evaluations are listed newest first.
      expect(result.baselineEvaluationId).toBe(newestId(result.report.baseline.evaluations));
      expect(result.baselineEvaluationId).toBe(result.report.baseline.evaluationIds[0]);
      verdicts.push(result.verdict);
    }
    expect(verdicts).toEqual(Array(10).fill("pass"));
  });

  it("baseline-evaluation-id is the newest baseline evaluation when reused and fresh ones are mixed", async () => {
    // Three recent evaluations are reused; a fourth pass runs now and is the newest of all.
    const result = await evaluateApp(
      client,
      { ...fast, appId: devId, passes: 4 },
      { logger: new MemoryLogger() },
    );
    const baseline = result.report.baseline;
    expect(baseline.reused).toBe(3);
    expect(baseline.evaluations).toHaveLength(4);
    const fresh = baseline.evaluationIds[3];
    expect(result.baselineEvaluationId).toBe(fresh);
    expect(result.baselineEvaluationId).toBe(newestId(baseline.evaluations));
    for (const e of baseline.evaluations.slice(0, 3))
      expect(Date.parse(e.ended!)).toBeLessThan(Date.parse(baseline.evaluations[3].ended!));
  });

  it("noise is real, and the min-regression-ms floor keeps it from failing the gate", async () => {
    const strict = await evaluateApp(
      client,
      { ...fast, appId: devId, passes: 1, thresholds: { maxRegressionPercent: 0, minRegressionMs: 0 } },
      { logger: new MemoryLogger() },
    );
    // With no floor and no tolerance, a few percent of seeded noise is a "regression".
    expect(strict.verdict).toBe("fail");
    expect(strict.gate.regressions.every((r) => Math.abs(r.deltaPercent ?? 0) < 10)).toBe(true);
    const floored = await evaluateApp(
      client,
      { ...fast, appId: devId, passes: 1, thresholds: { maxRegressionPercent: 0, minRegressionMs: 50 } },
      { logger: new MemoryLogger() },
    );
    expect(floored.verdict).toBe("pass");
  });

  it("evaluates a pull request's files as a temporary app and deletes it", async () => {
    const logger = new MemoryLogger();
    const before = sim.control.state(tenantName).apps.length;
    const result = await evaluateApp(client, { ...fast, source: sourceDir }, { logger });
    expect(result.verdict).toBe("pass");
    expect(result.report.app.temporary).toBe(true);
    expect(result.report.app.name).toBe("Sales Analytics");
    expect(result.report.baseline.appId).toBe(prodId);
    expect(result.gate.objects.filter((o) => o.status === "changed").length).toBeGreaterThan(3);
    // The scratch space was created, and holds nothing afterwards.
    expect(await spaceId("ci-scratch")).not.toBe("");
    expect(await appsIn("ci-scratch")).toEqual([]);
    const state = sim.control.state(tenantName);
    expect(state.apps.length).toBe(before);
    expect(state.apps.some((a) => a.id === result.report.app.id)).toBe(false);
    expect(logger.text()).toContain(`Deleted the temporary app ${result.report.app.id}`);
  });

  it("a heavier chart fails the gate, naming the chart; the temporary app is deleted too", async () => {
    const result = await evaluateApp(client, { ...fast, source: heavyDir }, { logger: new MemoryLogger() });
    expect(result.verdict).toBe("fail");
    const worst = result.gate.regressions[0];
    expect(worst.kind).toBe("object");
    expect(worst.objectId).toBe(heavyChartId);
    expect(worst.deltaPercent!).toBeGreaterThan(20);
    expect(worst.delta!).toBeGreaterThan(50);
    const row = result.gate.objects.find((o) => o.id === heavyChartId);
    expect(row?.regressed).toBe(true);
    expect(result.gate.objects.filter((o) => o.regressed).map((o) => o.id)).toEqual([heavyChartId]);
    const sentence = failureSentence(result.gate, result.appName);
    expect(sentence).toMatch(
      /^Performance gate failed for app 'Sales Analytics': Object '.+' \(\w+\) went from \d+ ms to \d+ ms/,
    );
    expect(await appsIn("ci-scratch")).toEqual([]);
    const md = renderEvaluationMarkdown(result.report);
    expect(md).toContain("❌");
    expect(md).toContain("**Regressions (1)**");
  });

  it("an evaluation that does not finish in time fails with a clear error, and the temporary app is still deleted", async () => {
    sim.control.setTimings({ evaluationMs: 60_000 });
    try {
      const error = await evaluateApp(
        client,
        { ...fast, source: sourceDir, timeoutMinutes: 0.005 },
        { logger: new MemoryLogger() },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EvaluationTimeoutError);
      expect((error as Error).message).toMatch(
        /^Evaluation \w+ of the temporary app for 'Sales Analytics' did not finish within 0\.3 seconds \(status '(queued|running)'\)\.$/,
      );
      expect((error as EvaluationTimeoutError).hint).toContain("timeout-minutes");
    } finally {
      sim.control.setTimings({ evaluationMs: 30 });
    }
    expect(await appsIn("ci-scratch")).toEqual([]);
  });

  it("uses a saved report or evaluation ids as the baseline", async () => {
    const path = join(work, "baseline-report.json");
    writeEvaluationReport(path, firstReport!);
    const fromReport = await evaluateApp(
      client,
      { ...fast, appId: devId, baseline: path },
      { logger: new MemoryLogger() },
    );
    expect(fromReport.report.baseline.kind).toBe("report");
    expect(fromReport.report.baseline.evaluationIds).toEqual(firstReport!.current.evaluationIds);
    expect(fromReport.verdict).toBe("pass");

    const ids = firstReport!.baseline.evaluationIds.join(",");
    const fromIds = await evaluateApp(
      client,
      { ...fast, appId: devId, baseline: ids, passes: 1 },
      { logger: new MemoryLogger() },
    );
    expect(fromIds.report.baseline.kind).toBe("evaluation");
    expect(fromIds.report.baseline.evaluationIds).toEqual(firstReport!.baseline.evaluationIds);
    // The ids were given oldest first; the output names the newest of them.
    expect(fromIds.baselineEvaluationId).toBe(firstReport!.baseline.evaluationIds[2]);
    expect(fromIds.baselineEvaluationId).toBe(newestId(fromIds.report.baseline.evaluations));
    expect(fromIds.verdict).toBe("pass");
  });

  it("warns clearly when the app has no public sheets (and when there is no baseline)", async () => {
    const dev = await spaceId("development");
    const created = await client.call({ tier: "write", method: "POST", resource: "/api/v1/apps" }, (opts) =>
      createApp({ attributes: { name: "Draft Without Sheets", spaceId: dev } }, opts),
    );
    const appId = created.data.attributes?.id as string;
    const logger = new MemoryLogger();
    const result = await evaluateApp(client, { ...fast, appId, passes: 1 }, { logger });
    expect(result.verdict).toBe("pass");
    expect(result.report.baseline.kind).toBe("none");
    expect(result.warnings.some((w) => /has no public sheets.*Qlik evaluates only public/.test(w))).toBe(
      true,
    );
    expect(result.warnings.some((w) => /no app named 'Draft Without Sheets'/.test(w))).toBe(true);
    expect(logger.lines.filter((l) => l.level === "warn").length).toBeGreaterThanOrEqual(2);
    expect(renderEvaluationMarkdown(result.report)).toContain("has no public sheets");
  });

  it("rejects ambiguous input with one sentence and changes nothing", async () => {
    const before = JSON.stringify(sim.control.state(tenantName).apps);
    const both = await evaluateApp(
      client,
      { appId: devId, source: sourceDir },
      { logger: new MemoryLogger() },
    ).catch((e: unknown) => e);
    expect(both).toBeInstanceOf(ConfigError);
    expect((both as Error).message).toBe(
      "Set exactly one of 'app-id', 'space' (with 'app-name') or 'source' to choose what to evaluate.",
    );
    const badReport = await evaluateApp(
      client,
      { source: sourceDir, baseline: join(work, "missing.json") },
      { logger: new MemoryLogger() },
    ).catch((e: unknown) => e);
    expect(badReport).toBeInstanceOf(ConfigError);
    expect((badReport as ConfigError).field).toBe("baseline");
    const passes = await evaluateApp(
      client,
      { appId: devId, passes: 0 },
      { logger: new MemoryLogger() },
    ).catch((e: unknown) => e);
    expect((passes as Error).message).toBe("'passes' must be a whole number from 1 to 10, got 0.");
    expect(JSON.stringify(sim.control.state(tenantName).apps)).toBe(before);
  });

  it("finds the app by space and name", async () => {
    const result = await evaluateApp(
      client,
      { ...fast, space: "development", appName: "Sales Analytics", passes: 1 },
      { logger: new MemoryLogger() },
    );
    expect(result.report.app.id).toBe(devId);
    expect(result.verdict).toBe("pass");
  });
});
