import { describe, expect, test } from "@jest/globals";
import { AppTree } from "../src/app-tree.ts";
import { planBuild, summarizeOperations } from "../src/plan.ts";
import type { AppTreeContent } from "../src/types.ts";
import { chart, measure, sampleContent, sheet, variable } from "./helpers/sample-app.ts";

const tree = (c: AppTreeContent) => new AppTree(c);
const ops = (current: AppTreeContent, desired: AppTreeContent, prune?: boolean) =>
  summarizeOperations(
    planBuild(tree(current), tree(desired), prune === undefined ? {} : { prune }).operations,
  ).map((o) => `${o.action} ${o.kind} ${o.id}`);

describe("planBuild", () => {
  test("equal content (in any order, with volatile noise) plans nothing", () => {
    const noisy = sampleContent();
    noisy.measures!.reverse();
    noisy.appProperties = { ...noisy.appProperties, qLastReloadTime: "2026-11-27T00:00:00Z" };
    noisy.script = noisy.script!.replace(/\n/g, "\r\n");
    const plan = planBuild(tree(noisy), tree(sampleContent()), { prune: true });
    expect(plan).toEqual({ operations: [], changed: false, kept: [] });
  });

  test("an empty app gets everything created, in build order", () => {
    const empty: AppTreeContent = {
      script: "",
      appProperties: {},
      connections: [],
      dimensions: [],
      measures: [],
      variables: [],
      bookmarks: [],
      objects: [],
    };
    expect(ops(empty, sampleContent())).toEqual([
      "create connection DataFiles",
      "create dimension d1",
      "create variable v1",
      "create variable v2",
      "create measure m1",
      "create measure m2",
      "create object mo1",
      "create object s1",
      "create object s2",
      "update script script",
      "update app-properties app-properties",
      "create bookmark b1",
    ]);
  });

  test("updates and deletes; deletes come first within a kind", () => {
    const desired = sampleContent();
    desired.measures = [measure("m1", "Total Sales", "Sum(Amount) * 1.1"), measure("m3", "New", "Count(x)")];
    desired.objects = desired.objects!.filter((o) => (o.qProperty.qInfo as { qId: string }).qId !== "s2");
    expect(ops(sampleContent(), desired)).toEqual([
      "delete measure m2",
      "update measure m1",
      "create measure m3",
      "delete object s2",
    ]);
  });

  test("prune: false keeps what the files do not have, and reports it", () => {
    const desired = sampleContent();
    desired.measures = [desired.measures![0]];
    desired.objects = desired.objects!.filter((o) => (o.qProperty.qInfo as { qId: string }).qId !== "s2");
    const plan = planBuild(tree(sampleContent()), tree(desired), { prune: false });
    expect(plan.operations).toEqual([]);
    expect(plan.changed).toBe(false);
    expect(plan.kept).toEqual([
      { kind: "measure", id: "m2", title: "Orders" },
      { kind: "object", id: "s2", title: "Details" },
    ]);
  });

  test("connections are created and updated but never deleted", () => {
    const current = sampleContent();
    current.connections!.push({ name: "Shared", type: "folder", connectionString: "lib://Shared" });
    const desired = sampleContent();
    desired.connections = [{ name: "DataFiles", type: "folder", connectionString: "lib://Other" }];
    expect(ops(current, desired)).toEqual(["update connection DataFiles"]);
  });

  test("variables match by name; an update keeps the app's variable id", () => {
    const current = sampleContent();
    current.variables = [variable("OTHER-ID", "vTarget", "1000"), variable("v2", "vColor", "'#ff0000'")];
    expect(ops(current, sampleContent())).toEqual([]);
    const desired = sampleContent();
    desired.variables = [variable("v1", "vTarget", "2000"), variable("v2", "vColor", "'#ff0000'")];
    const plan = planBuild(tree(current), tree(desired));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]).toMatchObject({
      kind: "variable",
      action: "update",
      id: "OTHER-ID",
      title: "vTarget",
    });
    expect(plan.operations[0].value).toMatchObject({ qInfo: { qId: "OTHER-ID" }, qDefinition: "2000" });
  });

  test("a renamed variable kept by prune: false does not lend its id to the new one", () => {
    const desired = sampleContent();
    desired.variables = [variable("v1", "vTargetRenamed", "1000"), variable("v2", "vColor", "'#ff0000'")];
    const kept = planBuild(tree(sampleContent()), tree(desired), { prune: false });
    expect(kept.operations).toHaveLength(1);
    expect(kept.operations[0]).toMatchObject({
      action: "create",
      title: "vTargetRenamed",
      value: { qInfo: { qId: "" } },
    });
    const pruned = planBuild(tree(sampleContent()), tree(desired), { prune: true });
    expect(pruned.operations.map((o) => `${o.action} ${o.title}`)).toEqual([
      "delete vTarget",
      "create vTargetRenamed",
    ]);
    expect(pruned.operations[1].value).toMatchObject({ qInfo: { qId: "v1" } });
  });

  test("kinds the files do not manage are left alone", () => {
    const desired: AppTreeContent = { measures: sampleContent().measures };
    expect(ops(sampleContent(), desired, true)).toEqual([]);
  });

  test("an object moving into a container leaves its old place even without prune", () => {
    const current = sampleContent();
    current.objects!.push(chart("loose", "kpi", "Loose KPI"));
    const desired = sampleContent();
    desired.objects![0] = sheet("s1", "Overview", [
      chart("c1", "barchart", "Sales by region"),
      chart("c2", "kpi", "Total"),
      chart("loose", "kpi", "Loose KPI"),
    ]);
    expect(ops(current, desired, false)).toEqual(["delete object loose", "update object s1"]);
  });

  test("is deterministic", () => {
    const desired = sampleContent();
    desired.measures = [measure("m9", "x", "1"), measure("m8", "y", "2")];
    expect(ops(sampleContent(), desired)).toEqual(ops(sampleContent(), desired));
    expect(ops(sampleContent(), desired).slice(0, 4)).toEqual([
      "delete measure m1",
      "delete measure m2",
      "create measure m8",
      "create measure m9",
    ]);
  });
});
