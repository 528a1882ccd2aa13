// validate-app: lint every app folder named by `path` and diff it against a base revision, without a
// tenant. Inputs → options → validateApps → outputs, summary, findings (annotations) and the failure.
import { existsSync } from "node:fs";
import { loadLintConfig } from "@qlik-cicd/app-files";
import { ConfigError, defineOperation } from "@qlik-cicd/common";
import {
  changedApps,
  FAIL_ON,
  renderValidationMarkdown,
  validateApps,
  validationFailure,
  type FailOn,
  type ValidateAppsResult,
} from "../validate-apps.ts";

export interface ValidateAppOptions {
  workspace: string;
  /** App folder, parent folder or glob, relative to the workspace. */
  path: string;
  /** Absolute path of the lint config, when one is named. */
  config?: string;
  base: string;
  baseRequired: boolean;
  failOn: FailOn;
  token?: string;
  tempDir: string;
}

export const validateAppOperation = defineOperation({
  name: "validate-app",
  inputs: {
    path: { required: true },
    base: {},
    config: {},
    "fail-on": { default: "error" },
    "github-token": {},
  },
  outputNames: ["errors", "warnings", "diff", "apps", "changed-apps"],

  options(inputs, host): ValidateAppOptions {
    const path = inputs.required("path");
    const failOn = inputs.choice("fail-on", FAIL_ON) ?? "error";
    const token = inputs.secret("github-token");
    const config = inputs.path("config");
    if (config && !existsSync(config)) {
      throw new ConfigError(`Lint config '${inputs.string("config")}' in 'config' does not exist.`, {
        field: "config",
      });
    }
    const base = inputs.string("base");
    return {
      workspace: host.workspace,
      path,
      ...(config ? { config } : {}),
      base: base ?? host.run.pullRequestBase ?? "origin/main",
      baseRequired: base !== undefined,
      failOn,
      ...(token ? { token } : {}),
      tempDir: host.tempDir,
    };
  },

  async run(options, host): Promise<ValidateAppsResult> {
    const result = await validateApps({
      workspace: options.workspace,
      path: options.path,
      config: options.config ? await loadLintConfig(options.config) : undefined,
      base: options.base,
      baseRequired: options.baseRequired,
      token: options.token,
      tempDir: options.tempDir,
      logger: host.logger,
    });
    host.logger.info(
      `${result.apps.length} app folder(s): ${result.errors} error(s), ${result.warnings} warning(s).`,
    );
    await host.commentOnPullRequest({
      token: options.token,
      marker: `qlik-validate-app:${options.path.replace(/-{2,}/g, "-")}`,
      body: renderValidationMarkdown(result, { title: `Qlik app validation: \`${options.path}\`` }),
      what: "validation",
    });
    return result;
  },

  outputs: (result) => ({
    errors: result.errors,
    warnings: result.warnings,
    diff: Object.fromEntries(result.apps.map((a) => [a.path, a.diff ?? null])),
    apps: result.apps.map((a) => a.path),
    "changed-apps": changedApps(result),
  }),
  summary: (result) => renderValidationMarkdown(result),
  terminal: (result) => renderValidationMarkdown(result, { lint: false }),
  // Paths are relative to the workspace, so GitHub places the annotations on the files.
  findings: (result) => result.apps.flatMap((a) => a.lint.findings),
  failure: (result, options) => validationFailure(result, options.failOn),
});
