// The CLI's parts in-process: workflow command translation, argument parsing, help for every action.
import { describe, expect, it } from "@jest/globals";
import {
  checkRequiredInputs,
  inputEnvironment,
  loadActions,
  parseActionArgs,
  parseOutputFile,
  parseWorkflowCommand,
  renderActionHelp,
  RESERVED_NAMES,
  toDotenv,
  UsageError,
  WorkflowCommandTranslator,
  type ActionInfo,
} from "@qlik-cicd/cli";

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

function translate(chunks: string[], verbose = false) {
  let out = "";
  const t = new WorkflowCommandTranslator({ write: (s) => (out += s), verbose });
  for (const c of chunks) t.write(c);
  t.flush();
  return { out, errors: t.errors };
}

describe("workflow command translation", () => {
  it("turns runner commands into plain lines and hides masked values from then on", () => {
    const { out, errors } = translate([
      "::add-mask::s3cr3t-value\n",
      "connecting with s3cr3t-value\n",
      "::group::Deploy\n",
      "::debug::hidden\n",
      "::warning file=apps/a/script.qvs,line=3,col=2,title=Lint::unused%0Avariable\n",
      "::error::fake failed: bad s3cr3t-value\n",
      "::endgroup::\n",
      "::notice::fyi\n",
    ]);
    expect(out).toBe(
      [
        "connecting with ***",
        "",
        "==> Deploy",
        "warning: apps/a/script.qvs:3:2: Lint: unused",
        "variable",
        "error: fake failed: bad ***",
        "notice: fyi",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual(["fake failed: bad ***"]);
  });

  it("prints each line as soon as it is complete, joining partial writes", () => {
    let out = "";
    const t = new WorkflowCommandTranslator({ write: (s) => (out += s) });
    t.write("Reload 1 ");
    expect(out).toBe("");
    t.write("running\nReload 1 succ");
    expect(out).toBe("Reload 1 running\n");
    t.write(Buffer.from("eeded\r\n"));
    expect(out).toBe("Reload 1 running\nReload 1 succeeded\n");
  });

  it("shows debug lines only when verbose, and honours stop-commands", () => {
    expect(translate(["::debug::x\n"], true).out).toBe("debug: x\n");
    const { out } = translate([
      "::stop-commands::tok\n",
      "::error::literal\n",
      "::tok::\n",
      "::error::real\n",
    ]);
    expect(out).toBe("::error::literal\nerror: real\n");
  });

  it("parses properties with escaped separators", () => {
    expect(parseWorkflowCommand("::error file=a%2Cb%3Ac.qvs,line=1::100%25 bad")).toEqual({
      command: "error",
      properties: { file: "a,b:c.qvs", line: "1" },
      message: "100% bad",
    });
    expect(parseWorkflowCommand("plain :: text")).toBeUndefined();
  });
});

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

  it("sets INPUT_* like the runner: literal defaults, then values; github.token only from GITHUB_TOKEN", () => {
    expect(inputEnvironment(fake, { space: "s", "dry-run": "true" }, {})).toEqual({
      INPUT_SPACE: "s",
      "INPUT_DRY-RUN": "true",
      INPUT_PRUNE: "true",
    });
    expect(inputEnvironment(fake, {}, { GITHUB_TOKEN: "ghs_x" })["INPUT_GITHUB-TOKEN"]).toBe("ghs_x");
  });

  it("parses GITHUB_OUTPUT heredocs and writes dotenv", () => {
    const outputs = parseOutputFile("a<<EOF\nline 1\nline 2\nEOF\nb-c=x=y\n");
    expect(outputs).toEqual({ a: "line 1\nline 2", "b-c": "x=y" });
    expect(toDotenv(outputs)).toBe('A="line 1\\nline 2"\nB_C=x=y\n');
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
