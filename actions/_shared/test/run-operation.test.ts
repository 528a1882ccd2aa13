// The Actions adapter in process: inputs from INPUT_* with the operation's defaults, outputs in
// GITHUB_OUTPUT, findings as annotations written by @actions/core, the summary, and one failure line.
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineOperation, type FileFinding } from "@qlik-cicd/common";
import { parseOutputFile } from "../../../test/helpers/run-bundled-action.ts";
import { annotate, runOperation } from "../src/run-operation.ts";

// One folder for the file: @actions/core keeps the summary file's path once it has used it.
const dir = mkdtempSync(join(tmpdir(), "run-operation-"));
let stdout: string;
const saved = { ...process.env };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  writeFileSync(join(dir, "output"), "");
  writeFileSync(join(dir, "summary"), "");
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    QLIK_AUDIT_UPLOAD: "false",
  });
  stdout = "";
  jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...saved };
  process.exitCode = undefined;
});

const finding: FileFinding = {
  rule: "r:1,2",
  severity: "warning",
  file: "apps/a,b/c:d%.json",
  line: 3,
  endLine: 5,
  message: "50% done\r\nnext: a, b",
};

const operation = defineOperation({
  name: "fake",
  inputs: { space: { required: true }, "dry-run": { default: "false" }, fail: {} },
  outputNames: ["plan", "changed"],
  options: (inputs) => ({
    space: inputs.required("space"),
    dryRun: inputs.boolean("dry-run"),
    fail: inputs.string("fail"),
  }),
  async run(options) {
    if (options.fail === "throw") throw new Error("the tenant said no");
    return { space: options.space, dryRun: options.dryRun };
  },
  outputs: (result) => ({ plan: { z: 1, a: result }, changed: !result.dryRun }),
  summary: (result) => `### Plan for ${result.space}`,
  findings: () => [finding],
  failure: (_result, options) => (options.fail === "gate" ? new Error("the gate failed") : undefined),
  failed: () => ({ outputs: { changed: false }, summary: "### Failed" }),
});

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

describe("annotate", () => {
  it("lets @actions/core write and escape the annotation", () => {
    annotate(finding);
    annotate({
      rule: "script-unbalanced",
      severity: "error",
      file: "apps/x/script.qvs",
      line: 12,
      column: 5,
      message: "Unclosed '('",
    });
    expect(stdout.split("\n").filter(Boolean)).toEqual([
      "::warning title=r%3A1%2C2,file=apps/a%2Cb/c%3Ad%25.json,line=3,endLine=5::50%25 done%0D%0Anext: a, b",
      "::error title=script-unbalanced,file=apps/x/script.qvs,line=12,col=5::Unclosed '('",
    ]);
  });
});

describe("runOperation", () => {
  it("reads inputs with their defaults, writes sorted JSON outputs, annotations and the summary", async () => {
    setInputs({ space: "test" });
    await runOperation(operation);
    expect(process.exitCode).toBeUndefined();
    expect(parseOutputFile(readFileSync(join(dir, "output"), "utf8"))).toEqual({
      plan: '{"a":{"dryRun":false,"space":"test"},"z":1}',
      changed: "true",
    });
    expect(stdout).toMatch(/^::warning title=r%3A1%2C2,file=/m);
    expect(readFileSync(join(dir, "summary"), "utf8")).toBe("### Plan for test\n");
  });

  it("fails with one sentence for bad input, before running", async () => {
    setInputs({ space: "test", "dry-run": "maybe" });
    await runOperation(operation);
    expect(process.exitCode).toBe(1);
    expect(stdout).toContain("::error::fake failed: Input 'dry-run' must be true or false, got 'maybe'.");
    expect(readFileSync(join(dir, "output"), "utf8")).toBe("");
  });

  it("writes what is known when the run throws, and fails after the report when the result is a failure", async () => {
    setInputs({ space: "test", fail: "throw" });
    await runOperation(operation);
    expect(process.exitCode).toBe(1);
    expect(parseOutputFile(readFileSync(join(dir, "output"), "utf8"))).toEqual({ changed: "false" });
    expect(readFileSync(join(dir, "summary"), "utf8")).toBe("### Failed\n");
    expect(stdout).toContain("::error::fake failed: the tenant said no");

    writeFileSync(join(dir, "output"), "");
    writeFileSync(join(dir, "summary"), "");
    process.exitCode = undefined;
    setInputs({ space: "test", fail: "gate" });
    await runOperation(operation);
    expect(process.exitCode).toBe(1);
    expect(parseOutputFile(readFileSync(join(dir, "output"), "utf8")).changed).toBe("true");
    expect(readFileSync(join(dir, "summary"), "utf8")).toBe("### Plan for test\n");
    expect(stdout).toContain("::error::fake failed: the gate failed");
  });
});
