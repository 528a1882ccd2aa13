// Runs an action's library operation in a terminal: the same operation, option types, outputs and
// summary the GitHub adapter uses, with a host made of the terminal's surroundings — the current folder,
// a temporary folder per run, log lines on stderr.
import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  auditSummaryMarkdown,
  ConfigError,
  createInputReader,
  describeError,
  openAuditTrail,
  outputText,
  secrets,
  type FileFinding,
  type InputSource,
  type Logger,
  type OperationHost,
} from "@qlik-cicd/common";
import type { GitHubClient } from "@qlik-cicd/github";
import { canUploadArtifacts, uploadArtifact } from "../../../actions/_shared/src/artifacts.ts";
import { readCiRun } from "../../../actions/_shared/src/event.ts";
import { createGitHubClient } from "../../../actions/_shared/src/github.ts";
import { upsertPullRequestComment } from "../../../actions/_shared/src/pull-request-comment.ts";
import { UsageError } from "./args.ts";
import type { AnyOperation } from "./operations.ts";

export interface RunOptions {
  /** Input values by input name (as in action.yml). */
  inputs: Record<string, string>;
  /** Where log lines go; default process.stderr. */
  log?: (text: string) => void;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface CliRunResult {
  /** 0 when the action succeeded, 1 when it failed. */
  exitCode: 0 | 1;
  outputs: Record<string, string>;
  /** The job summary (markdown), as the action writes it on GitHub. */
  summary: string;
  /** What the terminal shows (markdown): the operation's terminal text, else the summary. */
  text: string;
  findings: FileFinding[];
  /** The sentence the run failed with. */
  error?: string;
}

/** Log lines for a terminal: plain prefixes, every registered secret and credential redacted. */
export function terminalLogger(write: (text: string) => void, verbose: boolean): Logger {
  const line = (prefix: string) => (message: string) => write(`${prefix}${secrets.redact(message)}\n`);
  return {
    debug: verbose ? line("debug: ") : () => {},
    info: line(""),
    warn: line("warning: "),
    error: line("error: "),
  };
}

/** Input names whose values are credentials (registered before anything runs). */
export function isSecretInputName(name: string): boolean {
  return /(^|-)(api-key|key|secret|token|password|passphrase)$/i.test(name) || /secret|password/i.test(name);
}

/**
 * Input values given on the command line. Outside a runner the one `${{ … }}` default that means
 * something is the workflow's token: `${{ github.token }}` is GITHUB_TOKEN when set.
 */
export function terminalInputs(inputs: Record<string, string>, env: NodeJS.ProcessEnv): InputSource {
  return {
    get: (name) => inputs[name],
    expression: (expression) =>
      /^\$\{\{\s*github\.token\s*\}\}$/.test(expression) ? env.GITHUB_TOKEN : undefined,
  };
}

/** Appends `name<<delimiter` to GITHUB_ENV, as a runner step would (when the CLI runs inside a job). */
function exportToGitHubEnv(env: NodeJS.ProcessEnv, name: string, value: string): void {
  if (!env.GITHUB_ENV) {
    throw new ConfigError(
      `Cannot hand ${name} to later steps: GITHUB_ENV is not set (this is not a GitHub Actions job).`,
      { field: "exportVariable" },
    );
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(env.GITHUB_ENV, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

/** This run's scratch folder: RUNNER_TEMP when set, else a new folder under the OS temp folder (kept: outputs name files in it). */
function runTempDir(action: string, env: NodeJS.ProcessEnv): string {
  if (env.RUNNER_TEMP) return env.RUNNER_TEMP;
  const root = join(tmpdir(), "qlik-cicd");
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `${action}-`));
}

export function terminalHost(
  action: string,
  logger: Logger,
  write: (text: string) => void,
  env: NodeJS.ProcessEnv,
): OperationHost<GitHubClient> {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const tempDir = runTempDir(action, env);
  return {
    kind: "cli",
    logger,
    notice: (message) => write(`notice: ${secrets.redact(message)}\n`),
    workspace,
    // The person at the terminal owns every file they can name: paths are resolved, not confined.
    paths: { workspace, confine: false },
    tempDir,
    // Rollout state and the like stay out of the current folder unless an input names a place.
    stateDir: tempDir,
    env,
    run: readCiRun(env),
    github: (token) => createGitHubClient({ token, logger }),
    commentOnPullRequest: (request) => upsertPullRequestComment({ ...request, logger }),
    canUploadArtifacts: canUploadArtifacts(env),
    uploadArtifact: (name, files, root) => uploadArtifact(name, files, root, logger),
    exportVariable: (name, value) => exportToGitHubEnv(env, name, value),
  };
}

/**
 * Runs `operation` with `inputs`. Bad input (a ConfigError while the options are read) is a UsageError
 * (exit code 2); a failure while running is exit code 1 with the outputs and summary known so far.
 */
export async function runOperationInTerminal(
  operation: AnyOperation,
  options: RunOptions,
): Promise<CliRunResult> {
  const write = options.log ?? ((text: string) => void process.stderr.write(text));
  const env = options.env ?? process.env;
  const logger = terminalLogger(write, options.verbose ?? false);
  for (const [name, value] of Object.entries(options.inputs))
    if (isSecretInputName(name)) secrets.register(value);
  for (const name of ["QLIK_API_KEY", "QLIK_CLIENT_SECRET", "GITHUB_TOKEN"])
    secrets.register(env[name]?.trim());

  const host = terminalHost(operation.name, logger, write, env);
  const reader = createInputReader(operation.inputs, terminalInputs(options.inputs, env), host.paths);
  let runOptions: unknown;
  try {
    runOptions = operation.options(reader, host);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(describeError(error));
    throw error;
  }

  const audit = openAuditTrail(operation.name, { env, tempDir: host.tempDir, runUrl: host.run.runUrl });
  const outputs: Record<string, string> = {};
  const setOutputs = (values: Record<string, unknown> | undefined) => {
    for (const [name, value] of Object.entries(values ?? {}))
      outputs[name] = secrets.redact(outputText(value));
  };
  let summary = "";
  let text: string | undefined;
  let findings: FileFinding[] = [];
  let error: unknown;
  try {
    let result: unknown;
    try {
      result = await operation.run(runOptions, host);
    } catch (thrown) {
      const report = operation.failed?.(thrown, runOptions);
      setOutputs(report?.outputs);
      summary = report?.summary ?? "";
      throw thrown;
    }
    setOutputs(operation.outputs(result, runOptions));
    findings = operation.findings?.(result) ?? [];
    summary = operation.summary(result, runOptions);
    text = operation.terminal?.(result, runOptions);
    error = operation.failure?.(result, runOptions);
  } catch (thrown) {
    error = thrown;
  } finally {
    audit.close();
  }
  if (audit.count) {
    summary = `${summary.replace(/\n*$/, "\n")}${auditSummaryMarkdown(audit)}`;
    outputs["audit-file"] = audit.file;
  }
  return {
    exitCode: error ? 1 : 0,
    outputs,
    summary: secrets.redact(summary),
    text: secrets.redact(text ?? summary),
    findings,
    ...(error ? { error: secrets.redact(describeError(error)) } : {}),
  };
}
