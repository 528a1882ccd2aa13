// What a blueprint run needs from its surroundings, shared by configure-tenant and provision-tenant.
import { secrets, type OperationHost } from "@qlik-cicd/common";
import type { GitHubClient } from "@qlik-cicd/github";
import type { ConfigureDeps, ConfigureResult } from "../blueprint/configure.ts";
import { renderDriftMarkdown } from "../blueprint/drift.ts";
import { renderPlanMarkdown } from "../blueprint/render.ts";

/**
 * Dependencies of a blueprint run: GitHub Actions secrets through `github-token`, and new secrets handed
 * to later steps of the same job (masked first; never as step outputs, which the runner drops when they
 * contain a masked value).
 */
export function blueprintDeps(host: OperationHost<GitHubClient>, token: string | undefined): ConfigureDeps {
  const repository = host.run.repository;
  return {
    logger: host.logger,
    ...(token ? { github: host.github(token) } : {}),
    ...(repository ? { defaultRepository: `${repository.owner}/${repository.repo}` } : {}),
    exportVariable: (name, value) => {
      secrets.register(value);
      host.exportVariable(name, value);
    },
  };
}

/** The job summary of a blueprint run: the plan (or what was applied) or the drift report, and warnings. */
export function configureSummary(result: ConfigureResult): string {
  const parts: string[] = [];
  if (result.mode === "drift" && result.drift) {
    parts.push(renderDriftMarkdown(result.drift));
  } else {
    parts.push(renderPlanMarkdown(result.plan, { tenant: result.tenant, applied: result.mode === "apply" }));
  }
  for (const w of result.warnings) parts.push(`> ${w}\n`);
  return parts.join("\n");
}
