// unbuild-app end to end: the bundled action run as the runner runs it, against the simulator started
// in this process, into a workspace that is a real git repository with a bare remote, and the GitHub
// double for the pull request. Tests run in order and build on each other.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getItems } from "@qlik/api/items";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { createRepo, sh, type TestRepo } from "../../../packages/git/test/helpers.ts";
import { runBundledAction, type ActionRun } from "../../../test/helpers/run-bundled-action.ts";
import {
  startGitHubDouble,
  type GitHubDouble,
  type GitHubRepo,
} from "../../../test/helpers/github-double.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;

const TOKEN = "ghs_fakeInstallationToken0123456789";
let sim: Sim;
let tenant: { url: string; apiKey: string; name: string };
let client: QlikClient;
let repo: TestRepo;
let github: GitHubDouble;
let sales: GitHubRepo;
let appId: string;

function unbuild(inputs: Record<string, string | undefined>): Promise<ActionRun> {
  return runBundledAction("unbuild-app", {
    inputs: { "tenant-url": tenant.url, "api-key": tenant.apiKey, ...inputs },
    workspace: repo.work,
    env: {
      GITHUB_REPOSITORY: "acme/sales",
      GITHUB_API_URL: github.url,
      GITHUB_EVENT_PATH: undefined,
      GITHUB_EVENT_NAME: undefined,
      GITHUB_REF: undefined,
      GITHUB_REF_NAME: undefined,
      ACTIONS_RUNTIME_TOKEN: undefined,
      ACTIONS_RESULTS_URL: undefined,
    },
  });
}

async function appendToScript(line: string): Promise<void> {
  await client.withApp(appId, async (doc) => {
    const script = await doc.getScript();
    await doc.setScript(`${script}\n${line}\n`);
    await doc.doSave();
  });
}

function remoteSha(branch: string): string {
  return sh(repo.remote, "rev-parse", `refs/heads/${branch}`);
}

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  tenant = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: tenant.url, apiKey: tenant.apiKey });
  repo = createRepo("unbuild-app-");
  github = await startGitHubDouble({ tokens: [TOKEN] });
  sales = github.repo("acme/sales");
  const spaces = await client.fetch({
    tier: "read",
    method: "GET",
    resource: "/api/v1/spaces",
    url: "/api/v1/spaces",
  });
  const dev = (spaces.data.data as { id: string; name: string }[]).find((s) => s.name === "development");
  const items = await client.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
    getItems({ resourceType: "app", spaceId: dev?.id, limit: 100 }, opts),
  );
  appId = items.data.data.find((i) => i.name === "Sales Analytics")?.resourceId as string;
  expect(appId).toBeTruthy();
}, 30_000);

afterAll(async () => {
  await client?.close();
  await github?.close();
  await sim?.stop();
  repo?.cleanup();
});

describe("bad input: one sentence, exit 1, nothing written", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      "an unknown app id",
      { "app-id": "no-such-app" },
      /App 'no-such-app' in 'app-id' was not found on tenant/,
    ],
    [
      "a path outside the workspace",
      { "app-id": "x", path: "../elsewhere" },
      /Input 'path' \('\.\.\/elsewhere'\) must be a folder inside the workspace/,
    ],
    [
      "an absolute path outside",
      { "app-id": "x", path: "/tmp/apps" },
      /Input 'path' \('\/tmp\/apps'\) must be a folder inside/,
    ],
    [
      "a pull request without a token",
      { "app-id": "x", commit: "pull-request" },
      /Input 'github-token' is required with commit: pull-request\./,
    ],
    [
      "an unknown commit mode",
      { "app-id": "x", commit: "merge" },
      /Input 'commit' must be one of none, push, pull-request, got 'merge'\./,
    ],
    ["no app chosen", {}, /Set 'app-id', or 'app-name' and 'space'/],
    [
      "an app name in an unknown space",
      { "app-name": "Sales Analytics", space: "developmnt" },
      /Space 'developmnt' was not found .*Did you mean 'development'\?/,
    ],
  ];
  it.each(cases)("%s", async (_label, inputs, sentence) => {
    const run = await unbuild(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^unbuild-app failed: /);
    expect(run.errors[0]).toMatch(sentence);
    expect(existsSync(join(repo.work, "apps"))).toBe(false);
    expect(sh(repo.work, "status", "--porcelain")).toBe("");
  });
});

