import { describe, expect, it } from "@jest/globals";
import { AppTree, planBuild } from "@qlik-cicd/app-files";
import { ConfigError } from "@qlik-cicd/common";
import { applyParameters } from "../src/deploy/apply-parameters.ts";
import { compareContent, emptyTreeLike, withTitle } from "../src/deploy/content.ts";
import type { ResolvedParameters } from "../src/deploy/parameters.ts";

const tree = new AppTree({
  appProperties: { qTitle: "Sales" },
  script: "LOAD 1 AS x AUTOGENERATE 1;\n",
  connections: [{ name: "Sales DB", type: "postgres", connectionString: "host=dev-db" }],
  variables: [
    { qInfo: { qId: "v1", qType: "variable" }, qName: "vEnv", qDefinition: "DEV" },
    { qInfo: { qId: "v2", qType: "variable" }, qName: "vKeep", qDefinition: "1" },
  ],
  measures: [{ qInfo: { qId: "m1", qType: "measure" }, qMeasure: { qDef: "Sum(x)", qLabel: "Total" } }],
});

const params: ResolvedParameters = {
  environment: "test",
  matched: true,
  variables: { vEnv: "TEST" },
  connections: { "Sales DB": { connectionString: "host=test-db", username: "svc", password: "p4ssw0rd!" } },
};

describe("applying parameters to the source", () => {
  it("overrides variables and connection strings, and keeps credentials out of the tree", () => {
    const { tree: out, credentials } = applyParameters(tree, params, "params.yml");
    expect(out.variable("vEnv")?.qDefinition).toBe("TEST");
    expect(out.variable("vKeep")?.qDefinition).toBe("1");
    expect(out.connections).toEqual([
      { name: "Sales DB", type: "postgres", connectionString: "host=test-db" },
    ]);
    expect(credentials.get("Sales DB")).toEqual({ username: "svc", password: "p4ssw0rd!" });
    expect(JSON.stringify(out.content)).not.toContain("p4ssw0rd!");
    // The input tree is left as it was.
    expect(tree.variable("vEnv")?.qDefinition).toBe("DEV");
  });

  it("fails on names the app does not have", () => {
    expect(() => applyParameters(tree, { ...params, variables: { vTypo: "x" } }, "params.yml")).toThrow(
      ConfigError,
    );
    expect(() => applyParameters(tree, { ...params, variables: { vTypo: "x" } }, "params.yml")).toThrow(
      "Variable 'vTypo' in parameters file 'params.yml' (environment 'test') is not defined in the app",
    );
    expect(() =>
      applyParameters(tree, { ...params, variables: {}, connections: { Nope: {} } }, "params.yml"),
    ).toThrow("Connection 'Nope'");
  });

  it("without parameters, the tree is used as is", () => {
    const { tree: out, credentials } = applyParameters(tree, undefined);
    expect(out).toBe(tree);
    expect(credentials.size).toBe(0);
  });
});

describe("content comparison for plans", () => {
  it("lists everything as added against an empty app and nothing against itself", () => {
    const changes = compareContent(emptyTreeLike(tree), tree, true);
    expect(changes).toEqual(
      expect.arrayContaining([
        { change: "add", kind: "measure", name: "Total" },
        { change: "add", kind: "variable", name: "vEnv" },
        { change: "add", kind: "connection", name: "Sales DB" },
        { change: "update", kind: "script", name: "Load script" },
      ]),
    );
    expect(compareContent(tree, tree, true)).toEqual([]);
  });

  it("lists removals only when pruning", () => {
    const smaller = new AppTree({ ...tree.content, measures: [] });
    expect(compareContent(tree, smaller, true)).toEqual([
      { change: "remove", kind: "measure", name: "Total" },
    ]);
    expect(compareContent(tree, smaller, false)).toEqual([]);
    expect(planBuild(tree, smaller, { prune: false }).kept).toHaveLength(1);
  });

  it("sets the app title to the deployed name", () => {
    expect(withTitle(tree, "Sales (test)").appProperties?.qTitle).toBe("Sales (test)");
    expect(withTitle(tree, "Sales")).toBe(tree);
  });
});
