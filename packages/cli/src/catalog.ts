// The actions on disk: every `actions/<name>/action.yml` (folders starting with "_" hold shared code).
// The CLI, the root action generator and the root dispatcher all read the list from here, so adding an
// action folder is all it takes to reach it from every entry point.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export interface InputSpec {
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
  deprecationMessage?: string;
}

export interface OutputSpec {
  description?: string;
}

export interface ActionInfo {
  /** The folder name: what users type (`qlik-cicd <name>`, `command: <name>`). */
  name: string;
  dir: string;
  title: string;
  description: string;
  inputs: Record<string, InputSpec>;
  outputs: Record<string, OutputSpec>;
}

/** actions/ of this repository (packages/cli/src → ../../../actions). */
export function defaultActionsDir(): string {
  return fileURLToPath(new URL("../../../actions/", import.meta.url));
}

export function listActionNames(actionsDir: string = defaultActionsDir()): string[] {
  if (!existsSync(actionsDir)) return [];
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_") && !d.name.startsWith("."))
    .filter((d) => existsSync(join(actionsDir, d.name, "action.yml")))
    .map((d) => d.name)
    .sort();
}

/** Normalises one action.yml (missing sections become empty, defaults stay as written). */
export function parseActionYaml(name: string, dir: string, text: string): ActionInfo {
  const meta = (parse(text) ?? {}) as {
    name?: string;
    description?: string;
    inputs?: Record<string, InputSpec | null>;
    outputs?: Record<string, OutputSpec | null>;
  };
  const inputs: Record<string, InputSpec> = {};
  for (const [key, spec] of Object.entries(meta.inputs ?? {})) inputs[key] = spec ?? {};
  const outputs: Record<string, OutputSpec> = {};
  for (const [key, spec] of Object.entries(meta.outputs ?? {})) outputs[key] = spec ?? {};
  return {
    name,
    dir,
    title: String(meta.name ?? name),
    description: oneLine(meta.description ?? ""),
    inputs,
    outputs,
  };
}

export function loadAction(name: string, actionsDir: string = defaultActionsDir()): ActionInfo {
  const dir = join(actionsDir, name);
  return parseActionYaml(name, dir, readFileSync(join(dir, "action.yml"), "utf8"));
}

export function loadActions(actionsDir: string = defaultActionsDir()): ActionInfo[] {
  return listActionNames(actionsDir).map((name) => loadAction(name, actionsDir));
}

export { isExpression } from "@qlik-cicd/common";

/** Root-only inputs that carry the value of an expression default, e.g. `${{ github.token }}`. */
export function expressionInputName(expression: string): string {
  const inner = expression.replace(/^\s*\$\{\{\s*|\s*\}\}\s*$/g, "");
  return `default-${inner.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase()}`;
}

export function oneLine(text: unknown): string {
  return String(text ?? "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

/** The first sentence of a description, for one-line listings. */
export function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  return m ? m[1] : text;
}
