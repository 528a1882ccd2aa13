/**
 * What happens to an unbuilt app once it is in memory: written into the workspace, compared with the
 * files it replaces, and optionally committed and pushed, or proposed as ONE pull request per app
 * that later runs update in place. No Qlik client here: the caller unbuilds first, so a failure while
 * reading the app never leaves half-written files.
 */
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AppTree,
  diffAppTrees,
  readAppTree,
  renderDiffMarkdown,
  writeAppTree,
  type AppDiff,
} from "@qlik-cicd/app-files";
import { ConfigError, resolveWorkspacePath, silentLogger, type Logger } from "@qlik-cicd/common";
import { DEFAULT_AUTHOR, Git, type GitIdentity } from "./git.ts";

export type CommitMode = "none" | "push" | "pull-request";
export const COMMIT_MODES: readonly CommitMode[] = ["none", "push", "pull-request"];

export interface PullRequestRequest {
  head: string;
  base: string;
  title: string;
  body: string;
}

export interface PullRequestInfo {
  number: number;
  url: string;
  created: boolean;
}

export interface UnbuildToWorkspaceOptions {
  /** The checked-out repository (GITHUB_WORKSPACE). */
  workspace: string;
  /** Folder for the app, relative to the workspace; must stay inside it. */
  path: string;
  /** The app, already unbuilt into memory. */
  tree: AppTree;
  appTitle: string;
  appId: string;
  commit: CommitMode;
  /** push: branch to push to (default the checked-out branch). pull-request: the PR branch (required). */
  branch?: string;
  /** pull-request: the branch the PR targets (required). */
  base?: string;
  message?: string;
  author?: GitIdentity;
  /** Token for HTTPS pushes (an Authorization header; never in a URL). */
  token?: string;
  remote?: string;
  /** pull-request: opens or updates the one PR for `head` (e.g. upsertPullRequest from @qlik-cicd/github). */
  openPullRequest?: (request: PullRequestRequest) => Promise<PullRequestInfo>;
  /** Where temporary worktrees go (default RUNNER_TEMP or the OS temp folder). */
  tempDir?: string;
  logger?: Logger;
}

export interface UnbuildToWorkspaceResult {
  /** The app folder relative to the workspace, `/`-separated. */
  path: string;
  /** Absolute app folder in the workspace (written in modes none and push). */
  dir: string;
  /**
   * none/push: the files in the workspace changed (push: or a commit was made).
   * pull-request: the app differs from the base branch, so the PR has something to show.
   */
  changed: boolean;
  /** Semantic diff: previous files (the base branch's for pull-request) → the new unbuild. */
  diff: AppDiff;
  written: string[];
  removed: string[];
  /** The commit made, when one was. */
  commit?: string;
  /** True when a branch was pushed. */
  pushed: boolean;
  branch?: string;
  pullRequest?: PullRequestInfo;
}

const MAX_PR_BODY = 60_000;

export function defaultCommitMessage(appTitle: string, appId: string): string {
  return `Unbuild Qlik app '${appTitle}' (${appId})`;
}

/** The files previously in `dir`, or an empty tree when there are none or they cannot be read. */
async function previousTree(dir: string, logger: Logger): Promise<AppTree> {
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) return new AppTree({});
  try {
    return await readAppTree(dir);
  } catch (error) {
    logger.warn(
      `The previous files in ${dir} could not be read (${(error as Error).message}); the diff shows everything as added.`,
    );
    return new AppTree({});
  }
}

export function pullRequestBody(appTitle: string, appId: string, diff: AppDiff): string {
  const intro = [
    `Changes to the Qlik app **${appTitle}** (\`${appId}\`), unbuilt from Qlik Cloud.`,
    "",
    "This pull request is updated in place each time the app is unbuilt again; review the files and the",
    "summary below.",
    "",
  ].join("\n");
  let body = intro + renderDiffMarkdown(diff, { title: "What changed" });
  if (body.length > MAX_PR_BODY) {
    body = `${body.slice(0, MAX_PR_BODY)}\n\n…(cut; see the files changed).\n`;
  }
  return body;
}

