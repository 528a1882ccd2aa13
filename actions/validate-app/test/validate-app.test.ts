// validate-app end to end: the bundled action run as the runner runs it on a fixture repository (a
// base commit with an app, a head commit that changes a measure, adds a sheet and breaks the script),
// with the GitHub double for the pull request comment. No tenant involved.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, sh, type TestRepo } from "../../../packages/git/test/helpers.ts";
import { repoRoot, runBundledAction, type ActionRun } from "../../../test/helpers/run-bundled-action.ts";
import {
  startGitHubDouble,
  type GitHubDouble,
  type GitHubRepo,
} from "../../../test/helpers/github-double.ts";

const TOKEN = "ghs_validateToken0123456789abc";
const CLEAN_APP = join(repoRoot, "packages/app-files/test/fixtures/lint/clean");
let repo: TestRepo;
let github: GitHubDouble;
let sales: GitHubRepo;
let baseSha: string;
let brokenLine: number;

const NEW_SHEET = {
  qProperty: {
    qInfo: { qId: "sh2", qType: "sheet" },
    qMetaDef: { title: "Details" },
    visualization: "sheet",
    cells: [{ name: "kpi2", type: "kpi", col: 0, row: 0, colspan: 6, rowspan: 4 }],
  },
  qChildren: [
    {
      qProperty: {
        qInfo: { qId: "kpi2", qType: "kpi" },
        visualization: "kpi",
        title: "Orders",
        qHyperCubeDef: { qMeasures: [{ qLibraryId: "m-orders", qDef: { qDef: "" } }] },
      },
      qChildren: [],
    },
  ],
};

function validate(
  inputs: Record<string, string | undefined>,
  env: Record<string, string | undefined> = {},
): Promise<ActionRun> {
  return runBundledAction("validate-app", {
    inputs,
    workspace: repo.work,
    env: {
      GITHUB_REPOSITORY: "acme/sales",
      GITHUB_API_URL: github.url,
      GITHUB_EVENT_PATH: undefined,
      GITHUB_EVENT_NAME: undefined,
      ...env,
    },
  });
}

/** Stdout without the runner's masking commands (which carry the secret so the runner can hide it). */
function withoutMasks(stdout: string): string {
  return stdout
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"))
    .join("\n");
}

function prEnv(): Record<string, string> {
  const eventFile = join(repo.root, "event.json");
  writeFileSync(
    eventFile,
    JSON.stringify({ number: 7, pull_request: { number: 7, base: { sha: baseSha } } }),
  );
  return { GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: eventFile };
}

beforeAll(async () => {
  repo = createRepo("validate-app-");
  github = await startGitHubDouble({ tokens: [TOKEN] });
  sales = github.repo("acme/sales");
  sales.addPull({ number: 7, head: "feature", base: "main", title: "Change the sales app" });
  cpSync(CLEAN_APP, join(repo.work, "apps/sales"), { recursive: true });
  sh(repo.work, "add", "-A");
  sh(repo.work, "commit", "--quiet", "-m", "base app");
  sh(repo.work, "push", "--quiet", "origin", "main");
  baseSha = sh(repo.work, "rev-parse", "HEAD");

  // The pull request's head: a measure changed, a sheet added, an unbalanced script line, a new app.
  sh(repo.work, "checkout", "--quiet", "-b", "feature");
  const app = join(repo.work, "apps/sales");
  const measures = readFileSync(join(app, "measures.json"), "utf8");
  writeFileSync(join(app, "measures.json"), measures.replace("Count(DISTINCT OrderID)", "Count(OrderID)"));
  writeFileSync(join(app, "objects/sheet-details-sh2.json"), `${JSON.stringify(NEW_SHEET, null, 2)}\n`);
  const script = readFileSync(join(app, "script.qvs"), "utf8");
  const broken = `${script}LET vBroken = If((1 > 0, 1, 0);\n`;
  brokenLine = broken.split("\n").length - 1;
  writeFileSync(join(app, "script.qvs"), broken);
  cpSync(CLEAN_APP, join(repo.work, "apps/inventory"), { recursive: true });
  sh(repo.work, "add", "-A");
  sh(repo.work, "commit", "--quiet", "-m", "change the app");
});

afterAll(async () => {
  await github?.close();
  repo?.cleanup();
});

