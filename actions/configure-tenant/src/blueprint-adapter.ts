// Adapter pieces shared by configure-tenant and provision-tenant: where secrets go inside a job, the GitHub
// client for Actions secrets, workspace paths and the job summary of a blueprint run.
import * as core from "@actions/core";
import { isAbsolute, resolve } from "node:path";
import { ConfigError, secrets } from "@qlik-cicd/common";
import { renderDriftMarkdown, renderPlanMarkdown } from "@qlik-cicd/tenant";
import type { ConfigureDeps, ConfigureResult } from "@qlik-cicd/tenant";
import { createGitHubClient } from "../../_shared/src/github.ts";
import { actionsLogger, readSecretInput } from "../../_shared/src/index.ts";

export function workspacePath(path: string): string {
  const base = process.env.GITHUB_WORKSPACE || process.cwd();
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * Dependencies of a blueprint run inside a job: GitHub Actions secrets through `github-token`, and new
 * secrets handed to later steps of the same job through GITHUB_ENV (masked first; never as step outputs,
 * which the runner drops when they contain a masked value).
 */
export function blueprintDeps(tokenInput: string): ConfigureDeps {
  const token = readSecretInput(tokenInput);
  return {
    logger: actionsLogger,
    ...(token ? { github: createGitHubClient({ token, logger: actionsLogger }) } : {}),
    ...(process.env.GITHUB_REPOSITORY ? { defaultRepository: process.env.GITHUB_REPOSITORY } : {}),
    exportVariable: (name, value) => {
      secrets.register(value);
      core.setSecret(value);
      if (!process.env.GITHUB_ENV) {
        throw new ConfigError(
          `Cannot hand ${name} to later steps: GITHUB_ENV is not set (this is not a GitHub Actions job).`,
          { field: "exportVariable" },
        );
      }
      core.exportVariable(name, value);
    },
  };
}

export function addConfigureSummary(result: ConfigureResult): void {
  const parts: string[] = [];
  if (result.mode === "drift" && result.drift) {
    parts.push(renderDriftMarkdown(result.drift));
  } else {
    parts.push(renderPlanMarkdown(result.plan, { tenant: result.tenant, applied: result.mode === "apply" }));
  }
  for (const w of result.warnings) parts.push(`> ${w}\n`);
  core.summary.addRaw(secrets.redact(parts.join("\n")), true);
}
