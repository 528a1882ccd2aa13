// Every action's metadata follows the same contract: node24 runtime, a committed bundle, described
// inputs and outputs, and no input name that the adapter reads without declaring it.
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Ajv } from "ajv";
import { repoRoot } from "../helpers/run-bundled-action.ts";

const actionsDir = join(repoRoot, "actions");
const actions = readdirSync(actionsDir, { withFileTypes: true })
  .filter(
    (d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(join(actionsDir, d.name, "action.yml")),
  )
  .map((d) => d.name)
  .sort();

const schema = {
  type: "object",
  required: ["name", "description", "runs"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1 },
    description: { type: "string", minLength: 1 },
    author: { type: "string" },
    branding: { type: "object" },
    inputs: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["description"],
        additionalProperties: false,
        properties: {
          description: { type: "string", minLength: 1 },
          required: { type: "boolean" },
          default: { type: ["string", "number", "boolean"] },
          deprecationMessage: { type: "string" },
        },
      },
    },
    outputs: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["description"],
        properties: { description: { type: "string", minLength: 1 }, value: { type: "string" } },
      },
    },
    runs: {
      type: "object",
      required: ["using", "main"],
      additionalProperties: false,
      properties: {
        using: { const: "node24" },
        main: { const: "dist/index.js" },
        post: { type: "string" },
        "post-if": { type: "string" },
      },
    },
  },
};
const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);

describe("action metadata", () => {
  it("finds the actions", () => {
    expect(actions.length).toBeGreaterThan(0);
  });

  it.each(actions)("%s/action.yml is valid and its bundle is committed", (name) => {
    const meta = parse(readFileSync(join(actionsDir, name, "action.yml"), "utf8"));
    const ok = validate(meta);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(existsSync(join(actionsDir, name, "dist", "index.js"))).toBe(true);
  });

  it.each(actions)("%s declares every input and output its adapter names", (name) => {
    const meta = parse(readFileSync(join(actionsDir, name, "action.yml"), "utf8"));
    const ioFile = join(actionsDir, name, "src", "io.ts");
    expect(existsSync(ioFile)).toBe(true);
    const io = readFileSync(ioFile, "utf8");
    const section = (title: string) => {
      const m = new RegExp(`export const ${title}\\s*=\\s*\\{([\\s\\S]*?)\\}`).exec(io);
      return m ? [...m[1].matchAll(/:\s*"([a-z0-9-]+)"/g)].map((x) => x[1]) : [];
    };
    const declaredInputs = Object.keys(meta.inputs ?? {});
    const declaredOutputs = Object.keys(meta.outputs ?? {});
    for (const input of section("INPUTS")) expect(declaredInputs).toContain(input);
    for (const output of section("OUTPUTS")) expect(declaredOutputs).toContain(output);
  });
});