export async function unbuildToWorkspace(
  options: UnbuildToWorkspaceOptions,
): Promise<UnbuildToWorkspaceResult> {
  const logger = options.logger ?? silentLogger;
  const { absolute: dir, relative } = resolveWorkspacePath(options.workspace, options.path, {
    field: "path",
    kind: "folder",
  });
  const remote = options.remote ?? "origin";
  const message = options.message?.trim() || defaultCommitMessage(options.appTitle, options.appId);
  const author = options.author ?? DEFAULT_AUTHOR;

  if (options.commit === "none") {
    const before = await previousTree(dir, logger);
    const write = await writeAppTree(dir, options.tree);
    return {
      path: relative,
      dir,
      changed: write.changed,
      diff: diffAppTrees(before, options.tree),
      written: write.written,
      removed: write.removed,
      pushed: false,
    };
  }

  const probe = new Git({ cwd: options.workspace, logger });
  if (!(await probe.isRepository())) {
    throw new ConfigError(
      `The workspace ${options.workspace} is not a git repository, so commit '${options.commit}' cannot be used.`,
      { field: "commit", hint: "Check out the repository with actions/checkout first, or set commit: none." },
    );
  }
  const top = await probe.topLevel();
  const git = new Git({ cwd: top, logger });
  const repoRel = path.relative(top, dir).split(path.sep).join("/");

  if (options.commit === "push") {
    const branch = options.branch ?? (await git.currentBranch());
    if (!branch) {
      throw new ConfigError("The checked-out commit is not on a branch: set 'branch' to push to.", {
        field: "branch",
      });
    }
    const before = await previousTree(dir, logger);
    const write = await writeAppTree(dir, options.tree);
    const diff = diffAppTrees(before, options.tree);
    const commit = await git.commitAll([repoRel], message, author);
    if (commit) {
      await git.push(remote, branch, { token: options.token });
      logger.info(`Pushed ${commit.slice(0, 12)} to ${branch}.`);
    } else {
      logger.info(`No changes under ${relative}; nothing to commit.`);
    }
    return {
      path: relative,
      dir,
      changed: write.changed || commit !== undefined,
      diff,
      written: write.written,
      removed: write.removed,
      ...(commit ? { commit } : {}),
      pushed: commit !== undefined,
      branch,
    };
  }

  // pull-request: rebuild the branch from the base in a separate worktree, so the checked-out
  // branch and working tree of the job stay as they are.
  const { branch, base, openPullRequest } = options;
  if (!branch)
    throw new ConfigError("Input 'branch' is required for commit: pull-request.", { field: "branch" });
  if (!base) throw new ConfigError("Input 'base' is required for commit: pull-request.", { field: "base" });
  if (!openPullRequest) throw new Error("unbuildToWorkspace needs openPullRequest for commit: pull-request.");
  if (branch === base) {
    throw new ConfigError(`Input 'branch' ('${branch}') must differ from 'base' for a pull request.`, {
      field: "branch",
    });
  }
  const baseRef = "refs/qlik-cicd/unbuild/base";
  const headRef = "refs/qlik-cicd/unbuild/head";
  const remoteBase = await git.remoteBranchSha(remote, base, options.token);
  if (!remoteBase) {
    throw new ConfigError(`The base branch '${base}' does not exist on '${remote}'.`, { field: "base" });
  }
  const remoteHead = await git.remoteBranchSha(remote, branch, options.token);
  const refspecs = [`+refs/heads/${base}:${baseRef}`];
  if (remoteHead) refspecs.push(`+refs/heads/${branch}:${headRef}`);
  await git.fetch(remote, refspecs, { token: options.token });

  const tempRoot = options.tempDir ?? process.env.RUNNER_TEMP ?? tmpdir();
  const worktree = await mkdtemp(path.join(tempRoot, "qlik-unbuild-"));
  try {
    await git.addWorktree(worktree, baseRef);
    const baseSha = await git.resolveCommit(baseRef);
    const wtDir = path.join(worktree, ...repoRel.split("/"));
    const before = await previousTree(wtDir, logger);
    const write = await writeAppTree(wtDir, options.tree);
    const diff = diffAppTrees(before, options.tree);
    const commit = await git.commitAll([repoRel], message, author, { cwd: worktree });
    if (!commit) {
      logger.info(`The app matches '${base}'; no pull request is needed.`);
      return { path: relative, dir, changed: false, diff, written: [], removed: [], pushed: false, branch };
    }
    // Re-running with an unchanged app gives the same tree on the same base: keep the branch as is.
    let pushed = false;
    const sameAsRemote =
      remoteHead !== undefined &&
      (await git.treeOf(headRef)) === (await git.treeOf(commit, { cwd: worktree })) &&
      (await git.resolveCommit(`${headRef}^`)) === baseSha;
    if (sameAsRemote) {
      logger.info(`Branch '${branch}' already has these changes; not pushing.`);
    } else {
      await git.push(remote, branch, {
        source: commit,
        force: "with-lease",
        expect: remoteHead ?? "",
        token: options.token,
      });
      pushed = true;
      logger.info(`Pushed ${commit.slice(0, 12)} to ${branch} (rebuilt from ${base}).`);
    }
    const pullRequest = await openPullRequest({
      head: branch,
      base,
      title: `Qlik app '${options.appTitle}': changes from Qlik Cloud`,
      body: pullRequestBody(options.appTitle, options.appId, diff),
    });
    return {
      path: relative,
      dir,
      changed: true,
      diff,
      written: write.written,
      removed: write.removed,
      commit: sameAsRemote ? remoteHead : commit,
      pushed,
      branch,
      pullRequest,
    };
  } finally {
    await git.removeWorktree(worktree).catch(() => undefined);
    await git.run(["update-ref", "-d", baseRef], { okCodes: [0, 1, 128] }).catch(() => undefined);
    await git.run(["update-ref", "-d", headRef], { okCodes: [0, 1, 128] }).catch(() => undefined);
  }
}

/**
 * The branch a pull request targets when no base is named: the repository's default branch from the
 * run's event, else the branch the run is on, else the remote's HEAD.
 */
export async function defaultBaseBranch(
  git: Git,
  run: { defaultBranch?: string; branch?: string },
  token: string | undefined,
): Promise<string> {
  if (run.defaultBranch) return run.defaultBranch;
  if (run.branch) return run.branch;
  const remoteHead = await git.remoteDefaultBranch("origin", token).catch(() => undefined);
  if (remoteHead) return remoteHead;
  throw new ConfigError("Could not tell the repository's default branch: set 'base'.", { field: "base" });
}
