// qlik-cicd's help and usage errors, spawned as a user runs it (Node 24, no GitHub environment).
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { repoRoot } from "../helpers/run-bundled-action.ts";
import { runCli } from "./spawn.ts";

const actionsDir = join(repoRoot, "actions");
const actionsOnDisk = readdirSync(actionsDir, { withFileTypes: true })
  .filter(
    (d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(join(actionsDir, d.name, "action.yml")),
  )
  .map((d) => d.name)
  .sort();

function expectOneSentence(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: [A-Z].*\.$/);
  return lines[0];
}

describe("qlik-cicd help", () => {
  it("--help lists every action found on disk, and exits 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.exitCode).toBe(0);
    expect(actionsOnDisk.length).toBeGreaterThan(2);
    for (const name of actionsOnDisk) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(r.stdout).toMatch(/^ {2}simulator /m);
    expect(r.stdout).toMatch(/^ {2}webhook-relay /m);
    expect(r.stdout).not.toMatch(/^ {2}_/m);
  });

  it("<action> --help shows its inputs with required/default and its outputs", async () => {
    const r = await runCli(["deploy-to-space", "--help"]);
    expect(r.exitCode).toBe(0);
    const meta = parse(readFileSync(join(actionsDir, "deploy-to-space", "action.yml"), "utf8")) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    };
    for (const input of Object.keys(meta.inputs)) expect(r.stdout).toMatch(new RegExp(`^  --${input} `, "m"));
    for (const output of Object.keys(meta.outputs))
      expect(r.stdout).toMatch(new RegExp(`^  ${output}$`, "m"));
    expect(r.stdout).toMatch(/^ {2}--space <value> {2}\(required\)$/m);
    expect(r.stdout).toMatch(/^ {2}--dry-run \[true\|false\] {2}\(default: "false"\)$/m);
    expect(r.stdout).toContain("Usage: qlik-cicd deploy-to-space --space <value>");
  });

  it("shows a GitHub-only expression default as such", async () => {
    const r = await runCli(["help", "approve-gate"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("--github-token <value>  (default on GitHub: ${{ github.token }})");
  });

  it("without arguments prints the help on stderr and exits 2", async () => {
    const r = await runCli([]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: qlik-cicd <action>");
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      "error: No action given; run 'qlik-cicd --help' for the list.",
    );
  });
});

describe("qlik-cicd usage errors exit 2 with one sentence", () => {
  it("unknown action", async () => {
    const r = await runCli(["deploy-to-spaces", "--space", "x"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(expectOneSentence(r.stderr)).toContain(
      "Unknown action 'deploy-to-spaces' (did you mean 'deploy-to-space'?)",
    );
  });

  it("unknown input", async () => {
    const r = await runCli(["deploy-to-space", "--space", "test", "--dryrun"]);
    expect(r.exitCode).toBe(2);
    expect(expectOneSentence(r.stderr)).toContain(
      "Unknown input '--dryrun' for deploy-to-space (did you mean '--dry-run'?)",
    );
  });

  it("missing required input", async () => {
    const r = await runCli(["deploy-to-space", "--dry-run", "--source", "apps/sales"]);
    expect(r.exitCode).toBe(2);
    expect(expectOneSentence(r.stderr)).toBe(
      "error: Input '--space' is required for deploy-to-space; see 'qlik-cicd deploy-to-space --help'.",
    );
  });

  it("an input that needs a value", async () => {
    const r = await runCli(["deploy-to-space", "--space"]);
    expect(r.exitCode).toBe(2);
    expect(expectOneSentence(r.stderr)).toBe("error: Input '--space' of deploy-to-space needs a value.");
  });

  it("a stray positional argument", async () => {
    const r = await runCli(["deploy-to-space", "test"]);
    expect(r.exitCode).toBe(2);
    expect(expectOneSentence(r.stderr)).toContain("Unexpected argument 'test' for deploy-to-space");
  });
});
