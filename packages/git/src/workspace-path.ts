import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "@qlik-cicd/common";

/** The nearest existing ancestor of `p`, resolved through symbolic links. */
function realExisting(p: string): string {
  let current = p;
  const rest: string[] = [];
  while (!existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    rest.unshift(path.basename(current));
    current = parent;
  }
  return path.join(realpathSync(current), ...rest);
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/**
 * Resolves a folder input against the workspace and checks it stays strictly inside it (no `..`
 * escape, no absolute path elsewhere, no symbolic link pointing out, not the workspace itself).
 * Returns the absolute path and the path relative to the workspace (`/`-separated).
 */
export function resolveWorkspacePath(
  workspace: string,
  input: string,
  field = "path",
): { absolute: string; relative: string } {
  const root = path.resolve(workspace);
  const value = input.trim();
  if (!value)
    throw new ConfigError(`Input '${field}' is empty: give a folder inside the workspace.`, { field });
  const absolute = path.resolve(root, value);
  const realRoot = realExisting(root);
  if (!isInside(root, absolute) || !isInside(realRoot, realExisting(absolute))) {
    throw new ConfigError(
      `Input '${field}' ('${value}') must be a folder inside the workspace ${root}, not outside it or the workspace itself.`,
      { field, hint: "Use a relative path such as apps/sales." },
    );
  }
  return { absolute, relative: path.relative(root, absolute).split(path.sep).join("/") };
}
