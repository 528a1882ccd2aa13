import { describe, expect, test } from "@jest/globals";
import type { Doc } from "@qlik/api/qix";
import { MemoryLogger } from "@qlik-cicd/common";
import { AppTree } from "../src/app-tree.ts";
import { BuildError, buildApp } from "../src/build.ts";
import type { QixDoc } from "../src/doc.ts";
import { treeDigest } from "../src/digest.ts";
import { planBuild } from "../src/plan.ts";
import { unbuildApp } from "../src/unbuild.ts";
import { FakeQixDoc } from "./helpers/fake-qix-doc.ts";
import { chart, measure, sampleContent, sheet } from "./helpers/sample-app.ts";

// Compile-time check: @qlik/api's qix Doc can be passed wherever this library takes a doc.
const acceptsQlikApiDoc: (doc: Doc) => QixDoc = (doc) => doc;
void acceptsQlikApiDoc;

const READ_ONLY = /^(get|createSessionObject|destroySessionObject)/;

describe("unbuildApp (against the FakeQixDoc test double)", () => {
  test("reads everything, drops volatile state and script-created variables, closes its session objects", async () => {
    const doc = new FakeQixDoc();
    await buildApp(doc, new AppTree(sampleContent()));
    doc.scriptVariables.set("vLoadTime", "now()");
    const tree = await unbuildApp(doc);
    expect(tree.fileTexts()).toEqual(new AppTree(sampleContent()).fileTexts());
    expect(tree.variables.map((v) => v.qName)).toEqual(["vColor", "vTarget"]);
    expect(tree.appProperties).not.toHaveProperty("qLastReloadTime");
    expect(tree.bookmark("b1")).not.toHaveProperty("creationDate");
    expect(doc.openSessionObjects).toBe(0);
  });

  test("finds top-level objects of any type, and never lists a child twice", async () => {
    const content = sampleContent();
    content.objects!.push(chart("loose", "kpi", "KPI without a sheet"), {
      qProperty: { qInfo: { qId: "box", qType: "container" }, title: "Container" },
      qChildren: [sheet("inner", "Sheet inside a container", [chart("deep", "table", "Deep")])],
    });
    const doc = new FakeQixDoc();
    await buildApp(doc, new AppTree(content));
    const tree = await unbuildApp(doc);
    expect(tree.objects.map((o) => (o.qProperty.qInfo as { qId: string }).qId)).toEqual([
      "box",
      "loose",
      "mo1",
      "s1",
      "s2",
    ]);
    expect(tree.fileTexts()).toEqual(new AppTree(content).fileTexts());
  });

  test("pipelines its reads instead of awaiting them one by one", async () => {
    const doc = new FakeQixDoc();
    await buildApp(doc, new AppTree(sampleContent()));
    doc.maxInFlight = 0;
    const callsBefore = doc.calls.length;
    await unbuildApp(doc);
    const reads = doc.calls.slice(callsBefore);
    expect(reads.every((c) => READ_ONLY.test(c))).toBe(true);
    // 1 dimension + 2 measures + 2 variables + 1 bookmark + 3 top-level object trees, together.
    expect(doc.maxInFlight).toBeGreaterThanOrEqual(9);
  });
});

