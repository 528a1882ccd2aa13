/**
 * Nothing crashes on real material: every corpus app is read, linted, canonicalised (written and read
 * back unchanged), diffed and planned; every corpus script is analysed, canonicalised, split into
 * sections and diffed against another (lint-precision.test.ts lints them all).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import {
  AppTree,
  analyzeScript,
  canonicalScript,
  diffAppTrees,
  lintAppTree,
  planBuild,
  readAppTree,
  renderDiffMarkdown,
  scriptSections,
  treeDigest,
  writeAppTree,
} from "@qlik-cicd/app-files";
import { APPS_DIR, SCRIPTS_DIR, appNames, scriptNames } from "./corpus.ts";

const apps = await appNames();
const scripts = await scriptNames();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "corpus-no-crash-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

test("the corpus holds about ten real apps and 50+ real load scripts", () => {
  expect(apps.length).toBeGreaterThanOrEqual(10);
  expect(scripts.length + apps.length).toBeGreaterThanOrEqual(50);
});

describe.each(apps)("app %s", (name) => {
  const dir = path.join(APPS_DIR, name);

  test("reads, lints, canonicalises, diffs and plans without an error", async () => {
    const tree = await readAppTree(dir);
    // Only script-created variables (qlik-cli exports them) and tolerated qlik-cli quirks are skipped.
    for (const warning of tree.warnings) {
      expect(warning).toMatch(/skipped script-created variable|listed twice with the same settings|not quoted/);
    }
    const lint = await lintAppTree(dir, {});
    expect(Array.isArray(lint.findings)).toBe(true);

    // Canonical files: written, read back and written again, byte for byte the same.
    const out = path.join(work, name);
    await writeAppTree(out, tree);
    const again = await readAppTree(out);
    expect(again.fileTexts()).toEqual(tree.fileTexts());
    expect((await writeAppTree(out, again)).changed).toBe(false);
    expect(treeDigest(again)).toBe(treeDigest(tree));

    const empty = new AppTree({});
    const added = diffAppTrees(empty, tree);
    expect(added.changed).toBe(true);
    expect(renderDiffMarkdown(added).length).toBeGreaterThan(0);
    expect(diffAppTrees(tree, again).changed).toBe(false);
    expect(planBuild(tree, again).operations).toEqual([]);
    const plan = planBuild(empty, tree);
    expect(plan.operations.filter((o) => o.kind === "object").length).toBe(tree.content.objects?.length ?? 0);
  });
});

describe("load scripts", () => {
  test.each(scripts)("%s is analysed, canonicalised and split into sections", async (name) => {
    const text = await readFile(path.join(SCRIPTS_DIR, name), "utf8");
    const model = analyzeScript(text);
    expect(model.sections.length).toBeGreaterThan(0);
    const canonical = canonicalScript(text);
    expect(canonical.includes("\r")).toBe(false);
    expect(canonicalScript(canonical)).toBe(canonical);
    expect(scriptSections(canonical).length).toBeGreaterThan(0);
  });

  test("every script diffs against the next one and plans as a script update", () => {
    return Promise.all(
      scripts.map(async (name, i) => {
        const next = scripts[(i + 1) % scripts.length];
        const [a, b] = await Promise.all(
          [name, next].map((n) => readFile(path.join(SCRIPTS_DIR, n), "utf8")),
        );
        const before = new AppTree({ script: a });
        const after = new AppTree({ script: b });
        const diff = diffAppTrees(before, after);
        expect(diff.changed).toBe(canonicalScript(a) !== canonicalScript(b));
        renderDiffMarkdown(diff);
        const ops = planBuild(before, after).operations;
        expect(ops.map((o) => o.kind)).toEqual(diff.changed ? ["script"] : []);
      }),
    );
  });
});