describe("commit: push", () => {
  let first: ActionRun;
  it("unbuilds the app by name, commits and pushes it", async () => {
    const before = remoteSha("main");
    first = await unbuild({
      "app-name": "Sales Analytics",
      space: "development",
      commit: "push",
      "github-token": TOKEN,
    });
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    expect(first.outputs.path).toBe("apps/sales-analytics");
    expect(first.outputs.changed).toBe("true");
    expect(first.outputs["app-id"]).toBe(appId);
    const sha = first.outputs["commit-sha"];
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(remoteSha("main")).toBe(sha);
    expect(sh(repo.remote, "rev-parse", `${sha}^`)).toBe(before);
    expect(sh(repo.remote, "log", "-1", "--format=%an|%s", "main")).toBe(
      `github-actions[bot]|Unbuild Qlik app 'Sales Analytics' (${appId})`,
    );
    const files = sh(repo.remote, "ls-tree", "-r", "--name-only", "main", "apps/sales-analytics").split("\n");
    expect(files).toEqual(
      expect.arrayContaining(["apps/sales-analytics/config.yml", "apps/sales-analytics/script.qvs"]),
    );
    expect(files.some((f) => f.startsWith("apps/sales-analytics/objects/sheet-"))).toBe(true);
    // The diff against "nothing before" lists everything as added.
    const diff = JSON.parse(first.outputs.diff);
    expect(diff.changed).toBe(true);
    expect(diff.entries.length).toBeGreaterThan(3);
    // (app properties are one entry that is "changed" from empty)
    for (const e of diff.entries as { kind: string; change: string }[]) {
      expect(e.change).toBe(e.kind === "app-properties" ? "changed" : "added");
    }
    expect(diff.counts.sheet.added).toBeGreaterThan(0);
    expect(first.summary).toContain("## Unbuild: Sales Analytics");
    expect(first.summary).toContain("| Change |");
    expect(first.summary).toContain("pushed to `main`");
    expect(first.outputs["pull-request-url"]).toBe("");
    // Only the runner's masking commands carry the secrets (so the runner can hide them).
    const visible = first.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(first.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(visible).not.toContain(TOKEN);
    expect(visible).not.toContain(tenant.apiKey);
  });

  it("a second run of the unchanged app changes nothing and commits nothing", async () => {
    const head = remoteSha("main");
    const again = await unbuild({ "app-id": appId, commit: "push", "github-token": TOKEN });
    expect(again.exitCode).toBe(0);
    expect(again.outputs.changed).toBe("false");
    expect(again.outputs["commit-sha"]).toBe("");
    expect(JSON.parse(again.outputs.diff).changed).toBe(false);
    expect(again.summary).toContain("nothing to commit");
    expect(remoteSha("main")).toBe(head);
    expect(sh(repo.work, "status", "--porcelain")).toBe("");
  });

  it("commit: none writes into another folder without touching git", async () => {
    const head = sh(repo.work, "rev-parse", "HEAD");
    const run = await unbuild({ "app-id": appId, path: "copies/sales", "upload-artifact": "true" });
    expect(run.exitCode).toBe(0);
    // Not on a runner with artifact storage: a notice, not a failure.
    expect(run.stdout).toContain("::notice::upload-artifact: no artifact storage on this runner");
    expect(run.outputs.path).toBe("copies/sales");
    expect(readFileSync(join(repo.work, "copies/sales/script.qvs"), "utf8")).toBe(
      readFileSync(join(repo.work, "apps/sales-analytics/script.qvs"), "utf8"),
    );
    expect(sh(repo.work, "rev-parse", "HEAD")).toBe(head);
    expect(sh(repo.work, "status", "--porcelain")).toBe("?? copies/");
    sh(repo.work, "clean", "-fdq", "copies");
  });
});

describe("commit: pull-request", () => {
  const branch = "qlik/unbuild/sales-analytics";

  it("opens one pull request from a branch built on the base", async () => {
    await appendToScript("// first change from Qlik Cloud");
    const workHead = sh(repo.work, "rev-parse", "HEAD");
    const run = await unbuild({ "app-id": appId, commit: "pull-request", "github-token": TOKEN });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changed).toBe("true");
    expect(sales.pulls).toHaveLength(1);
    expect(sales.pulls[0]).toMatchObject({ head: branch, base: "main", state: "open" });
    expect(sales.pulls[0].body).toContain("What changed");
    expect(run.outputs["pull-request-url"]).toBe("https://github.com/acme/sales/pull/1");
    const sha = remoteSha(branch);
    expect(run.outputs["commit-sha"]).toBe(sha);
    expect(sh(repo.remote, "rev-parse", `${sha}^`)).toBe(remoteSha("main"));
    expect(sh(repo.remote, "diff", "--name-only", "main", branch)).toBe("apps/sales-analytics/script.qvs");
    const diff = JSON.parse(run.outputs.diff);
    expect(diff.entries).toEqual([expect.objectContaining({ kind: "script", change: "changed" })]);
    expect(run.summary).toContain("opened");
    // The job's own checkout is left alone.
    expect(sh(repo.work, "rev-parse", "HEAD")).toBe(workHead);
    expect(sh(repo.work, "status", "--porcelain")).toBe("");
    expect(sh(repo.work, "worktree", "list").split("\n")).toHaveLength(1);
    for (const r of github.requests) expect(r.authorization).toBe(`token ${TOKEN}`);
  });

  it("a later change updates the same branch and pull request in place", async () => {
    const previous = remoteSha(branch);
    await appendToScript("// second change");
    const run = await unbuild({ "app-id": appId, commit: "pull-request", "github-token": TOKEN });
    expect(run.exitCode).toBe(0);
    expect(sales.pulls).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
    expect(run.summary).toContain("updated");
    const sha = remoteSha(branch);
    expect(sha).not.toBe(previous);
    // Rebuilt from the base, not stacked on the previous branch commit.
    expect(sh(repo.remote, "rev-parse", `${sha}^`)).toBe(remoteSha("main"));
    expect(sh(repo.remote, "show", `${branch}:apps/sales-analytics/script.qvs`)).toContain(
      "// second change",
    );
  });

  it("an unchanged app leaves the branch as it is", async () => {
    const previous = remoteSha(branch);
    const run = await unbuild({
      "app-id": appId,
      commit: "pull-request",
      "github-token": TOKEN,
      base: "main",
    });
    expect(run.exitCode).toBe(0);
    expect(remoteSha(branch)).toBe(previous);
    expect(run.outputs["commit-sha"]).toBe(previous);
    expect(sales.pulls).toHaveLength(1);
    expect(run.summary).toContain("branch already up to date");
  });
});
