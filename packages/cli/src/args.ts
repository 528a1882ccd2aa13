// Command-line parsing for `qlik-cicd <action> --<input> value …` with node:util parseArgs: inputs
// mirror the action's inputs; a few options of the CLI itself are reserved names.
import { parseArgs } from "node:util";
import { nearbyNames } from "@qlik-cicd/common";
import type { ActionInfo } from "./catalog.ts";

/** Bad usage: exit code 2 and one sentence on stderr. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface CliOptions {
  help: boolean;
  json: boolean;
  verbose: boolean;
  summaryFile?: string;
  outputFile?: string;
}

/** Options of the CLI itself; no action input may use these names (a test keeps it that way). */
export const CLI_FLAGS = ["help", "json", "verbose"] as const;
export const CLI_VALUE_OPTIONS = ["summary-file", "output-file"] as const;
export const RESERVED_NAMES: readonly string[] = [...CLI_FLAGS, ...CLI_VALUE_OPTIONS];

export interface ParsedActionArgs {
  inputs: Record<string, string>;
  options: CliOptions;
}

const BOOLEAN_WORDS = ["true", "false"];

/** An input whose declared default is true/false may be given as a bare flag (`--dry-run`). */
export function isBooleanInput(action: ActionInfo, name: string): boolean {
  const value = action.inputs[name]?.default;
  return typeof value === "boolean" || BOOLEAN_WORDS.includes(String(value ?? "").toLowerCase());
}

/** " (did you mean 'x'?)" when a candidate is close to what was typed, else "". */
export function suggestion(typed: string, candidates: string[], prefix = ""): string {
  const [best] = nearbyNames(typed, candidates, 1);
  return best === undefined ? "" : ` (did you mean '${prefix}${best}'?)`;
}

type ParseConfig = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/**
 * Parses the arguments after the action name: `--name value`, `--name=value`, a bare `--flag` for
 * true/false inputs (`--no-flag` for false, `--flag false` too); an input given twice is joined with a
 * newline (list inputs). Every mistake is a UsageError naming the option.
 */
export function parseActionArgs(action: ActionInfo, argv: string[]): ParsedActionArgs {
  const names = Object.keys(action.inputs);
  const config: ParseConfig = {};
  for (const flag of CLI_FLAGS)
    config[flag] = { type: "boolean", ...(flag === "help" ? { short: "h" } : {}) };
  for (const option of CLI_VALUE_OPTIONS) config[option] = { type: "string" };
  for (const name of names) config[name] = { type: isBooleanInput(action, name) ? "boolean" : "string" };
  const { tokens } = parseArgs({
    args: argv,
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });

  const options: CliOptions = { help: false, json: false, verbose: false };
  const inputs: Record<string, string> = {};
  const helpHint = `see 'qlik-cicd ${action.name} --help'`;
  const add = (input: string, value: string) => {
    inputs[input] = input in inputs ? `${inputs[input]}\n${value}` : value;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === "positional") {
      throw new UsageError(
        `Unexpected argument '${token.value}' for ${action.name}: inputs are given as --<input> <value>; ${helpHint}.`,
      );
    }
    if (token.kind !== "option") continue;
    const { name, rawName } = token;
    // parseArgs takes the next argument as a string option's value even when it is another option:
    // that is a missing value.
    const value = token.inlineValue || !token.value?.startsWith("--") ? token.value : undefined;
    const next = tokens[i + 1];
    const takeWord = (): string | undefined => {
      if (token.inlineValue) return token.value;
      if (next?.kind === "positional") {
        i++;
        return next.value;
      }
      return undefined;
    };

    if ((CLI_FLAGS as readonly string[]).includes(name)) {
      const word = token.inlineValue ? (token.value ?? "") : "true";
      if (!BOOLEAN_WORDS.includes(word.toLowerCase())) {
        throw new UsageError(`Option '--${name}' takes no value (or true/false), got '${word}'.`);
      }
      options[name as (typeof CLI_FLAGS)[number]] = word.toLowerCase() === "true";
    } else if ((CLI_VALUE_OPTIONS as readonly string[]).includes(name)) {
      if (!value) throw new UsageError(`Option '--${name}' needs a file path.`);
      if (name === "summary-file") options.summaryFile = value;
      else options.outputFile = value;
    } else if (name in action.inputs && isBooleanInput(action, name)) {
      add(name, takeWord() ?? "true");
    } else if (name in action.inputs) {
      if (value === undefined) throw new UsageError(`Input '--${name}' of ${action.name} needs a value.`);
      add(name, value);
    } else if (name.startsWith("no-") && isBooleanInput(action, name.slice(3))) {
      if (token.inlineValue) throw new UsageError(`Option '${rawName}' takes no value.`);
      add(name.slice(3), "false");
    } else {
      throw new UsageError(
        `Unknown input '${rawName}' for ${action.name}${suggestion(name, names, "--")}; ${helpHint}.`,
      );
    }
  }
  return { inputs, options };
}

/** Throws a UsageError naming the first required input that was not given (or given empty). */
export function checkRequiredInputs(action: ActionInfo, inputs: Record<string, string>): void {
  for (const [name, spec] of Object.entries(action.inputs)) {
    const hasDefault = spec.default !== undefined && String(spec.default) !== "";
    if (spec.required && !hasDefault && !(inputs[name] ?? "").trim()) {
      throw new UsageError(
        `Input '--${name}' is required for ${action.name}; see 'qlik-cicd ${action.name} --help'.`,
      );
    }
  }
}
