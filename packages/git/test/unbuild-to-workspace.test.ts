import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppTree, type AppTreeContent } from "@qlik-cicd/app-files";
import { ConfigError } from "@qlik-cicd/common";
import { unbuildToWorkspace, type PullRequestRequest } from "../src/index.ts";
import { createRepo, sh, type TestRepo } from "./helpers.ts";

function content(measureDef: string, withVariable = true): AppTreeContent {
  return {
    script: "///$tab Main\nLOAD 1 AS x AUTOGENERATE 1;\n",
    appProperties: { qTitle: "Sales" },
    measures: [
      {
        qInfo: { qId: "m1", qType: "measure" },
        qMeasure: { qLabel: "Total", qDef: measureDef },
        qMetaDef: { title: "Total" },
      },
    ],
    ...(withVariable
      ? {
          variables: [
            { qInfo: { qId: "v1", qType: "variable" }, qName: "vX", qDefinition: "1", qComment: "" },
          ],
        }
      : { variables: [] }),
  };
}

let repo: TestRepo;
beforeEach(() => {
  repo = createRepo("unbuild-ws-");
});
afterEach(() => repo.cleanup());

const common = { appTitle: "Sales", appId: "app-1" };

describe("unbuildToWorkspace", () => {
  it("commit none: writes, diffs against the previous files and reports removed files", async () => {
    const first = await unbuildToWorkspace({
      ...common,
      workspace: repo.work,
      path: "apps/sales",
      tree: new AppTree(content("Sum(x)")),
      commit: "none",
    });
    expect(first.changed).toBe(true);
    expect(first.written).toEqual(expect.arrayContaining(["measures.json", "script.qvs", "variables.json"]));
    expect(first.diff.entries.find((e) => e.id === "m1")?.change).toBe("added");

    const second = await unbuildToWorkspace({
      ...common,
      workspace: repo.work,
      path: "apps/sales",
      tree: new AppTree(content("Sum(y)", false)),
      commit: "none",
    });
    expect(second.changed).toBe(true);
    expect(second.written).toEqual(["measures.json", "variables.json"]);
    const kinds = second.diff.entries.map((e) => `${e.kind}:${e.change}:${e.id}`);
    expect(kinds).toEqual(["variable:removed:vX", "measure:changed:m1"]);
    expect(readFileSync(join(repo.work, "apps/sales/measures.json"), "utf8")).toContain("Sum(y)");
    // Nothing was committed.
    expect(sh(repo.work, "rev-list", "--count", "HEAD")).toBe("1");
  });

  it("pull-request: no change against the base means no branch and no pull request", async () => {
    await unbuildToWorkspace({
      ...common,
      workspace: repo.work,
      path: "apps/sales",
      tree: new AppTree(content("Sum(x)")),
      commit: "push",
    });
    const requests: PullRequestRequest[] = [];
    const result = await unbuildToWorkspace({
      ...common,
      workspace: repo.work,
      path: "apps/sales",
      tree: new AppTree(content("Sum(x)")),
      commit: "pull-request",
      branch: "qlik/unbuild/sales",
      base: "main",
      openPullRequest: async (r) => {
        requests.push(r);
        return { number: 1, url: "u", created: true };
      },
    });
    expect(result.changed).toBe(false);
    expect(result.diff.changed).toBe(false);
    expect(requests).toEqual([]);
    expect(sh(repo.remote, "branch", "--list", "qlik/*")).toBe("");
    expect(sh(repo.work, "for-each-ref", "refs/qlik-cicd")).toBe("");
  });

  it("rejects what cannot work before writing anything", async () => {
    const tree = new AppTree(content("Sum(x)"));
    await expect(
      unbuildToWorkspace({ ...common, workspace: repo.work, path: "../x", tree, commit: "none" }),
    ).rejects.toBeInstanceOf(ConfigError);
    await expect(
      unbuildToWorkspace({
        ...common,
        workspace: repo.work,
        path: "apps/sales",
        tree,
        commit: "pull-request",
        branch: "qlik/x",
        base: "does-not-exist",
        openPullRequest: async () => ({ number: 1, url: "u", created: true }),
      }),
    ).rejects.toThrow("The base branch 'does-not-exist' does not exist on 'origin'.");
    expect(existsSync(join(repo.work, "apps"))).toBe(false);
    await expect(
      unbuildToWorkspace({ ...common, workspace: repo.root, path: "apps/sales", tree, commit: "push" }),
    ).rejects.toThrow(/is not a git repository/);
    expect(existsSync(join(repo.root, "apps"))).toBe(false);
  });
});
