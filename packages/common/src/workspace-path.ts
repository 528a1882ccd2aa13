// The one helper that turns a path input into an absolute path and keeps it inside the workspace. On a
// runner every path input goes through it (the adapter's input reader), and so do the libraries that
// write into a checked-out repository (unbuild, validate).
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "./errors.ts";

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

function isInside(root: string, candidate: string, allowRoot: boolean): boolean {
  const rel = path.relative(root, candidate);
  if (rel === "") return allowRoot;
  return !rel.startsWith("..") && !path.isAbsolute(rel);
}

export interface WorkspacePathOptions {
  /** The input's name, for messages (default `path`). */
  field?: string;
  /**
   * `folder`: a folder the tool writes into, strictly inside the workspace (not the workspace itself).
   * `path` (default): a file, folder or pattern that may also be the workspace itself.
   */
  kind?: "folder" | "path";
  /** Other folders the job owns where paths may also point (the runner's temp folder). */
  alsoInside?: readonly string[];
}

function within(root: string, absolute: string, allowRoot: boolean): boolean {
  return (
    isInside(root, absolute, allowRoot) && isInside(realExisting(root), realExisting(absolute), allowRoot)
  );
}

/**
 * Resolves a path input against the workspace and checks that it stays inside it: no `..` escape, no
 * absolute path elsewhere, no symbolic link pointing out. Returns the absolute path and the path
 * relative to the workspace (`/`-separated; relative to the other root when it is inside one of those).
 */
export function resolveWorkspacePath(
  workspace: string,
  input: string,
  options: WorkspacePathOptions = {},
): { absolute: string; relative: string } {
  const field = options.field ?? "path";
  const folder = options.kind === "folder";
  const root = path.resolve(workspace);
  const value = input.trim();
  if (!value) {
    throw new ConfigError(
      `Input '${field}' is empty: give a ${folder ? "folder" : "path"} inside the workspace.`,
      { field },
    );
  }
  const absolute = path.resolve(root, value);
  for (const base of [root, ...(options.alsoInside ?? []).map((p) => path.resolve(p))]) {
    if (within(base, absolute, !folder)) {
      return { absolute, relative: path.relative(base, absolute).split(path.sep).join("/") || "." };
    }
  }
  if (folder) {
    throw new ConfigError(
      `Input '${field}' ('${value}') must be a folder inside the workspace ${root}, not outside it or the workspace itself.`,
      { field, hint: "Use a relative path such as apps/sales." },
    );
  }
  throw new ConfigError(`Input '${field}' ('${value}') must stay inside the workspace ${root}.`, {
    field,
    hint: "Use a path relative to the repository, such as apps/sales.",
  });
}

/**
 * How an adapter resolves path inputs. On a runner paths stay inside the workspace (and the runner's
 * temp folder): inputs can come from workflow expressions, so a path must not reach files the job did
 * not check out. In a terminal the person running the command owns every file they can name, so
 * paths are only resolved against the current folder.
 */
export interface PathPolicy {
  /** Relative paths are resolved against this folder. */
  workspace: string;
  /** True on a runner: paths outside `workspace` and `alsoInside` are refused. */
  confine: boolean;
  alsoInside?: readonly string[];
}

export function resolvePathInput(
  policy: PathPolicy,
  input: string,
  options: Omit<WorkspacePathOptions, "alsoInside"> = {},
): string {
  if (policy.confine) {
    return resolveWorkspacePath(policy.workspace, input, { ...options, alsoInside: policy.alsoInside })
      .absolute;
  }
  const value = input.trim();
  if (!value) {
    const field = options.field ?? "path";
    throw new ConfigError(`Input '${field}' is empty: give a path.`, { field });
  }
  return path.resolve(policy.workspace, value);
}
