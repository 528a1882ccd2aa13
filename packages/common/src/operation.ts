// What every action is, as a library sees it: inputs → options → run → outputs and a summary. The
// GitHub Actions adapter (actions/_shared/src/run-operation.ts) and the CLI (packages/cli/src/run.ts)
// both run an Operation; neither holds any logic of its own about what the action does.
import type { InputReader, InputSpecs } from "./inputs.ts";
import type { Logger } from "./logger.ts";
import type { PathPolicy } from "./workspace-path.ts";

/** The CI run an operation runs in, read by the adapter from the runner's variables and event. */
export interface CiRun {
  /** GITHUB_REPOSITORY as owner and repo. */
  repository?: { owner: string; repo: string };
  /** GITHUB_SERVER_URL (default https://github.com). */
  serverUrl: string;
  runId?: string;
  runAttempt?: string;
  /** Link to the workflow run. */
  runUrl?: string;
  /** GITHUB_SHA, GITHUB_REF. */
  sha?: string;
  /** When GITHUB_SHA was committed (ISO time), so a deployment record can show how old a version is. */
  commitTime?: string;
  ref?: string;
  /** The branch the run is on, when its ref is a branch. */
  branch?: string;
  actor?: string;
  triggeringActor?: string;
  /** GITHUB_EVENT_NAME ("" outside a run). */
  eventName: string;
  /** The pull request of a pull_request(_target) run (where comments go). */
  pullRequest?: number;
  /** The payload's `pull_request.number`, whatever the event (a review, a comment on one). */
  eventPullRequest?: number;
  /** The base commit of the pull request the event is about. */
  pullRequestBase?: string;
  /** A push's range (`before` absent for a new branch). */
  push?: { before?: string; after: string };
  /** The repository's default branch named in the event. */
  defaultBranch?: string;
}

/** One finding on a file, shown as an annotation on GitHub and as `file:line:col rule message` in a terminal. */
export interface FileFinding {
  severity: "error" | "warning" | "notice";
  file: string;
  line: number;
  endLine?: number;
  column?: number;
  rule: string;
  message: string;
}

/** A comment kept up to date on the run's pull request (one per marker). */
export interface PullRequestCommentRequest {
  token: string | undefined;
  marker: string;
  body: string;
  /** What the comment is, for the log: "validation", "performance". */
  what: string;
}

/**
 * What the adapter provides. Everything an operation needs from its surroundings comes from here, so
 * the same operation runs on a runner, in a terminal and in tests.
 */
export interface OperationHost<GitHub = unknown> {
  /** `action` on a runner, `cli` in a terminal (for wording only). */
  kind: "action" | "cli";
  logger: Logger;
  /** A line people should notice (a notice annotation on GitHub). */
  notice(message: string): void;
  /** The checked-out repository on a runner; the current folder in a terminal. */
  workspace: string;
  /** How path inputs resolve, and whether they must stay in the workspace. */
  paths: PathPolicy;
  /** This run's scratch folder (RUNNER_TEMP on a runner; a fresh folder per CLI run). */
  tempDir: string;
  /**
   * Where files a later run reads back go when no input names a place (rollout state): the workspace
   * on a runner, where later steps upload or resume them; `tempDir` in a terminal, so nothing is left
   * in the current folder unless asked for.
   */
  stateDir: string;
  /** Environment the libraries read secret references (`*Env`) and QLIK_* fallbacks from. */
  env: NodeJS.ProcessEnv;
  run: CiRun;
  /** A GitHub client for a token (Octokit from the one factory). */
  github(token: string): GitHub;
  /** True where files can be stored as a workflow artifact. */
  canUploadArtifacts: boolean;
  /** Uploads files as a workflow artifact; false (after saying where they stay) where there is no storage. */
  uploadArtifact(name: string, files: string[], rootDirectory: string): Promise<boolean>;
  /**
   * Downloads a workflow artifact by name into `directory`: of this run, or of run `runId` of this
   * repository (that needs `token` with `actions: read`). Absent where there is no artifact storage.
   */
  downloadArtifact?(request: ArtifactDownloadRequest, directory: string): Promise<void>;
  /** Hands a secret to later steps of the same job (masked first). */
  exportVariable(name: string, value: string): void;
  /** Keeps one comment per marker on the run's pull request; undefined when none was written. */
  commentOnPullRequest(request: PullRequestCommentRequest): Promise<string | undefined>;
}

/** Which workflow artifact to download. */
export interface ArtifactDownloadRequest {
  name: string;
  /** Another workflow run of this repository (default: this run). */
  runId?: string;
  /** A token that can read that run's artifacts (`actions: read`); needed with `runId`. */
  token?: string;
}

/** What is still reported when `run` throws: the outputs and summary known at that point. */
export interface FailureReport {
  outputs?: Record<string, unknown>;
  summary?: string;
}

/**
 * One action as a library operation. `options` reads and checks every input before anything is
 * contacted or written (a ConfigError there is bad usage: exit code 2 in the CLI); `run` does the work;
 * `outputs`, `summary`, `findings` and `failure` describe the result. Output values go through
 * `outputText` (JSON with sorted keys for anything structured).
 */
export interface Operation<Options = unknown, Result = unknown, GitHub = unknown> {
  /** The action's name (its folder, what users type after `qlik-cicd`). */
  name: string;
  inputs: InputSpecs;
  /** Output names, as action.yml declares them. */
  outputNames: readonly string[];
  options(inputs: InputReader, host: OperationHost<GitHub>): Options;
  run(options: Options, host: OperationHost<GitHub>): Promise<Result>;
  outputs(result: Result, options: Options): Record<string, unknown>;
  /** The job summary, markdown. */
  summary(result: Result, options: Options): string;
  /**
   * What a terminal shows after the run, markdown the CLI prints as plain text (default: the summary).
   * For results whose findings the CLI already prints one per line.
   */
  terminal?(result: Result, options: Options): string;
  /** Findings on files (annotations on GitHub). */
  findings?(result: Result): FileFinding[];
  /** An error to end with once outputs and summary are written (a failed gate, a halted rollout). */
  failure?(result: Result, options: Options): Error | undefined;
  /** What to report when `run` throws (e.g. the failed reload's id and log). */
  failed?(error: unknown, options: Options): FailureReport | undefined;
}

/** Declares an operation with its types inferred (an identity function). */
export function defineOperation<Options, Result, GitHub = unknown>(
  operation: Operation<Options, Result, GitHub>,
): Operation<Options, Result, GitHub> {
  return operation;
}
