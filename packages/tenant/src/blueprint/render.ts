import type { PlannedOperation } from "./operations.ts";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** Markdown table of ordered operations for job summaries. */
export function renderPlanMarkdown(
  operations: PlannedOperation[],
  options: { tenant: string; applied: boolean },
): string {
  const title = options.applied ? `Changes applied to ${options.tenant}` : `Plan for ${options.tenant}`;
  if (operations.length === 0) {
    return `## ${cell(title)}\n\nNothing to change: the tenant matches its blueprint.\n`;
  }
  const lines = [
    `## ${cell(title)}`,
    "",
    "| # | operation | target | description |",
    "| ---: | --- | --- | --- |",
  ];
  operations.forEach((op, i) =>
    lines.push(`| ${i + 1} | ${op.kind} | ${cell(op.target)} | ${cell(op.description)} |`),
  );
  if (!options.applied) lines.push("", "Nothing was changed (plan only).");
  return `${lines.join("\n")}\n`;
}
