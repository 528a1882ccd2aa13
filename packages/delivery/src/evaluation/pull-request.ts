/** The gate's result as one comment on the pull request, updated in place on every run. */
import { readFileSync } from "node:fs";
import type { Logger } from "@qlik-cicd/common";
import type { EvaluationReport } from "./report.ts";
import { renderEvaluationMarkdown, type RenderOptions } from "./render.ts";

/** What posting needs from a GitHub client (`GitHubClient` from @qlik-cicd/github fits). */
export interface CommentPoster {
  upsertComment(params: {
    owner: string;
    repo: string;
    issueNumber: number;
    marker: string;
    body: string;
  }): Promise<{ id: number; url: string; created: boolean }>;
}

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/**
 * The pull request a workflow run is for: `GITHUB_EVENT_NAME` pull_request (or pull_request_target),
 * the number from the event payload at `GITHUB_EVENT_PATH`, the repository from `GITHUB_REPOSITORY`.
 */
export function pullRequestFromEnv(env: NodeJS.ProcessEnv = process.env): PullRequestRef | undefined {
  const event = env.GITHUB_EVENT_NAME ?? "";
  if (event !== "pull_request" && event !== "pull_request_target") return undefined;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo || !env.GITHUB_EVENT_PATH) return undefined;
  let payload: { number?: unknown; pull_request?: { number?: unknown } };
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
  } catch {
    return undefined;
  }
  const number = Number(payload.pull_request?.number ?? payload.number);
  return Number.isInteger(number) && number > 0 ? { owner, repo, number } : undefined;
}

/** The hidden marker of this app's comment: `qlik-evaluate-app:<app>` (no `--`, which ends an HTML comment). */
export function commentMarker(appName: string): string {
  const app = appName.trim().replace(/-{2,}/g, "-").replace(/[<>]/g, "").replace(/\s+/g, " ");
  return `qlik-evaluate-app:${app || "app"}`;
}

/** Creates or updates the gate's comment on the pull request. */
export async function commentOnPullRequest(
  poster: CommentPoster,
  pr: PullRequestRef,
  report: EvaluationReport,
  options: RenderOptions & { logger?: Logger; appName?: string } = {},
): Promise<{ url: string; created: boolean }> {
  const name = options.appName ?? report.app.name;
  const result = await poster.upsertComment({
    owner: pr.owner,
    repo: pr.repo,
    issueNumber: pr.number,
    marker: commentMarker(name),
    body: renderEvaluationMarkdown(report, options),
  });
  options.logger?.info(
    `${result.created ? "Posted" : "Updated"} the performance comment on #${pr.number}: ${result.url}`,
  );
  return { url: result.url, created: result.created };
}
