/**
 * Validating unbuilt apps in a repository without a tenant: lint every app folder, and compare each
 * with the same folder at a base revision (read through git), for pull requests.
 */
import { glob, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AppTree,
  diffAppTrees,
  isAppFolder,
  noAppFolderError,
  lintAppTree,
  readAppTree,
  renderDiffMarkdown,
  renderLintMarkdown,
  type AppDiff,
  type Finding,
  type LintConfig,
  type LintResult,
} from "@qlik-cicd/app-files";
import { CicdError, ConfigError, resolveWorkspacePath, silentLogger, type Logger } from "@qlik-cicd/common";
import { Git } from "./git.ts";

const SKIP_DIRS = new Set(["node_modules", "dist", "coverage"]);
const MAX_DEPTH = 6;

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function collectApps(dir: string, depth: number, out: Set<string>): Promise<void> {
  if (await isAppFolder(dir)) {
    out.add(dir);
    return;
  }
  if (depth >= MAX_DEPTH) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory() || entry.name.startsWith(".") || SKIP_DIRS.has(entry.name)) continue;
    await collectApps(path.join(dir, entry.name), depth + 1, out);
  }
}

/**
 * App folders named by `input` (relative to the workspace): an app folder, a folder holding app
 * folders, or a glob such as `apps/*`. Absolute paths, sorted; at least one or a ConfigError.
 */