describe("buildApp (against the FakeQixDoc test double)", () => {
  test("builds an empty app in order: connections, dimensions, variables, measures, objects, script, app properties, reload, bookmarks, save", async () => {
    const doc = new FakeQixDoc();
    const result = await buildApp(doc, new AppTree(sampleContent()), { reload: true });
    expect(result.changed).toBe(true);
    expect(result.saved).toBe(true);
    expect(result.reload).toEqual({ ok: true });
    const kinds = doc.writes.map((w) => w.split(":")[0]);
    expect(kinds).toEqual([
      "createConnection",
      "createDimension",
      "createVariableEx",
      "createVariableEx",
      "createMeasure",
      "createMeasure",
      "createObject",
      "createObject",
      "createObject",
      "setFullPropertyTree",
      "setFullPropertyTree",
      "setScript",
      "setAppProperties",
      "doReload",
      "createBookmark",
      "doSave",
    ]);
    expect(result.operations.map((o) => `${o.action} ${o.kind} ${o.id}`)).toContain("create object s1");
    expect(result.operations.every((o) => !("value" in o))).toBe(true);
    // The handles of created entities come back for callers that go on working on them.
    const created = result.operations.filter(
      (o) => o.kind !== "connection" && o.kind !== "script" && o.kind !== "app-properties",
    );
    expect([...result.openedHandles.keys()].sort()).toEqual(created.map((o) => `${o.kind}/${o.id}`).sort());
  });

  test("beforeBookmarks runs once the content is applied, before the reload for bookmarks", async () => {
    const doc = new FakeQixDoc();
    const seen: string[] = [];
    await buildApp(doc, new AppTree(sampleContent()), {
      reloadForBookmarks: true,
      beforeBookmarks: async () => {
        seen.push(doc.writes.slice(-2).join(","));
      },
    });
    expect(seen).toEqual(["setScript,setAppProperties"]);
    // The sample bookmark selects nothing, so there is no reload for it.
    expect(doc.writes.slice(-2)).toEqual(["createBookmark:b1", "doSave"]);
  });

  test("round trip: unbuild → build into an empty app → unbuild gives byte-identical files", async () => {
    const source = new FakeQixDoc();
    await buildApp(source, new AppTree(sampleContent()));
    const first = await unbuildApp(source);
    const target = new FakeQixDoc();
    await buildApp(target, first);
    const second = await unbuildApp(target);
    expect(second.fileTexts()).toEqual(first.fileTexts());
    expect(treeDigest(second)).toBe(treeDigest(first));
  });

  test("unchanged input makes no write at all: no reload, no save", async () => {
    const doc = new FakeQixDoc();
    await buildApp(doc, new AppTree(sampleContent()));
    const writes = doc.writes.length;
    const result = await buildApp(doc, new AppTree(sampleContent()), { reload: true });
    expect(result).toEqual({
      changed: false,
      operations: [],
      kept: [],
      saved: false,
      openedHandles: new Map(),
      warnings: [],
    });
    expect(doc.writes.length).toBe(writes);
  });

  test("deletes what the files no longer have; prune: false keeps it", async () => {
    const desired = sampleContent();
    desired.objects = desired.objects!.filter((o) => (o.qProperty.qInfo as { qId: string }).qId !== "s2");
    desired.measures = [measure("m1", "Total Sales", "Sum(Amount)")];

    const kept = new FakeQixDoc();
    await buildApp(kept, new AppTree(sampleContent()));
    const keptResult = await buildApp(kept, new AppTree(desired), { prune: false });
    expect(keptResult.changed).toBe(false);
    expect(keptResult.kept.map((k) => k.id)).toEqual(["m2", "s2"]);
    expect(kept.objects.has("s2")).toBe(true);
    expect(kept.objects.has("c3")).toBe(true);

    const pruned = new FakeQixDoc();
    await buildApp(pruned, new AppTree(sampleContent()));
    const result = await buildApp(pruned, new AppTree(desired));
    expect(result.operations.map((o) => `${o.action} ${o.kind} ${o.id}`)).toEqual([
      "delete measure m2",
      "delete object s2",
    ]);
    expect(pruned.objects.has("s2")).toBe(false);
    expect(pruned.objects.has("c3")).toBe(false);
    expect((await unbuildApp(pruned)).fileTexts()).toEqual(new AppTree(desired).fileTexts());
  });

  test("updates change only what differs", async () => {
    const doc = new FakeQixDoc();
    await buildApp(doc, new AppTree(sampleContent()));
    const desired = sampleContent();
    desired.measures![0] = measure("m1", "Total Sales", "Sum(Amount) * 2");
    desired.script += "///$tab More\nLET x = 1;\n";
    const before = doc.writes.length;
    const result = await buildApp(doc, new AppTree(desired));
    expect(doc.writes.slice(before)).toEqual(["setMeasureProperties:m1", "setScript", "doSave"]);
    expect(result.operations.map((o) => `${o.action} ${o.kind} ${o.id}`)).toEqual([
      "update measure m1",
      "update script script",
    ]);
  });

  test("a failed reload is reported and the content is still saved", async () => {
    const doc = new FakeQixDoc();
    doc.reloadSucceeds = false;
    const logger = new MemoryLogger();
    const result = await buildApp(doc, new AppTree(sampleContent()), { reload: true, logger });
    expect(result.reload?.ok).toBe(false);
    expect(result.reload?.error).toMatch(/load script failed/);
    expect(result.saved).toBe(true);
    expect(logger.text()).toMatch(/error: Reload failed/);
  });

  test("a failing QIX call names the operation and nothing is saved", async () => {
    const doc = new FakeQixDoc();
    doc.createMeasure = async () => {
      throw new Error("Access denied");
    };
    const error = await buildApp(doc, new AppTree(sampleContent())).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).message).toMatch(
      /^Could not create measure "(Total Sales|Orders)" \(m[12]\): Access denied/,
    );
    expect(doc.saves).toBe(0);
  });

  test("planBuild against a live unbuild is what buildApp applies (dry run)", async () => {
    const doc = new FakeQixDoc();
    const plan = planBuild(await unbuildApp(doc), new AppTree(sampleContent()));
    const writes = doc.writes.length;
    expect(plan.changed).toBe(true);
    expect(doc.writes.length).toBe(writes);
    const result = await buildApp(doc, new AppTree(sampleContent()));
    expect(result.operations.map((o) => `${o.action} ${o.kind} ${o.id}`)).toEqual(
      plan.operations.map((o) => `${o.action} ${o.kind} ${o.id}`),
    );
  });
});
