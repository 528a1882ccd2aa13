import * as core from "@actions/core";
import { existsSync } from "node:fs";
import { formatAnnotation, loadLintConfig, type LintConfig } from "@qlik-cicd/app-files";
import { ConfigError, secrets } from "@qlik-cicd/common";
import {
  FAIL_ON,
  renderValidationMarkdown,
  resolveWorkspacePath,
  validateApps,
  validationFailure,
  type FailOn,
} from "@qlik-cicd/git";
import {
  actionsLogger,
  pullRequestBaseOfRun,
  readEnumInput,
  readInput,
  readRunEvent,
  readSecretInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import { upsertPullRequestComment } from "../../_shared/src/pull-request-comment.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

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
    const baseInput = readInput(INPUTS.base);
    const base = baseInput ?? pullRequestBaseOfRun(readRunEvent()) ?? "origin/main";

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
    await upsertPullRequestComment({
      token,
      marker: `qlik-validate-app:${pathInput.replace(/-{2,}/g, "-")}`,
      body: renderValidationMarkdown(result, { title: `Qlik app validation: \`${pathInput}\`` }),
      what: "validation",
    });

    const failure = validationFailure(result, failOn);
    if (failure) throw failure;
  });
}
