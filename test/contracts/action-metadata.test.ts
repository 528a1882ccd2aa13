// Every action's metadata follows the same contract: node24 runtime, a committed bundle, described
// inputs and outputs — and exactly the inputs (with the same required flags and defaults) and outputs
// that the action's library operation declares, since the operation is where defaults become values.
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Ajv } from "ajv";
import { pathToFileURL } from "node:url";
import type { Operation } from "@qlik-cicd/common";
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

  it.each(actions)("%s declares exactly the inputs, defaults and outputs of its operation", async (name) => {
    const meta = parse(readFileSync(join(actionsDir, name, "action.yml"), "utf8")) as {
      inputs?: Record<string, { required?: boolean; default?: unknown }>;
      outputs?: Record<string, unknown>;
    };
    const main = join(actionsDir, name, "src", "main.ts");
    const { operation } = (await import(pathToFileURL(main).href)) as { operation: Operation };
    const declared = Object.fromEntries(
      Object.entries(meta.inputs ?? {}).map(([input, spec]) => [
        input,
        {
          required: spec.required === true,
          default: spec.default === undefined ? undefined : String(spec.default),
        },
      ]),
    );
    const inOperation = Object.fromEntries(
      Object.entries(operation.inputs).map(([input, spec]) => [
        input,
        { required: spec.required === true, default: spec.default },
      ]),
    );
    expect(operation.name).toBe(name);
    expect(inOperation).toEqual(declared);
    expect([...operation.outputNames].sort()).toEqual(Object.keys(meta.outputs ?? {}).sort());
  });
});
