// Command-line parsing for `qlik-cicd <action> --<input> value …`: inputs mirror the action's
// action.yml; a few options of the CLI itself are reserved names.
import { editDistance } from "@qlik-cicd/common";
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

/** " (did you mean 'x'?)" when one candidate is close to what was typed, else "". */
export function suggestion(typed: string, candidates: string[], prefix = ""): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(typed, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(typed.length / 4))
    ? ` (did you mean '${prefix}${best}'?)`
    : "";
}

/**
 * Parses the arguments after the action name. `--name value`, `--name=value`, a bare `--flag` for
 * true/false inputs (`--no-flag` for false); an input given twice is joined with a newline (list inputs).
 */
export function parseActionArgs(action: ActionInfo, argv: string[]): ParsedActionArgs {
  const options: CliOptions = { help: false, json: false, verbose: false };
  const inputs: Record<string, string> = {};
  const names = Object.keys(action.inputs);
  const helpHint = `see 'qlik-cicd ${action.name} --help'`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      options.help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      throw new UsageError(
        `Unexpected argument '${arg}' for ${action.name}: inputs are given as --<input> <value>; ${helpHint}.`,
      );
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const next = argv[i + 1];
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      if (next !== undefined && !next.startsWith("--")) {
        i++;
        return next;
      }
      return undefined;
    };

    if ((CLI_FLAGS as readonly string[]).includes(name)) {
      const value = inline ?? "true";
      if (!BOOLEAN_WORDS.includes(value.toLowerCase())) {
        throw new UsageError(`Option '--${name}' takes no value (or true/false), got '${value}'.`);
      }
      options[name as (typeof CLI_FLAGS)[number]] = value.toLowerCase() === "true";
      continue;
    }
    if ((CLI_VALUE_OPTIONS as readonly string[]).includes(name)) {
      const value = takeValue();
      if (!value) throw new UsageError(`Option '--${name}' needs a file path.`);
      if (name === "summary-file") options.summaryFile = value;
      else options.outputFile = value;
      continue;
    }

    let input = name;
    let value: string | undefined;
    if (!(input in action.inputs) && input.startsWith("no-") && isBooleanInput(action, input.slice(3))) {
      if (inline !== undefined) throw new UsageError(`Option '--${name}' takes no value.`);
      input = input.slice(3);
      value = "false";
    } else if (!(input in action.inputs)) {
      throw new UsageError(
        `Unknown input '--${name}' for ${action.name}${suggestion(name, names, "--")}; ${helpHint}.`,
      );
    } else {
      value = takeValue();
      if (value === undefined) {
        if (!isBooleanInput(action, input)) {
          throw new UsageError(`Input '--${input}' of ${action.name} needs a value.`);
        }
        value = "true";
      }
    }
    inputs[input] = input in inputs ? `${inputs[input]}\n${value}` : value;
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
