// The CLI's parts in-process: argument parsing, inputs and defaults, terminal text, help for every action,
// and the one operation per action that the adapter and the CLI share.
import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createInputReader } from "@qlik-cicd/common";
import {
  checkRequiredInputs,
  loadActions,
  loadOperation,
  markdownToText,
  OPERATIONS,
  parseActionArgs,
  renderActionHelp,
  renderFindings,
  RESERVED_NAMES,
  terminalInputs,
  toDotenv,
  UsageError,
  type ActionInfo,
} from "@qlik-cicd/cli";
import { parseOutputFile } from "../helpers/run-bundled-action.ts";

const fake: ActionInfo = {
  name: "fake",
  dir: "/nowhere",
  title: "Fake",
  description: "A fake action.",
  inputs: {
    space: { description: "Space.", required: true },
    "dry-run": { description: "Plan only.", default: "false" },
    prune: { description: "Delete.", default: true },
    approvers: { description: "Who." },
    "github-token": { description: "Token.", default: "${{ github.token }}" },
  },
  outputs: { changed: { description: "Changed." } },
};

describe("argument parsing", () => {
  it("takes --name value, --name=value, bare and --no- booleans, repeated list inputs", () => {
    const { inputs, options } = parseActionArgs(fake, [
      "--space=a=b",
      "--dry-run",
      "--no-prune",
      "--approvers",
      "alice",
      "--approvers",
      "bob",
      "--json",
      "--output-file",
      "o.json",
    ]);
    expect(inputs).toEqual({ space: "a=b", "dry-run": "true", prune: "false", approvers: "alice\nbob" });
    expect(options).toEqual({ help: false, json: true, verbose: false, outputFile: "o.json" });
  });

  it("rejects unknown inputs and missing required ones with a UsageError", () => {
    expect(() => parseActionArgs(fake, ["--spaces", "x"])).toThrow(UsageError);
    expect(() => parseActionArgs(fake, ["--approvers"])).toThrow("needs a value");
    expect(() => checkRequiredInputs(fake, { space: "  " })).toThrow("Input '--space' is required for fake");
    expect(() => checkRequiredInputs(fake, { space: "s" })).not.toThrow();
  });

  it("reads inputs like the runner: the declared default when empty; github.token only from GITHUB_TOKEN", () => {
    const specs = {
      space: { required: true },
      "dry-run": { default: "false" },
      prune: { default: "true" },
      approvers: {},
      "github-token": { default: "${{ github.token }}" },
    };
    const paths = { workspace: "/w", confine: false };
    const given = createInputReader(specs, terminalInputs({ space: "s", "dry-run": "true" }, {}), paths);
    expect([given.string("space"), given.boolean("dry-run"), given.boolean("prune")]).toEqual([
      "s",
      true,
      true,
    ]);
    expect(given.string("approvers")).toBeUndefined();
    expect(given.secret("github-token")).toBeUndefined();
    const withToken = createInputReader(specs, terminalInputs({}, { GITHUB_TOKEN: "ghs_x" }), paths);
    expect(withToken.secret("github-token")).toBe("ghs_x");
    expect(withToken.given("github-token")).toBe(false);
  });

  it("parses values that look like options as missing, and bare or worded booleans", () => {
    expect(() => parseActionArgs(fake, ["--space", "--dry-run"])).toThrow(
      "Input '--space' of fake needs a value.",
    );
    expect(parseActionArgs(fake, ["--dry-run", "false", "--space=x"]).inputs).toEqual({
      "dry-run": "false",
      space: "x",
    });
    expect(parseActionArgs(fake, ["-h"]).options.help).toBe(true);
    expect(() => parseActionArgs(fake, ["--json=maybe"])).toThrow("takes no value");
    expect(() => parseActionArgs(fake, ["--summary-file"])).toThrow("needs a file path");
    expect(() => parseActionArgs(fake, ["stray"])).toThrow("Unexpected argument 'stray' for fake");
  });

  it("parses GITHUB_OUTPUT heredocs and writes dotenv", () => {
    const outputs = parseOutputFile("a<<EOF\nline 1\nline 2\nEOF\nb-c=x=y\n");
    expect(outputs).toEqual({ a: "line 1\nline 2", "b-c": "x=y" });
    expect(toDotenv(outputs)).toBe('A="line 1\\nline 2"\nB_C=x=y\n');
  });
});

describe("terminal text", () => {
  it("shows findings as file:line:col rule message, errors first", () => {
    const text = renderFindings([
      { severity: "warning", file: "apps/a/script.qvs", line: 9, rule: "w-rule", message: "Unused." },
      {
        severity: "error",
        file: "apps/a/script.qvs",
        line: 3,
        column: 5,
        rule: "e-rule",
        message: "Bad\nthing.",
      },
    ]);
    expect(text).toBe(
      "Errors (1):\napps/a/script.qvs:3:5 e-rule Bad thing.\n\nWarnings (1):\napps/a/script.qvs:9 w-rule Unused.\n",
    );
  });

  it("turns a summary into aligned text: headings, tables, links, no HTML", () => {
    const md = [
      "### Deploy plan: Sales → test",
      "",
      "App **Sales** on `acme`, see [the run](https://x/run).",
      "",
      "| Change | Kind | Name |",
      "| --- | --- | --- |",
      "| ➕ add | measure | Total \\| Sum |",
      "| ✏️ update | script | Load script |",
      "",
      "<details><summary>Content diff</summary>",
      "",
      "| | |",
      "| --- | --- |",
      "| App | x<br>y &lt;z&gt; |",
      "</details>",
    ].join("\n");
    expect(markdownToText(md)).toBe(
      [
        "Deploy plan: Sales → test",
        "-------------------------",
        "",
        "App Sales on acme, see the run (https://x/run).",
        "",
        "  Change     Kind     Name",
        "  ➕ add     measure  Total | Sum",
        "  ✏️ update  script   Load script",
        "",
        "Content diff",
        "",
        "  App  x; y <z>",
        "",
      ].join("\n"),
    );
  });
});

describe("every action on disk", () => {
  const actions = loadActions();

  it.each(actions.map((a) => [a.name, a] as const))(
    "%s: no input uses a name the CLI reserves",
    (_n, action) => {
      for (const name of Object.keys(action.inputs)) expect(RESERVED_NAMES).not.toContain(name);
    },
  );

  it("has one library operation, the same object its adapter runs", async () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(actions.map((a) => a.name));
    for (const action of actions) {
      const main = join(action.dir, "src", "main.ts");
      expect(existsSync(main)).toBe(true);
      const adapter = (await import(pathToFileURL(main).href)) as { operation: unknown };
      const operation = await loadOperation(action.name);
      expect(adapter.operation).toBe(operation);
      expect(operation?.name).toBe(action.name);
      // The adapter holds no logic of its own: it imports the operation and runs it.
      expect(readFileSync(main, "utf8")).not.toMatch(/@actions\/core|process\.env|INPUT_/);
    }
  });

  it.each(actions.map((a) => [a.name, a] as const))(
    "%s --help names every input and output",
    (_n, action) => {
      const help = renderActionHelp(action);
      for (const input of Object.keys(action.inputs)) expect(help).toContain(`  --${input} `);
      for (const output of Object.keys(action.outputs))
        expect(help).toMatch(new RegExp(`^  ${output}$`, "m"));
    },
  );
});
