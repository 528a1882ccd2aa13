import type { LintResult } from "./types.ts";

function cell(s: string): string {
  return s
    .replaceAll("\\", "\\\\")
    .replaceAll("|", "\\|")
    .replace(/\r?\n|\r/g, " ")
    .replaceAll("<", "&lt;");
}

const ICON = { error: "❌ error", warning: "⚠️ warning", notice: "ℹ️ notice" } as const;

export interface LintMarkdownOptions {
  /** Heading text. Default "Qlik app lint". */
  title?: string;
  /** Rows shown before the table is cut (job summaries are limited to 1 MiB). Default 200. */
  maxRows?: number;
}

/** A job-summary section: counts and a table of findings. */
export function renderLintMarkdown(result: LintResult, options?: LintMarkdownOptions): string {
  const title = options?.title ?? "Qlik app lint";
  const maxRows = options?.maxRows ?? 200;
  const notices = result.findings.filter((f) => f.severity === "notice").length;
  const lines = [`### ${title}`, ""];
  if (result.findings.length === 0) {
    lines.push("No findings.", "");
    return lines.join("\n");
  }
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(
    `${plural(result.errors, "error")}, ${plural(result.warnings, "warning")}, ${plural(notices, "notice")}.`,
    "",
    "| Severity | Rule | Location | Message |",
    "| --- | --- | --- | --- |",
  );
  for (const f of result.findings.slice(0, maxRows)) {
    const loc = `${f.file}:${f.line}${f.column !== undefined ? `:${f.column}` : ""}`;
    lines.push(`| ${ICON[f.severity]} | \`${cell(f.rule)}\` | \`${cell(loc)}\` | ${cell(f.message)} |`);
  }
  if (result.findings.length > maxRows) {
    lines.push("", `… and ${result.findings.length - maxRows} more (see the annotations or the job log).`);
  }
  lines.push("");
  return lines.join("\n");
}
