/** report.md: every stage's summary, from the structured report. */
import { formatSeconds } from "./progress.ts";
import { plural } from "@qlik-cicd/common";
import type { DemoReport, DeployRecord, RolloutRecord, WaveRow } from "./report-data.ts";

function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Library summaries start at `###`; inside a report section they go one level down. */
function nest(markdown: string): string {
  return markdown.replace(/^(#{1,5}) /gm, (_, h: string) => `${h.length < 4 ? "####" : `${h}#`} `);
}

function deploySection(title: string, d: DeployRecord): string[] {
  return [
    `## ${title}`,
    "",
    `App \`${d.appId}\` in space **${cell(d.space)}**: reload ${d.reloadStatus}, ${d.verified ? "verified (the app matches the source)" : "not verified"}; ${d.changes.add} to add, ${d.changes.update} to update, ${d.changes.remove} to remove.`,
    "",
    nest(d.markdown.trim()),
    "",
  ];
}

/**
 * What the resume did with the halted run's tenants, in the halted run's own counts: the failed tenant
 * and those rolled back with it are the same tenants the resume deployed again.
 */
export function resumeDetail(ro: RolloutRecord): string {
  const halt = ro.runs[0].counts;
  const back = halt.failed + halt.rolledBack;
  return `no tenant whose deploy stood was deployed again; the ${plural(back, "tenant")} the halt left on the previous version (${halt.failed} that failed, ${halt.rolledBack} rolled back with it) ${back === 1 ? "was" : "were"} deployed by the resume`;
}

export function waveTable(rows: WaveRow[]): string[] {
  const lines = [
    "| Wave | Status | Tenants | Deployed now | Kept (deployed before) | Failed | Rolled back with the wave | Not run |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const w of rows) {
    lines.push(
      `| ${w.index}. ${cell(w.name)} | ${w.status} | ${w.tenants} | ${w.deployed} | ${w.kept} | ${w.failed} | ${w.rolledBack} | ${w.skipped} |`,
    );
  }
  return lines;
}

export function renderReportMarkdown(r: DemoReport): string {
  const out: string[] = [];
  out.push(`# Qlik Cloud CI/CD demo: '${cell(r.appName)}'`, "");
  out.push(
    `The whole pipeline ran on the embedded simulator (${r.simulator.tenants} tenants, seed \`${r.simulator.seed}\`) in ${formatSeconds(r.totalMs)}, on one machine, without a Qlik account. Generated ${r.generatedAt}.`,
    "",
  );
  out.push("## Stages", "", "| # | Stage | Result | Time |", "|---:|---|---|---:|");
  for (const s of r.stages)
    out.push(`| ${s.index} | ${cell(s.title)} | ${cell(s.summary)} | ${formatSeconds(s.ms)} |`);
  out.push("");

  out.push(...deploySection("Baseline: the current version in production", r.baseline));
  out.push(
    "Production had to hold the current version first: it is the baseline of the performance gate, and the app the later republish must keep.",
    "",
  );

  out.push("## Unbuild", "");
  out.push(
    `${r.unbuild.files.length} files in \`${cell(r.unbuild.dir)}\`; unbuilt a second time: ${r.unbuild.deterministic ? "byte-identical" : "different"}.`,
    "",
  );
  for (const f of r.unbuild.files) out.push(`- \`${cell(f)}\``);
  out.push("");

  out.push("## Pull request", "");
  for (const s of r.change.summary) out.push(`- ${cell(s)}`);
  out.push(
    "",
    `Files: ${r.change.files.map((f) => `\`${cell(f)}\``).join(", ")} in \`${cell(r.change.dir)}\`.`,
    "",
  );

  out.push("## Validation: lint", "", nest(r.lint.markdown.trim()), "");
  out.push("## Validation: semantic diff", "", nest(r.diff.markdown.trim()), "");

  const [test, acceptance, production] = r.deploys;
  if (test) out.push(...deploySection("Deploy to test", test));

  out.push("## Performance gate", "", nest(r.evaluation.markdown.trim()), "");
  out.push(`Report: \`${cell(r.evaluation.file)}\`.`, "");

  const a = r.approval;
  out.push("## Approval", "");
  out.push("> Auto-approved by the demo policy. In CI this step is the **approve-gate** action.", "");
  out.push("| | |", "| --- | --- |");
  out.push(`| Outcome | ✅ ${a.outcome} |`);
  out.push(`| Policy | ${cell(a.policy)} |`);
  out.push(`| Approved by | ${cell(a.approvedBy)} |`);
  out.push(`| Requested by | ${cell(a.requestedBy)} at ${a.requestedAt} |`);
  out.push(`| Decided at | ${a.decidedAt} |`);
  out.push(`| Subject | ${cell(a.subject.app)}, files \`${a.subject.sourceDigest.slice(0, 12)}\` |`);
  out.push(`| Targets | ${cell(a.subject.targets.join(", "))} |`);
  out.push(`| Evidence | ${a.evidence.map(cell).join("<br>")} |`);
  out.push(`| Record | \`${cell(a.file)}\` |`);
  out.push("", cell(a.note), "");

  if (acceptance) out.push(...deploySection("Deploy to acceptance", acceptance));
  if (production) out.push(...deploySection("Deploy to production (republish)", production));
  out.push(
    `Production app id before: \`${r.production.before}\`, after: \`${r.production.after}\` — ${r.production.sameId ? "**the same app**, republished in place" : "**changed**"}.`,
    "",
  );

  out.push("## Post-deploy check", "", "| Check | Result | Detail |", "| --- | --- | --- |");
  for (const c of r.postDeploy.checks)
    out.push(`| ${cell(c.check)} | ${c.ok ? "✅ ok" : "❌ failed"} | ${cell(c.detail)} |`);
  out.push("");

  const ro = r.rollout;
  out.push(`## Canary rollout to ${ro.tenants} customer tenants`, "");
  out.push(
    `Inventory \`${cell(ro.inventoryFile)}\`; canary \`${cell(ro.canary)}\`, waves \`${cell(ro.waves)}\`, health checks \`${cell(ro.healthChecks)}\`, error budget 0. Before the rollout every customer tenant ran the current version (${ro.estate.deployed} deployed in ${formatSeconds(ro.estate.ms)}).`,
    "",
  );
  out.push(
    `Injected failure: **${cell(ro.failingTenant)}** — "${cell(ro.failure)}" on its next reload. The rollout halted, rolled back the wave, and left later waves untouched; after the fix the same state file (\`${cell(ro.stateFile)}\`) resumed it. The halted run's state is kept in \`${cell(ro.haltedStateFile)}\`.`,
    "",
  );
  for (const run of ro.runs) {
    out.push(`### ${cell(run.label)}: ${run.status} in ${formatSeconds(run.ms)}`, "");
    out.push(...waveTable(run.waves), "");
  }
  const once = Object.values(ro.deploysThatStood).every((n) => n === 1);
  out.push(
    `Every tenant deployed exactly once: ${once ? "✅ yes" : "❌ no"} (${resumeDetail(ro)}). Production app ids kept: ${ro.appIdsKept ? "✅ yes" : "❌ no"}. One production app per tenant: ${Object.values(ro.productionApps).every((n) => n === 1) ? "✅ yes" : "❌ no"}.`,
    "",
  );
  for (const run of ro.runs) {
    out.push(
      `<details><summary>${cell(run.label)}: every tenant</summary>`,
      "",
      nest(run.markdown.trim()),
      "",
      "</details>",
      "",
    );
  }
  const ev = r.estateView;
  out.push("## Estate after the rollout", "");
  out.push(
    `estate-status read every customer tenant back (the deployment record each deploy left on the app, its reloads; nothing written) in ${formatSeconds(ev.ms)}, against the pull request's version \`${ev.expected.slice(0, 7)}\`. The page for people: \`${cell(ev.files.html)}\`; the report: \`${cell(ev.files.report)}\`; tenants still behind, for rollout-canary's \`tenants-from\`: \`${cell(ev.files.notCurrent)}\` (${plural(ev.notCurrent.length, "tenant")}).`,
    "",
    nest(ev.markdown.trim()),
    "",
  );
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