describe("validate-app", () => {
  it("annotates the error, reports the diff against the base and fails on errors", async () => {
    const run = await validate({ path: "apps/sales", base: "main" });
    expect(run.exitCode).toBe(1);
    const annotation = run.stdout
      .split("\n")
      .find((l) => l.startsWith("::error ") && l.includes("title=script-unbalanced"));
    expect(annotation).toBeDefined();
    expect(annotation).toContain(`file=apps/sales/script.qvs,line=${brokenLine},`);
    expect(Number(run.outputs.errors)).toBe(1);
    expect(Number(run.outputs.warnings)).toBeGreaterThanOrEqual(0);
    expect(run.errors).toHaveLength(2); // the annotation and the failure
    const failure = run.errors.find((e) => e.startsWith("validate-app failed: "));
    expect(failure).toMatch(
      new RegExp(
        `^validate-app failed: 1 error in apps/sales: first apps/sales/script\\.qvs:${brokenLine} .*\\(script-unbalanced\\)\\.$`,
      ),
    );

    const diff = JSON.parse(run.outputs.diff)["apps/sales"];
    expect(diff.changed).toBe(true);
    expect(diff.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "measure", change: "changed", id: "m-orders" }),
        expect.objectContaining({ kind: "sheet", change: "added", id: "sh2", title: "Details" }),
        expect.objectContaining({ kind: "script", change: "changed" }),
      ]),
    );
    const measure = diff.entries.find((e: { id: string }) => e.id === "m-orders");
    expect(measure.details).toEqual(
      expect.arrayContaining([
        { label: "expression", before: "Count(DISTINCT OrderID)", after: "Count(OrderID)" },
      ]),
    );
    expect(JSON.parse(run.outputs.apps)).toEqual(["apps/sales"]);
    expect(run.summary).toContain("Qlik app validation");
    expect(run.summary).toContain("script-unbalanced");
    expect(run.summary).toContain("Count(OrderID)");
  });

  it("passes with fail-on: never, and compares every app under a glob (a new app is all added)", async () => {
    const run = await validate({ path: "apps/*", base: "main", "fail-on": "never" });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs.apps)).toEqual(["apps/inventory", "apps/sales"]);
    const diffs = JSON.parse(run.outputs.diff);
    const added = diffs["apps/inventory"].entries as { change: string; kind: string }[];
    expect(added.length).toBeGreaterThan(3);
    for (const e of added) expect(e.change).toBe(e.kind === "app-properties" ? "changed" : "added");
    expect(run.summary).toContain("new app: not present at");
    // @actions/core writes the annotation (title first, then the file).
    expect(run.stdout).toMatch(/^::error (?:[^:\n]*,)?file=apps\/sales\/script\.qvs,/m);
  });

  it("keeps one pull request comment, created then updated, using the event's base", async () => {
    const first = await validate({ path: "apps/sales", "github-token": TOKEN }, prEnv());
    expect(first.exitCode).toBe(1);
    expect(sales.comments).toHaveLength(1);
    expect(sales.comments[0].issue).toBe(7);
    expect(sales.comments[0].body).toContain("<!-- qlik-validate-app:apps/sales -->");
    expect(sales.comments[0].body).toContain("script-unbalanced");
    expect(sales.comments[0].body).toContain("Count(OrderID)");
    expect(JSON.parse(first.outputs.diff)["apps/sales"].changed).toBe(true);
    expect(withoutMasks(first.stdout)).not.toContain(TOKEN);

    // Fix the script: the same comment is updated, and the step passes.
    const script = join(repo.work, "apps/sales/script.qvs");
    writeFileSync(script, readFileSync(script, "utf8").replace("If((1 > 0", "If(1 > 0"));
    sh(repo.work, "commit", "--quiet", "-am", "fix script");
    const second = await validate({ path: "apps/sales", "github-token": TOKEN }, prEnv());
    expect(second.exitCode).toBe(0);
    expect(second.outputs.errors).toBe("0");
    expect(sales.comments).toHaveLength(1);
    expect(sales.comments[0].body).not.toContain("script-unbalanced");
    expect(github.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
  });

  it("fails on warnings with fail-on: warning", async () => {
    const objects = join(repo.work, "apps/sales/objects/sheet-details-sh2.json");
    const empty = { ...NEW_SHEET, qProperty: { ...NEW_SHEET.qProperty, cells: [] }, qChildren: [] };
    writeFileSync(objects, JSON.stringify(empty));
    try {
      const lenient = await validate({ path: "apps/sales", base: "main" });
      expect(lenient.errors).toEqual([]);
      expect(lenient.exitCode).toBe(0);
      expect(Number(lenient.outputs.warnings)).toBeGreaterThan(0);
      const strict = await validate({ path: "apps/sales", base: "main", "fail-on": "warning" });
      expect(strict.exitCode).toBe(1);
      expect(strict.stdout).toMatch(
        /^::warning (?:[^:\n]*,)?file=apps\/sales\/objects\/sheet-details-sh2\.json,/m,
      );
      expect(strict.errors.at(-1)).toMatch(
        /^validate-app failed: 0 errors and \d+ warnings? in apps\/sales: first /,
      );
    } finally {
      sh(repo.work, "checkout", "--quiet", "--", "apps/sales/objects/sheet-details-sh2.json");
    }
  });

  it.each([
    [{ path: "apps/nothing" }, /No app folder found at 'apps\/nothing' \(in 'path'\)/],
    [{ path: "../outside" }, /Input 'path' \('\.\.\/outside'\) must stay inside the workspace/],
    [
      { path: "apps/sales", base: "no-such-branch" },
      /Base revision 'no-such-branch' in 'base' was not found/,
    ],
    [{ path: "apps/sales", "fail-on": "sometimes" }, /Input 'fail-on' must be one of error, warning, never/],
    [
      { path: "apps/sales", config: "missing.yml" },
      /Lint config 'missing\.yml' in 'config' does not exist\./,
    ],
  ])("bad input %j is one sentence and exit 1", async (inputs, sentence) => {
    const run = await validate(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(sentence);
  });
});
