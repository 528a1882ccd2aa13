// The root action's dispatcher: `uses: <owner>/<repo>@v1` with `command: <action>` runs
// actions/<action>/dist/index.js in the same process, with the inputs the runner already set. The
// sub-action applies its own defaults (its operation declares them); only `${{ … }}` defaults, which
// the runner evaluates in action.yml alone, arrive through the root's `default-…` inputs.
import * as core from "@actions/core";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  expressionInputName,
  isExpression,
  listActionNames,
  loadAction,
  type ActionInfo,
} from "../../../packages/cli/src/catalog.ts";

/** The runner's environment variable for an input: `INPUT_` + upper case, spaces → `_`, hyphens kept. */
function inputEnvName(input: string): string {
  return `INPUT_${input.replace(/ /g, "_").toUpperCase()}`;
}

/**
 * Fills INPUT_* for every input of the sub-action whose default is an expression and that arrived
 * empty, from the root's `default-…` input (e.g. `github-token` from `default-github-token`).
 */
export function bridgeExpressionDefaults(action: ActionInfo, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (!isExpression(spec.default)) continue;
    const key = inputEnvName(name);
    if ((env[key] ?? "").trim() !== "") continue;
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

/** Validates the command and runs the sub-action's bundle; a bad command fails the step in one sentence. */
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
    core.setFailed(message);
    return { ok: false, message };
  }
  bridgeExpressionDefaults(loadAction(command, actionsDir), env);
  await import(pathToFileURL(join(actionsDir, command, "dist", "index.js")).href);
  return { ok: true };
}
