import * as core from "@actions/core";
import { existsSync, readFileSync } from "node:fs";
import { formatAnnotation, loadLintConfig, type LintConfig } from "@qlik-cicd/app-files";
import { ConfigError, secrets } from "@qlik-cicd/common";
import {
  FAIL_ON,
  renderValidationMarkdown,
  resolveWorkspacePath,
  validateApps,
  validationFailure,
  type FailOn,
  type ValidateAppsResult,
} from "@qlik-cicd/git";
import { GitHubClient } from "@qlik-cicd/github";
import {
  actionsLogger,
  readEnumInput,
  readInput,
  readSecretInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

interface PullRequestEvent {
  number?: number;
  pull_request?: { number?: number; base?: { sha?: string } };
}

function readEvent(): PullRequestEvent | undefined {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file || !existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PullRequestEvent;
  } catch {
    return undefined;
  }
}

function isPullRequestEvent(): boolean {
  return ["pull_request", "pull_request_target"].includes(process.env.GITHUB_EVENT_NAME ?? "");
}

async function commentOnPullRequest(
  token: string,
  event: PullRequestEvent | undefined,
  pathInput: string,
  result: ValidateAppsResult,
): Promise<void> {
  const number = event?.pull_request?.number ?? event?.number;
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? "").split("/");
  if (!isPullRequestEvent() || !number || !owner || !repo) {
    core.info("github-token is set, but this is not a pull_request event: no comment written.");
    return;
  }
  const github = new GitHubClient({ token, apiUrl: process.env.GITHUB_API_URL, logger: actionsLogger });
  const marker = `qlik-validate-app:${pathInput.replace(/-{2,}/g, "-")}`;
  try {
    const comment = await github.upsertComment({
      owner,
      repo,
      issueNumber: number,
      marker,
      body: renderValidationMarkdown(result, { title: `Qlik app validation: \`${pathInput}\`` }),
    });
    core.info(`${comment.created ? "Wrote" : "Updated"} the validation comment: ${comment.url}`);
  } catch (error) {
    // The comment is a convenience: the annotations, summary and outcome stand without it.
    core.warning(
      `The pull request comment could not be written: ${secrets.redact((error as Error).message)}`,
    );
  }
}

export async function run(): Promise<void> {
  await runAction("validate-app", async () => {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const pathInput = readInput(INPUTS.path, { required: true }) as string;
    const failOn = readEnumInput<FailOn>(INPUTS.failOn, FAIL_ON, "error");
    const token = readSecretInput(INPUTS.githubToken);
    const configInput = readInput(INPUTS.config);
    let config: LintConfig | undefined;
    if (configInput) {
      const { absolute } = resolveWorkspacePath(workspace, configInput, INPUTS.config);
      if (!existsSync(absolute)) {
        throw new ConfigError(`Lint config '${configInput}' in 'config' does not exist.`, {
          field: INPUTS.config,
        });
      }
      config = await loadLintConfig(absolute);
    }
    const event = readEvent();
    const baseInput = readInput(INPUTS.base);
    const base = baseInput ?? event?.pull_request?.base?.sha ?? "origin/main";

    const result = await validateApps({
      workspace,
      path: pathInput,
      config,
      base,
      baseRequired: baseInput !== undefined,
      token,
      tempDir: process.env.RUNNER_TEMP || undefined,
      logger: actionsLogger,
    });

    // Annotations: paths are relative to the workspace, so GitHub places them on the files.
    for (const app of result.apps) {
      for (const finding of app.lint.findings) process.stdout.write(`${formatAnnotation(finding)}\n`);
    }
    writeOutput(OUTPUTS.errors, result.errors);
    writeOutput(OUTPUTS.warnings, result.warnings);
    writeOutput(OUTPUTS.diff, Object.fromEntries(result.apps.map((a) => [a.path, a.diff ?? null])));
    writeOutput(
      OUTPUTS.apps,
      result.apps.map((a) => a.path),
    );
    await core.summary.addRaw(secrets.redact(renderValidationMarkdown(result))).write();
    core.info(
      `${result.apps.length} app folder(s): ${result.errors} error(s), ${result.warnings} warning(s).`,
    );
    if (token) await commentOnPullRequest(token, event, pathInput, result);

    const failure = validationFailure(result, failOn);
    if (failure) throw failure;
  });
}