export async function findAppFolders(workspace: string, input: string, field = "path"): Promise<string[]> {
  const root = path.resolve(workspace);
  const value = input.trim();
  if (!value)
    throw new ConfigError(`Input '${field}' is empty: name an app folder such as apps/sales.`, { field });
  const candidates: string[] = [];
  if (/[*?[{]/.test(value)) {
    if (path.isAbsolute(value) || value.split(/[\\/]/).includes("..")) {
      throw new ConfigError(`Input '${field}' ('${value}') must be a pattern relative to the workspace.`, {
        field,
      });
    }
    for await (const match of glob(value, { cwd: root })) {
      // A match through a symbolic link may still lead out of the workspace.
      candidates.push(resolveWorkspacePath(root, match, { field }).absolute);
    }
  } else {
    candidates.push(resolveWorkspacePath(root, value, { field }).absolute);
  }
  const found = new Set<string>();
  for (const candidate of candidates.sort()) {
    if (await isDir(candidate)) await collectApps(candidate, 0, found);
  }
  if (found.size === 0) throw noAppFolderError(value, field, { orContainer: true });
  return [...found].sort();
}

export interface AppValidation {
  /** The app folder relative to the workspace, `/`-separated. */
  path: string;
  lint: LintResult;
  /** Base → head; undefined when no comparison was possible (see `diffNote`). */
  diff?: AppDiff;
  /** Why there is no diff, or a remark about it (e.g. the app is new at the base). */
  diffNote?: string;
}

export interface ValidateAppsOptions {
  workspace: string;
  /** App folder, parent folder or glob, relative to the workspace. */
  path: string;
  /** Lint config to use for every app; default: `.qlik-lint.yml` found from each app folder upwards. */
  config?: LintConfig;
  /** Revision to compare with; the comparison uses its merge base with HEAD when there is one. */
  base?: string;
  /** True when `base` was given by the user (a missing base is then an error, not a skipped diff). */
  baseRequired?: boolean;
  /** Token for fetching a base revision the clone lacks. */
  token?: string;
  tempDir?: string;
  logger?: Logger;
}

export interface ValidateAppsResult {
  apps: AppValidation[];
  errors: number;
  warnings: number;
  /** The commit compared with, when there was one. */
  baseSha?: string;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

/** Finds `rev` locally, or fetches it (a sha, or `origin/<branch>`) once. */
async function ensureRevision(git: Git, rev: string, token: string | undefined, logger: Logger) {
  const local = await git.resolveCommit(rev);
  if (local) return local;
  const remoteBranch = /^origin\/(.+)$/.exec(rev)?.[1];
  const refspec = /^[0-9a-f]{40}$/i.test(rev)
    ? rev
    : remoteBranch
      ? `+refs/heads/${remoteBranch}:refs/remotes/origin/${remoteBranch}`
      : `+refs/heads/${rev}:refs/remotes/origin/${rev}`;
  try {
    await git.fetch("origin", [refspec], { token, depth: /^[0-9a-f]{40}$/i.test(rev) ? 1 : undefined });
  } catch (error) {
    logger.debug(`Fetching ${rev} failed: ${(error as Error).message}`);
  }
  return (
    (await git.resolveCommit(rev)) ?? (remoteBranch ? undefined : await git.resolveCommit(`origin/${rev}`))
  );
}

export async function validateApps(options: ValidateAppsOptions): Promise<ValidateAppsResult> {
  const logger = options.logger ?? silentLogger;
  const workspace = path.resolve(options.workspace);
  const dirs = await findAppFolders(workspace, options.path);

  // Where to compare with, if anywhere.
  let git: Git | undefined;
  let top = workspace;
  let compareSha: string | undefined;
  let baseSha: string | undefined;
  let noDiff: string | undefined;
  const probe = new Git({ cwd: workspace, logger });
  if (!options.base) {
    noDiff = "no base revision to compare with";
  } else if (!(await probe.isRepository())) {
    if (options.baseRequired) {
      throw new ConfigError(`Input 'base' needs a git repository, but ${workspace} is not one.`, {
        field: "base",
      });
    }
    noDiff = "the workspace is not a git repository";
  } else {
    top = await probe.topLevel();
    git = new Git({ cwd: top, logger });
    baseSha = await ensureRevision(git, options.base, options.token, logger);
    if (!baseSha) {
      if (options.baseRequired) {
        throw new ConfigError(`Base revision '${options.base}' in 'base' was not found in the repository.`, {
          field: "base",
          hint: "Check out with fetch-depth: 0, or name a branch or commit the clone has.",
        });
      }
      noDiff = `base revision '${options.base}' is not in the clone (check out with fetch-depth: 0)`;
      logger.warn(`Not comparing with a base: ${noDiff}.`);
    } else {
      const head = await git.resolveCommit("HEAD");
      compareSha = (head && (await git.mergeBase(baseSha, head))) || baseSha;
      logger.info(`Comparing with ${short(compareSha)} (${options.base}).`);
    }
  }

  const apps: AppValidation[] = [];
  const tempRoot = await mkdtemp(path.join(options.tempDir ?? tmpdir(), "qlik-validate-"));
  try {
    for (const [index, dir] of dirs.entries()) {
      const rel = path.relative(workspace, dir).split(path.sep).join("/") || ".";
      const lint = await lintAppTree(dir, options.config, { pathBase: workspace });
      const app: AppValidation = { path: rel, lint };
      if (git && compareSha) {
        let head: AppTree | undefined;
        try {
          head = await readAppTree(dir);
        } catch (error) {
          app.diffNote = `the files could not be read (${(error as Error).message})`;
        }
        if (head) {
          const baseDir = path.join(tempRoot, String(index));
          const repoRel = path.relative(top, dir).split(path.sep).join("/");
          const read = await git.readTreeAtRevision(compareSha, repoRel, baseDir);
          let before = new AppTree({});
          if (!read.existed) app.diffNote = `new app: not present at ${short(compareSha)}`;
          else {
            try {
              before = await readAppTree(baseDir);
            } catch (error) {
              app.diffNote = `the base files could not be read (${(error as Error).message}); showing everything as added`;
            }
          }
          app.diff = diffAppTrees(before, head);
        }
      } else {
        app.diffNote = noDiff;
      }
      apps.push(app);
    }
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
  return {
    apps,
    errors: apps.reduce((n, a) => n + a.lint.errors, 0),
    warnings: apps.reduce((n, a) => n + a.lint.warnings, 0),
    ...(compareSha ? { baseSha: compareSha } : {}),
  };
}

/**
 * The app folders whose files differ semantically from the base (a new app counts), for evaluating
 * only what a pull request changes. Without a comparison (no base, unreadable files) every app folder
 * counts, so nothing goes unevaluated.
 */
export function changedApps(result: ValidateAppsResult): string[] {
  return result.apps.filter((a) => a.diff === undefined || a.diff.changed).map((a) => a.path);
}

export type FailOn = "error" | "warning" | "never";
export const FAIL_ON: readonly FailOn[] = ["error", "warning", "never"];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function describeFinding(f: Finding): string {
  return `${f.file}:${f.line} ${f.message} (${f.rule})`;
}

/** The one-sentence failure for `failOn`, or undefined when the validation passes. */
export function validationFailure(result: ValidateAppsResult, failOn: FailOn): CicdError | undefined {
  if (failOn === "never") return undefined;
  const levels = failOn === "error" ? ["error"] : ["error", "warning"];
  const failing = result.apps.filter((a) => a.lint.findings.some((f) => levels.includes(f.severity)));
  if (failing.length === 0) return undefined;
  const count = failOn === "error" ? result.errors : result.errors + result.warnings;
  const first = failing[0].lint.findings.find((f) => levels.includes(f.severity)) as Finding;
  const what =
    failOn === "error"
      ? plural(count, "error")
      : `${plural(result.errors, "error")} and ${plural(result.warnings, "warning")}`;
  return new CicdError(
    `${what} in ${failing.map((a) => a.path).join(", ")}: first ${describeFinding(first)}.`,
  );
}

/**
 * Job summary and PR comment: per app a lint table and the semantic diff. `lint: false` leaves the
 * lint tables out (a terminal lists the findings one per line instead).
 */
export function renderValidationMarkdown(
  result: ValidateAppsResult,
  options: { title?: string; lint?: boolean } = {},
): string {
  const lines = [
    `## ${options.title ?? "Qlik app validation"}`,
    "",
    `${plural(result.apps.length, "app")}: ${plural(result.errors, "error")}, ${plural(result.warnings, "warning")}` +
      (result.baseSha ? `, compared with \`${short(result.baseSha)}\`.` : "."),
    "",
  ];
  for (const app of result.apps) {
    const status = app.lint.errors > 0 ? "❌" : app.lint.warnings > 0 ? "⚠️" : "✅";
    lines.push(`### ${status} \`${app.path}\``, "");
    if (options.lint !== false) {
      lines.push(renderLintMarkdown(app.lint, { title: "Lint", maxRows: 100 }).replace(/^### /, "#### "));
    }
    if (app.diff) {
      if (app.diffNote) lines.push(`_${app.diffNote}_`, "");
      lines.push(renderDiffMarkdown(app.diff, { title: "", maxRowsPerKind: 50 }).replace(/^### /gm, "#### "));
    } else {
      lines.push(`_No semantic diff: ${app.diffNote ?? "no base"}._`, "");
    }
  }
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}
