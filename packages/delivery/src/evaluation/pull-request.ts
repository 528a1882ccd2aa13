/** The gate's result as one pull-request comment, updated in place on every run (the adapter posts it). */
import type { EvaluationReport } from "./report.ts";
import { renderEvaluationMarkdown, type RenderOptions } from "./render.ts";

/** The hidden marker of this app's comment: `qlik-evaluate-app:<app>` (no `--`, which ends an HTML comment). */
export function commentMarker(appName: string): string {
  const app = appName.trim().replace(/-{2,}/g, "-").replace(/[<>]/g, "").replace(/\s+/g, " ");
  return `qlik-evaluate-app:${app || "app"}`;
}

/** The marker and body of the app's performance comment on a pull request. */
export function evaluationComment(
  report: EvaluationReport,
  options: RenderOptions & { appName?: string } = {},
): { marker: string; body: string } {
  return {
    marker: commentMarker(options.appName ?? report.app.name),
    body: renderEvaluationMarkdown(report, options),
  };
}
