// The workflow run's event, read once from GITHUB_EVENT_NAME and the payload at GITHUB_EVENT_PATH. Only
// adapters read it; libraries get what they need from it as plain options.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { CiRun } from "@qlik-cicd/common";
import { currentRunUrl } from "./run-context.ts";

export interface RunEvent {
  /** GITHUB_EVENT_NAME, e.g. `push` or `pull_request` ("" outside a run). */
  name: string;
  /** The event payload; empty when there is none or it cannot be read. */
  payload: {
    number?: unknown;
    before?: unknown;
    after?: unknown;
    pull_request?: { number?: unknown; base?: { sha?: unknown } };
    repository?: { default_branch?: unknown };
    head_commit?: { id?: unknown; timestamp?: unknown };
  };
}

export function readRunEvent(env: NodeJS.ProcessEnv = process.env): RunEvent {
  let payload: RunEvent["payload"] = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) payload = parsed;
    } catch {
      // No readable payload: callers fall back to what they can tell without it.
    }
  }
  return { name: env.GITHUB_EVENT_NAME ?? "", payload };
}

const text = (v: unknown) => (typeof v === "string" && v ? v : undefined);

/** `owner` and `repo` from GITHUB_REPOSITORY, or undefined. */
export function runRepository(
  env: NodeJS.ProcessEnv = process.env,
): { owner: string; repo: string } | undefined {
  const [owner, repo, extra] = (env.GITHUB_REPOSITORY ?? "").split("/");
  return owner && repo && extra === undefined ? { owner, repo } : undefined;
}

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** The pull request a `pull_request` or `pull_request_target` run is for, else undefined. */
export function pullRequestOfRun(
  event: RunEvent = readRunEvent(),
  env: NodeJS.ProcessEnv = process.env,
): PullRequestRef | undefined {
  if (event.name !== "pull_request" && event.name !== "pull_request_target") return undefined;
  const repository = runRepository(env);
  const number = Number(event.payload.pull_request?.number ?? event.payload.number);
  if (!repository || !Number.isInteger(number) || number <= 0) return undefined;
  return { ...repository, number };
}

/** The base commit of the pull request the payload is about (any event that carries one). */
export function pullRequestBaseOfRun(event: RunEvent = readRunEvent()): string | undefined {
  return text(event.payload.pull_request?.base?.sha);
}

/** A push's `before` and `after` commits (`before` is absent for a new branch). */
export function pushRangeOfRun(
  event: RunEvent = readRunEvent(),
): { before?: string; after: string } | undefined {
  if (event.name !== "push") return undefined;
  const after = text(event.payload.after);
  if (!after) return undefined;
  const before = text(event.payload.before);
  return { after, ...(before && !/^0+$/.test(before) ? { before } : {}) };
}

/** The repository's default branch named in the payload, if any. */
export function defaultBranchOfRun(event: RunEvent = readRunEvent()): string | undefined {
  return text(event.payload.repository?.default_branch);
}

/**
 * When `sha` was committed: a push names it in `head_commit`; otherwise the checkout in the workspace
 * knows it (no checkout, or a shallow one without that commit: unknown).
 */
export function commitTimeOfRun(
  sha: string | undefined,
  event: RunEvent = readRunEvent(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!sha) return undefined;
  const head = event.payload.head_commit;
  let when = head && text(head.id) === sha ? text(head.timestamp) : undefined;
  if (!when) {
    try {
      when = execFileSync("git", ["show", "-s", "--format=%cI", sha], {
        cwd: env.GITHUB_WORKSPACE || process.cwd(),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        timeout: 5000,
      }).trim();
    } catch {
      return undefined;
    }
  }
  const time = new Date(when ?? "");
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** Everything an operation may need to know about the CI run, from the runner's variables and event. */
export function readCiRun(env: NodeJS.ProcessEnv = process.env): CiRun {
  const event = readRunEvent(env);
  const pr = pullRequestOfRun(event, env);
  const eventPr = Number(event.payload.pull_request?.number);
  const push = pushRangeOfRun(event);
  const base = pullRequestBaseOfRun(event);
  const defaultBranch = defaultBranchOfRun(event);
  const repository = runRepository(env);
  const runUrl = currentRunUrl(env);
  const commitTime = commitTimeOfRun(env.GITHUB_SHA, event, env);
  const onBranch = env.GITHUB_REF_NAME && (env.GITHUB_REF ?? "refs/heads/").startsWith("refs/heads/");
  return {
    ...(repository ? { repository } : {}),
    serverUrl: env.GITHUB_SERVER_URL || "https://github.com",
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
    ...(env.GITHUB_RUN_ATTEMPT ? { runAttempt: env.GITHUB_RUN_ATTEMPT } : {}),
    ...(runUrl ? { runUrl } : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(commitTime ? { commitTime } : {}),
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(onBranch ? { branch: env.GITHUB_REF_NAME } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
    ...(env.GITHUB_TRIGGERING_ACTOR ? { triggeringActor: env.GITHUB_TRIGGERING_ACTOR } : {}),
    eventName: event.name,
    ...(pr ? { pullRequest: pr.number } : {}),
    ...(Number.isInteger(eventPr) && eventPr > 0 ? { eventPullRequest: eventPr } : {}),
    ...(base ? { pullRequestBase: base } : {}),
    ...(push ? { push } : {}),
    ...(defaultBranch ? { defaultBranch } : {}),
  };
}
