// An action whose engine runs in a worker thread, run as the runner runs an action: a node process
// with INPUT_* and GITHUB_OUTPUT, its stdout read as the runner reads it.
import { afterAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseOutputFile, repoRoot } from "../../../test/helpers/run-bundled-action.ts";

const dir = mkdtempSync(join(tmpdir(), "engine-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const engineThread = pathToFileURL(join(import.meta.dirname, "..", "src", "engine-thread.ts")).href;
// The engines are written outside the repository, so they import @actions/core by its path.
const core = pathToFileURL(join(repoRoot, "node_modules", "@actions", "core", "lib", "core.js")).href;

/** Runs `engineSource` as an action's engine, started the way a launcher starts it, with `limits`. */
async function runAction(
  engineSource: string,
  limits = { youngGenerationMb: 16, oldGenerationMb: 64 },
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; outputs: Record<string, string> }> {
  const name = `case-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, `${name}-engine.mjs`), engineSource.replaceAll("@actions/core", core));
  const launcher = join(dir, `${name}-launcher.mts`);
  writeFileSync(
    launcher,
    [
      `import { runEngineThread } from ${JSON.stringify(engineThread)};`,
      `await runEngineThread(new URL("./${name}-engine.mjs", import.meta.url), ${JSON.stringify(limits)});`,
    ].join("\n"),
  );
  const output = join(dir, `${name}-output`);
  writeFileSync(output, "");
  const child = spawn(process.execPath, [launcher], {
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr, outputs: parseOutputFile(readFileSync(output, "utf8")) };
}

describe("an action's engine in a worker thread", () => {
  it("reads the runner's inputs, writes its outputs, and its lines reach stdout in order", async () => {
    const run = await runAction(
      [
        `import * as core from "@actions/core";`,
        `const who = core.getInput("who", { required: true });`,
        `core.setSecret("hunter2-not-a-real-secret");`,
        `for (let i = 1; i <= 50; i++) core.info("line " + i);`,
        `core.setOutput("greeting", "hello " + who);`,
      ].join("\n"),
      undefined,
      { INPUT_WHO: "runner" },
    );
    expect(run.code).toBe(0);
    expect(run.outputs.greeting).toBe("hello runner");
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toBe("::add-mask::hunter2-not-a-real-secret");
    expect(lines.slice(1)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
  });

  it("fails the step when the engine fails it, with the engine's own sentence", async () => {
    const run = await runAction(
      `import * as core from "@actions/core"; core.setFailed("Input 'tenants-file' names no file: fix the path.");`,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::Input 'tenants-file' names no file: fix the path.");
  });

  it("ends a step whose engine outgrows its heap with one sentence, not a stack trace", async () => {
    const run = await runAction(
      `const keep = []; for (;;) keep.push(new Array(1e5).fill({ n: keep.length }));`,
    );
    expect(run.code).toBe(1);
    const errors = run.stdout.split("\n").filter((l) => l.startsWith("::error::"));
    expect(errors).toEqual([
      "::error::The action ran out of memory (its engine may use 64 MB of heap): run it again.",
    ]);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports an error the engine did not catch as one sentence", async () => {
    const run = await runAction(`throw new Error("the engine could not start");`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::The action stopped unexpectedly: the engine could not start");
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });
});
