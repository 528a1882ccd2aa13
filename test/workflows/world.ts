// The test world the example workflows run in: the Qlik Cloud simulator (in process), the GitHub double
// (whose repository history is the git remote's), a real git repository (a bare "origin" plus a scratch clone to make commits with) and an
// artifact store. Also the events a test sends: pushes, pull requests, dispatches.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "@qlik-cicd/simulator";
import { startGitHubDouble, type GitHubDouble } from "../helpers/github-double.ts";
import type { World, WorkflowEvent } from "./runner.ts";

export interface TestWorld extends World {
  sim: RunningSimulator;
  /** A clone of the remote on main where a test makes commits (then `push`). */
  scratch: string;
  git(cwd: string, ...args: string[]): string;
  /** Writes files into the scratch clone, commits and pushes to `branch`; returns the push event. */
  commitAndPush(files: Record<string, string | null>, message: string, branch?: string): WorkflowEvent;
  /** Merges a pull request's head branch into its base in the remote (a merge commit); returns the push event. */
  mergePullRequest(number: number): WorkflowEvent;
  /** A pull_request event for an open pull request on the GitHub double. */
  pullRequestEvent(number: number, action?: string): WorkflowEvent;
  close(): Promise<void>;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: "Dana Developer",
  GIT_AUTHOR_EMAIL: "dana@example.invalid",
  GIT_COMMITTER_NAME: "Dana Developer",
  GIT_COMMITTER_EMAIL: "dana@example.invalid",
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      ...IDENTITY,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      LC_ALL: "C",
    },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

export async function createWorld(
  options: { simulator?: SimulatorOptions; owner?: string; repo?: string } = {},
): Promise<TestWorld> {
  const tmp = mkdtempSync(join(tmpdir(), "workflow-world-"));
  const remote = join(tmp, "remote.git");
  const scratch = join(tmp, "scratch");
  const artifacts = join(tmp, "artifacts");
  mkdirSync(artifacts);
  git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  git(tmp, "clone", "--quiet", remote, scratch);
  git(scratch, "checkout", "--quiet", "-B", "main");
  writeFileSync(join(scratch, "README.md"), "# Qlik apps\n");
  git(scratch, "add", "-A");
  git(scratch, "commit", "--quiet", "-m", "initial");
  git(scratch, "push", "--quiet", "-u", "origin", "main");

  const githubToken = "ghs_workflowTokenForTheRun0123456789";
  const appToken = "ghs_appInstallationToken9876543210";
  const owner = options.owner ?? "acme";
  const repo = options.repo ?? "qlik-apps";
  let github: GitHubDouble | undefined;
  let sim: RunningSimulator | undefined;
  try {
    github = await startGitHubDouble({ tokens: [githubToken, appToken] });
    // GitHub links commit e-mails to accounts: Dana's commits and the unbuild action's.
    github.linkEmail(IDENTITY.GIT_AUTHOR_EMAIL, { login: "dana" });
    github.linkEmail("41898282+github-actions[bot]@users.noreply.github.com", {
      login: "github-actions[bot]",
      type: "Bot",
    });
    sim = await startSimulator({ tenants: 1, seed: "demo", ...options.simulator });
  } catch (error) {
    await github?.close();
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  const gh = github;
  const repository = gh.repo(`${owner}/${repo}`);
  repository.gitDir = remote;
  const simulator = sim;

  const pushEvent = (branch: string, before: string, after: string): WorkflowEvent => ({
    name: "push",
    payload: {
      ref: `refs/heads/${branch}`,
      before,
      after,
      repository: { full_name: `${owner}/${repo}`, default_branch: "main" },
      pusher: { name: "dana" },
    },
  });

  return {
    remote,
    github: gh,
    repository,
    githubToken,
    appToken,
    artifacts,
    tmp,
    sim: simulator,
    scratch,
    git,
    commitAndPush(files, message, branch = "main") {
      git(scratch, "fetch", "--quiet", "origin");
      const exists = git(remote, "branch", "--list", branch) !== "";
      git(scratch, "checkout", "--quiet", "-B", branch, exists ? `origin/${branch}` : "origin/main");
      const before = git(scratch, "rev-parse", "HEAD");
      for (const [path, text] of Object.entries(files)) {
        const file = join(scratch, path);
        if (text === null) rmSync(file, { force: true, recursive: true });
        else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
        }
      }
      git(scratch, "add", "-A");
      git(scratch, "commit", "--quiet", "--allow-empty", "-m", message);
      git(scratch, "push", "--quiet", "origin", `HEAD:refs/heads/${branch}`);
      return pushEvent(branch, exists ? before : "0".repeat(40), git(scratch, "rev-parse", "HEAD"));
    },
    mergePullRequest(number) {
      const pr = repository.pulls.find((p) => p.number === number);
      if (!pr || pr.state !== "open") throw new Error(`Pull request #${number} is not open.`);
      git(scratch, "fetch", "--quiet", "origin");
      git(scratch, "checkout", "--quiet", "-B", pr.base, `origin/${pr.base}`);
      const before = git(scratch, "rev-parse", "HEAD");
      git(
        scratch,
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        `Merge pull request #${number} from ${owner}/${pr.head}`,
        `origin/${pr.head}`,
      );
      git(scratch, "push", "--quiet", "origin", `HEAD:refs/heads/${pr.base}`);
      pr.state = "closed";
      pr.merged = true;
      return pushEvent(pr.base, before, git(scratch, "rev-parse", "HEAD"));
    },
    pullRequestEvent(number, action = "opened") {
      const pr = repository.pulls.find((p) => p.number === number);
      if (!pr) throw new Error(`No pull request #${number}.`);
      return {
        name: "pull_request",
        payload: {
          action,
          number,
          pull_request: {
            number,
            title: pr.title,
            head: { ref: pr.head, sha: git(remote, "rev-parse", `refs/heads/${pr.head}`) },
            base: { ref: pr.base, sha: git(remote, "rev-parse", `refs/heads/${pr.base}`) },
          },
          repository: { full_name: `${owner}/${repo}`, default_branch: "main" },
        },
      };
    },
    async close() {
      await gh.close();
      await simulator.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
