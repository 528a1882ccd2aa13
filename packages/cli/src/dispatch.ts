// The root action's dispatcher: `uses: <owner>/<repo>@v1` with `command: <action>` runs
// actions/<action>/dist/index.js in the same process, with the inputs the runner already set.
// Sub-action defaults the root action.yml cannot carry (they differ between actions, or are
// expressions) are applied here before the sub-action starts.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inputEnvName, isExpression, listActionNames, loadAction, type ActionInfo } from "./catalog.ts";

/** Root-only inputs that carry the value of an expression default, e.g. `${{ github.token }}`. */
export function expressionInputName(expression: string): string {
  const inner = expression.replace(/^\s*\$\{\{\s*|\s*\}\}\s*$/g, "");
  return `default-${inner.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase()}`;
}

/** Escapes text for a workflow command's message, as @actions/core does. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/**
 * Fills INPUT_* for every input of the sub-action that has a default in its action.yml but arrived
 * empty: literal defaults as written, `${{ … }}` defaults from the root's `default-…` input.
 */
export function applySubActionDefaults(action: ActionInfo, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.default === undefined) continue;
    const key = inputEnvName(name);
    if ((env[key] ?? "").trim() !== "") continue;
    if (!isExpression(spec.default)) {
      env[key] = String(spec.default);
      continue;
    }
    const value = String(spec.default).replace(/\$\{\{[^}]*\}\}/g, (expr) => {
      return env[inputEnvName(expressionInputName(expr))] ?? "";
    });
    if (value.trim()) env[key] = value;
  }
}

export interface DispatchResult {
  ok: boolean;
  message?: string;
}

/** Validates the command and runs the sub-action's bundle; failures print one ::error:: line. */
export async function dispatch(
  actionsDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DispatchResult> {
  const names = listActionNames(actionsDir).filter((n) =>
    existsSync(join(actionsDir, n, "dist", "index.js")),
  );
  const command = (env.INPUT_COMMAND ?? "").trim();
  const list = `Available commands: ${names.join(", ")}.`;
  let message: string | undefined;
  if (!command) message = `Input 'command' is required. ${list}`;
  else if (!names.includes(command)) message = `Unknown command '${command}'. ${list}`;
  if (message) {
    process.stdout.write(`::error::${escapeData(message)}\n`);
    process.exitCode = 1;
    return { ok: false, message };
  }
  applySubActionDefaults(loadAction(command, actionsDir), env);
  await import(pathToFileURL(join(actionsDir, command, "dist", "index.js")).href);
  return { ok: true };
}
