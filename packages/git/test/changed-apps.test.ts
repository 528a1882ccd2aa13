// Which app folders a pull request changes (validate-app's `changed-apps`): a real repository with a
// base commit holding two apps and a head that changes one, reformats nothing else and adds a third.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { changedApps, validateApps } from "../src/index.ts";
import { validateAppOperation } from "../src/operations/validate-app.ts";
import { createRepo, sh, type TestRepo } from "./helpers.ts";

const CLEAN_APP = join(import.meta.dirname, "..", "..", "app-files", "test", "fixtures", "lint", "clean");
let repo: TestRepo;

beforeAll(() => {
  repo = createRepo("changed-apps-");
  cpSync(CLEAN_APP, join(repo.work, "apps/sales"), { recursive: true });
  cpSync(CLEAN_APP, join(repo.work, "apps/finance"), { recursive: true });
  sh(repo.work, "add", "-A");
  sh(repo.work, "commit", "--quiet", "-m", "base apps");
  sh(repo.work, "push", "--quiet", "origin", "main");
  sh(repo.work, "checkout", "--quiet", "-b", "feature");
  const measures = join(repo.work, "apps/sales/measures.json");
  writeFileSync(
    measures,
    readFileSync(measures, "utf8").replace("Count(DISTINCT OrderID)", "Count(OrderID)"),
  );
  cpSync(CLEAN_APP, join(repo.work, "apps/inventory"), { recursive: true });
  sh(repo.work, "add", "-A");
  sh(repo.work, "commit", "--quiet", "-m", "change sales, add inventory");
});

afterAll(() => repo?.cleanup());

describe("changed-apps", () => {
  it("lists the changed and the new app folders, not the unchanged one", async () => {
    const result = await validateApps({ workspace: repo.work, path: "apps/*", base: "main" });
    expect(result.apps.map((a) => a.path)).toEqual(["apps/finance", "apps/inventory", "apps/sales"]);
    expect(changedApps(result)).toEqual(["apps/inventory", "apps/sales"]);
    const outputs = validateAppOperation.outputs(result, {} as never);
    expect(outputs["changed-apps"]).toEqual(["apps/inventory", "apps/sales"]);
  });

  it("is empty when the pull request changes no app", async () => {
    const result = await validateApps({ workspace: repo.work, path: "apps/finance", base: "main" });
    expect(changedApps(result)).toEqual([]);
  });

  it("lists every app folder when there is no base to compare with", async () => {
    const result = await validateApps({ workspace: repo.work, path: "apps/*" });
    expect(changedApps(result)).toEqual(["apps/finance", "apps/inventory", "apps/sales"]);
  });
});
