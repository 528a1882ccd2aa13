import type { DeployPlan, DeployResult } from "./types.ts";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, " ");
}

const CHANGE_LABEL = { add: "➕ add", update: "✏️ update", remove: "➖ remove" } as const;

/** The plan alone: what would change and the steps, as markdown tables. Deterministic. */
export function renderPlanMarkdown(plan: DeployPlan): string {
  const lines: string[] = [];
  const target =
    plan.mode === "managed"
      ? `managed space **${cell(plan.space.name)}** (staged in **${cell(plan.stagingSpace?.name ?? "")}**)`
      : `shared space **${cell(plan.space.name)}**`;
  lines.push(
    `App **${cell(plan.appName)}** → ${target} on ${cell(plan.tenant)}${plan.environment ? `, environment **${cell(plan.environment)}**` : ""}.`,
  );
  lines.push("");
  if (!plan.changed) {
    lines.push("No changes: the target already matches the source.");
    lines.push("");
    return lines.join("\n");
  }
  if (plan.changes.length) {
    lines.push(`| Change | Kind | Name |`);
    lines.push(`| --- | --- | --- |`);
    for (const c of plan.changes)
      lines.push(`| ${CHANGE_LABEL[c.change]} | ${cell(c.kind)} | ${cell(c.name)} |`);
    lines.push("");
  }
  if (plan.steps.length) {
    lines.push(`| # | Step |`);
    lines.push(`| --- | --- |`);
    plan.steps.forEach((s, i) => lines.push(`| ${i + 1} | ${cell(s.description)} |`));
    lines.push("");
  }
  return lines.join("\n");
}

/** Job-summary markdown for a deploy (or dry run, or rollback): outcome, links, plan, reload. */
export function renderDeployMarkdown(result: DeployResult): string {
  const { plan } = result;
  const lines: string[] = [];
  const title = plan.rollback
    ? "Rollback"
    : plan.dryRun
      ? "Deploy plan (dry run: nothing was changed)"
      : result.changed
        ? "Deployed"
        : "Deploy: no changes";
  lines.push(`### ${title}: ${oneLine(plan.appName)} → ${oneLine(plan.space.name)}`);
  lines.push("");
  lines.push(renderPlanMarkdown(plan));
  if (!plan.dryRun) {
    lines.push(`| | |`);
    lines.push(`| --- | --- |`);
    if (result.appUrl) lines.push(`| App | [${cell(plan.appName)}](${result.appUrl}) |`);
    if (result.publishedAppId) lines.push(`| Published app id | \`${result.publishedAppId}\` |`);
    if (result.appId)
      lines.push(`| ${plan.mode === "managed" ? "Staging app id" : "App id"} | \`${result.appId}\` |`);
    if (result.itemId) lines.push(`| Item id | \`${result.itemId}\` |`);
    lines.push(`| Changed | ${result.changed ? "yes" : "no"} |`);
    if (result.reload) lines.push(`| Reload | ${cell(result.reload.status)} (\`${result.reload.id}\`) |`);
    else lines.push(`| Reload | not run |`);
    lines.push(`| Verified | ${result.verified ? "✅ target matches the source" : "not verified"} |`);
    if (result.rolledBack) lines.push(`| Rolled back | yes |`);
    lines.push("");
    if (result.reload?.log) {
      lines.push("Reload log (error lines):");
      lines.push("");
      lines.push("```");
      lines.push(result.reload.log);
      lines.push("```");
      lines.push("");
    }
  }
  if (result.warnings?.length) {
    lines.push("**Warnings**");
    lines.push("");
    for (const w of result.warnings) lines.push(`- ⚠️ ${oneLine(w)}`);
    lines.push("");
  }
  if (plan.diffMarkdown) {
    lines.push("<details><summary>Content diff</summary>");
    lines.push("");
    lines.push(plan.diffMarkdown.trimEnd());
    lines.push("");
    lines.push("</details>");
    lines.push("");
  }
  return lines.join("\n");
}
