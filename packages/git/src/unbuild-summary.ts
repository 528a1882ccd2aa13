import { renderDiffMarkdown } from "@qlik-cicd/app-files";
import type { CommitMode, UnbuildToWorkspaceResult } from "./unbuild-to-workspace.ts";

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replace(/\r?\n/g, " ");
}

/** The job summary: what was unbuilt, where it went, and the semantic diff as tables. */
export function renderUnbuildSummary(input: {
  app: { id: string; title: string };
  tenant: string;
  commit: CommitMode;
  result: UnbuildToWorkspaceResult;
}): string {
  const { app, tenant, commit, result } = input;
  let outcome: string;
  if (commit === "none") {
    outcome = result.changed ? "files updated in the workspace" : "files unchanged";
  } else if (commit === "push") {
    outcome = result.pushed
      ? `committed \`${result.commit?.slice(0, 12)}\` and pushed to \`${result.branch}\``
      : "nothing to commit";
  } else if (result.pullRequest) {
    const verb = result.pullRequest.created ? "opened" : "updated";
    const pushed = result.pushed ? "" : " (branch already up to date)";
    outcome = `pull request [#${result.pullRequest.number}](${result.pullRequest.url}) ${verb}${pushed}`;
  } else {
    outcome = "the app matches the base branch; no pull request needed";
  }
  const rows = [
    ["App", `${cell(app.title)} (\`${app.id}\`)`],
    ["Tenant", cell(tenant)],
    ["Folder", `\`${cell(result.path)}\``],
    ["Files written / removed", `${result.written.length} / ${result.removed.length}`],
    ["Result", outcome],
  ];
  const lines = [
    `## Unbuild: ${cell(app.title)}`,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    "",
    renderDiffMarkdown(result.diff, {
      title:
        commit === "pull-request" ? "Changes against the base branch" : "Changes since the previous files",
    }),
  ];
  return lines.join("\n");
}
