// Every example workflow parses, fits the workflow schema and keeps the promises the examples make to
// users (see workflow-lint.ts). A missing action shows up here as "action X not built yet".
import { describe, expect, it } from "@jest/globals";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./runner.ts";
import { lintWorkflow } from "./workflow-lint.ts";

const dir = join(repoRoot, "workflows-examples");
const examples = readdirSync(dir)
  .filter((f) => f.endsWith(".yml"))
  .sort();

describe("workflows-examples", () => {
  it("has the six pipelines", () => {
    expect(examples).toEqual([
      "drift-check.yml",
      "estate-status.yml",
      "multi-tenant-rollout.yml",
      "pr-validation.yml",
      "single-tenant-pipeline.yml",
      "tenant-onboarding.yml",
    ]);
  });

  it.each(examples)("%s passes the structural checks", (file) => {
    expect(lintWorkflow(join(dir, file))).toEqual([]);
  });
});
