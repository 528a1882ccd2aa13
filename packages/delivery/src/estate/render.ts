/** The estate report as a job summary (markdown) and as the not-current tenants file. */
import { canonicalJson, plural } from "@qlik-cicd/common";
import type { AppEstate, EstateProblem, EstateReport, TenantEstate } from "./types.ts";
import { PROBLEMS } from "./types.ts";

/** Rows of tenants with problems in the job summary; the JSON report and the HTML page hold them all. */
const SUMMARY_TENANTS = 100;

export const PROBLEM_TEXT: Record<EstateProblem, string> = {
  unreachable: "unreachable",
  "bad-credentials": "credentials refused",
  "failed-reload": "reload failed",
  "not-current": "not current",
  drift: "drifted from the blueprint",
};

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** `2026-12-01` from an ISO time (reports show days; the JSON keeps the time). */
const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : "");

export function describeApp(a: AppEstate): string {
  if (a.error) return `unreadable: ${a.error}`;
  if (a.status === "missing") return "not deployed";
  if (!a.version) return "no deployment record";
  const when = a.version.commitTime ? `, committed ${day(a.version.commitTime)}` : "";
  return `${a.version.label} (${a.status}${when}, deployed ${day(a.version.deployedAt)})`;
}

export function describeReload(a: AppEstate): string {
  if (a.reload === undefined) return "";
  if (a.reload === null) return "never reloaded";
  const r = a.reload;
  const took = r.durationMs !== undefined ? `, ${Math.round(r.durationMs / 1000)} s` : "";
  const failed = r.failedInWindow ? `; ${plural(r.failedInWindow, "failure")} in the window` : "";
  return `${r.status} ${r.time.slice(0, 16).replace("T", " ")}${took}${failed}`;
}

function tenantDetail(t: TenantEstate): string {
  if (t.error) return t.error;
  const parts = t.apps.map(
    (a) => `${a.app}: ${describeApp(a)}${a.reload !== undefined ? `; ${describeReload(a)}` : ""}`,
  );
  if (t.drift) {
    parts.push(
      `drift: ${plural(t.drift.differences, "difference")}, ${plural(t.drift.interactiveAdmins, "person")} with admin roles`,
    );
  }
  if (t.driftError) parts.push(`drift not read: ${t.driftError}`);
  return parts.join("; ");
}

export function renderEstateMarkdown(report: EstateReport): string {
  const c = report.counts;
  const lines = [
    `## Estate: ${cell(report.apps.join(", "))} in space '${cell(report.space)}'`,
    "",
    `${plural(c.tenants, "tenant")}${report.shard ? ` (shard ${report.shard})` : ""}: ${c.healthy} healthy, ${c.tenants - c.healthy} with problems. Read ${report.checkedAt}; a reload failed within the last ${report.reloadWindowHours} h counts as a problem.`,
  ];
  const expected = Object.entries(report.expected);
  lines.push(
    "",
    expected.length
      ? `Expected version: ${expected.map(([app, v]) => `${cell(app)} \`${cell(v)}\``).join(", ")}.`
      : "No expected version was given: versions are listed, not compared.",
    "",
    "### Versions",
    "",
    "| App | Version | Status | Committed | Tenants |",
    "| --- | --- | --- | --- | ---: |",
  );
  for (const v of report.versions) {
    lines.push(`| ${cell(v.app)} | ${cell(v.label)} | ${v.status} | ${day(v.commitTime)} | ${v.tenants} |`);
  }
  lines.push("", "### Problems", "", "| Problem | Tenants |", "| --- | ---: |");
  for (const p of PROBLEMS) lines.push(`| ${PROBLEM_TEXT[p]} | ${c.problems[p]} |`);
  const bad = report.tenants.filter((t) => t.problems.length);
  if (bad.length) {
    lines.push("", "### Tenants with problems", "", "| Tenant | Problems | Detail |", "| --- | --- | --- |");
    for (const t of bad.slice(0, SUMMARY_TENANTS)) {
      lines.push(
        `| ${cell(t.name)} | ${t.problems.map((p) => PROBLEM_TEXT[p]).join(", ")} | ${cell(tenantDetail(t))} |`,
      );
    }
    if (bad.length > SUMMARY_TENANTS) {
      lines.push(
        "",
        `… and ${bad.length - SUMMARY_TENANTS} more tenants with problems: see the JSON report or the HTML page.`,
      );
    }
  }
  if (report.notCurrent.length) {
    lines.push(
      "",
      `${plural(report.notCurrent.length, "tenant")} not current: roll out to exactly these with rollout-canary's \`tenants-from\` and the not-current file.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The not-current file: what rollout-canary's `tenants-from` reads (`tenants`: names). */
export function renderNotCurrent(report: EstateReport): string {
  return canonicalJson({
    version: 1,
    checkedAt: report.checkedAt,
    space: report.space,
    apps: report.apps,
    expected: report.expected,
    tenants: report.notCurrent,
  });
}
