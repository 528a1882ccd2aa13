// Help texts, generated from the action.yml files so they never drift from the actions.
import { isBooleanInput } from "./args.ts";
import { firstSentence, isExpression, oneLine, type ActionInfo } from "./catalog.ts";

const WIDTH = 100;

/** Wraps text to WIDTH columns, every line indented by `indent` spaces. */
export function wrap(text: string, indent: number): string {
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  let current = "";
  for (const word of oneLine(text).split(" ").filter(Boolean)) {
    if (current && pad.length + current.length + 1 + word.length > WIDTH) {
      lines.push(pad + current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(pad + current);
  return lines.join("\n");
}

export interface ExtraCommand {
  name: string;
  description: string;
}

const OPTIONS_HELP = [
  ["--json", "Print the action's outputs as one JSON object on stdout."],
  ["--summary-file <path>", "Write the job summary (markdown) to this file."],
  ["--output-file <path>", "Write the outputs to this file: JSON, or KEY=value lines when it ends in .env."],
  ["--verbose", "Also show debug lines."],
  ["--help", "Show help."],
];

function optionsBlock(): string[] {
  const width = Math.max(...OPTIONS_HELP.map(([flag]) => flag.length));
  return OPTIONS_HELP.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function renderGlobalHelp(actions: ActionInfo[], extra: ExtraCommand[]): string {
  const names = [...actions.map((a) => a.name), ...extra.map((e) => e.name)];
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = [
    "qlik-cicd: run the Qlik Cloud CI/CD actions from any CI system or a terminal.",
    "",
    "Usage: qlik-cicd <action> [--<input> <value> …] [options]",
    "       qlik-cicd <action> --help",
    "",
    "Actions:",
    ...actions.map((a) => `  ${a.name.padEnd(width)}  ${firstSentence(a.description)}`),
  ];
  if (extra.length) {
    lines.push("", "Other commands:", ...extra.map((e) => `  ${e.name.padEnd(width)}  ${e.description}`));
  }
  lines.push(
    "",
    "Options:",
    ...optionsBlock(),
    "",
    "Connection inputs fall back to QLIK_TENANT_URL, QLIK_API_KEY, QLIK_CLIENT_ID and QLIK_CLIENT_SECRET.",
    "Exit codes: 0 success, 1 the action failed, 2 bad usage (an unknown option, a missing or malformed",
    "input). Logs and results go to stderr; stdout only carries --json.",
    "",
  );
  return lines.join("\n");
}

export function renderActionHelp(action: ActionInfo): string {
  const required = Object.entries(action.inputs)
    .filter(([, s]) => s.required && (s.default === undefined || s.default === ""))
    .map(([n]) => ` --${n} <value>`)
    .join("");
  const lines = [
    `qlik-cicd ${action.name}: ${action.title}`,
    "",
    wrap(action.description, 0),
    "",
    `Usage: qlik-cicd ${action.name}${required} [--<input> <value> …] [options]`,
    "",
  ];
  const inputs = Object.entries(action.inputs);
  if (inputs.length) {
    lines.push("Inputs:");
    for (const [name, spec] of inputs) {
      const value = isBooleanInput(action, name) ? " [true|false]" : " <value>";
      const notes: string[] = [];
      if (spec.required) notes.push("required");
      if (spec.default !== undefined && spec.default !== "") {
        notes.push(
          isExpression(spec.default)
            ? `default on GitHub: ${String(spec.default)}`
            : `default: ${JSON.stringify(String(spec.default))}`,
        );
      }
      if (spec.deprecationMessage) notes.push(`deprecated: ${oneLine(spec.deprecationMessage)}`);
      lines.push(`  --${name}${value}${notes.length ? `  (${notes.join("; ")})` : ""}`);
      if (spec.description) lines.push(wrap(spec.description, 6));
    }
    lines.push("");
  }
  const outputs = Object.entries(action.outputs);
  if (outputs.length) {
    lines.push("Outputs (shown after the run; --json prints them as JSON):");
    for (const [name, spec] of outputs) {
      lines.push(`  ${name}`);
      if (spec.description) lines.push(wrap(spec.description, 6));
    }
    lines.push("");
  }
  lines.push("Options:", ...optionsBlock(), "");
  return lines.join("\n");
}
