/** The rollout report (JSON) and the job summary (markdown). */
import { statusLists } from "./state.ts";
import type { RolloutPlan, RolloutState, TenantRecord } from "./types.ts";

export interface RolloutReport {
  version: 1;
  rolloutId: string;
  status: RolloutState["status"];
  appName: string;
  space: string;
  sourceDigest: string;
  shard?: string;
  startedAt: string;
  updatedAt: string;
  waves: {
    index: number;
    name: string;
    status: string;
    tenants: number;
    deployed: number;
    failed: number;
    rolledBack: number;
    skipped: number;
    failures: number;
    budget: number;
    durationMs?: number;
  }[];
  succeeded: string[];
  failed: string[];
  rolledBack: string[];
  skipped: string[];
  tenants: TenantRecord[];
}

export function buildReport(state: RolloutState): RolloutReport {
  const lists = statusLists(state);
  const waves = state.waves.map((w) => {
    const records = w.tenants.map((n) => state.tenants[n]).filter(Boolean);
    const count = (pred: (r: TenantRecord) => boolean) => records.filter(pred).length;
    const duration =
      w.startedAt && w.finishedAt ? Date.parse(w.finishedAt) - Date.parse(w.startedAt) : undefined;
    return {
      index: w.index,
      name: w.name,
      status: w.status,
      tenants: records.length,
      deployed: count((r) => r.status === "deployed"),
      failed: count((r) => r.status === "failed"),
      rolledBack: count((r) => r.status === "rolled-back"),
      skipped: count((r) => !["deployed", "failed", "rolled-back"].includes(r.status)),
      failures: w.failures ?? 0,
      budget: w.budget ?? 0,
      ...(duration !== undefined ? { durationMs: duration } : {}),
    };
  });
  return {
    version: 1,
    rolloutId: state.rolloutId,
    status: state.status,
    appName: state.appName,
    space: state.space,
    sourceDigest: state.sourceDigest,
    ...(state.shard ? { shard: state.shard } : {}),
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    waves,
    ...lists,
    tenants: Object.values(state.tenants).sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : 1)),
  };
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return "";
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function cell(text: string | undefined): string {
  return (text ?? "").replace(/\|/g, "\\|").replace(/\r?\n/g, " ").slice(0, 300);
}

const STATUS_ICON: Record<string, string> = {
  deployed: "✅ deployed",
  failed: "❌ failed",
  "rolled-back": "↩️ rolled back",
  skipped: "⏭️ skipped",
  pending: "⏸️ not run",
  "in-progress": "⚠️ interrupted",
};

const HEADLINE: Record<RolloutState["status"], string> = {
  succeeded: "✅ Rollout succeeded",
  "completed-with-failures": "⚠️ Rollout completed with failures within the error budget",
  halted: "🛑 Rollout halted",
  running: "⏳ Rollout incomplete",
  planned: "📝 Rollout plan",
};

/** Markdown for the job summary: per-wave table, then every tenant that is not plainly deployed first. */
export function renderRolloutMarkdown(
  report: RolloutReport,
  options: { maxTenantRows?: number } = {},
): string {
  const lines: string[] = [];
  lines.push(`### ${HEADLINE[report.status]}: '${report.appName}' → space '${report.space}'`, "");
  lines.push(
    `${report.succeeded.length} deployed, ${report.failed.length} failed, ${report.rolledBack.length} rolled back, ${report.skipped.length} skipped${report.shard ? ` (shard ${report.shard})` : ""}. Source digest \`${report.sourceDigest.slice(0, 12)}\`.`,
    "",
  );
  lines.push(
    "| Wave | Status | Tenants | Deployed | Failed | Rolled back | Skipped | Failures / budget | Duration |",
  );
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const w of report.waves) {
    lines.push(
      `| ${w.index}. ${cell(w.name)} | ${w.status} | ${w.tenants} | ${w.deployed} | ${w.failed} | ${w.rolledBack} | ${w.skipped} | ${w.failures} / ${w.budget} | ${seconds(w.durationMs)} |`,
    );
  }
  lines.push("");
  const max = options.maxTenantRows ?? 500;
  const ordered = [...report.tenants].sort((a, b) => {
    const bad = (r: TenantRecord) => (r.status === "deployed" ? 1 : 0);
    return bad(a) - bad(b) || a.wave - b.wave || (a.name < b.name ? -1 : 1);
  });
  lines.push("| Tenant | Wave | Status | Attempts | Duration | Reason |");
  lines.push("|---|---:|---|---:|---:|---|");
  for (const r of ordered.slice(0, max)) {
    const reason =
      r.status === "deployed" ? (r.changed === false ? "already up to date" : "") : (r.error ?? "");
    const rollback = r.rollbackReason && r.status !== "rolled-back" ? ` (${r.rollbackReason})` : "";
    lines.push(
      `| ${cell(r.name)} | ${r.wave} | ${STATUS_ICON[r.status] ?? r.status} | ${r.attempts} | ${seconds(r.durationMs)} | ${cell(reason + rollback)} |`,
    );
  }
  if (ordered.length > max) lines.push("", `…and ${ordered.length - max} more tenants in the report.`);
  lines.push("");
  return lines.join("\n");
}

/** Markdown for a plan (dry run): waves and their tenants. */
export function renderPlanMarkdown(
  plan: RolloutPlan,
  matrix: unknown,
  appName: string,
  space: string,
): string {
  const lines = [`### 📝 Rollout plan: '${appName}' → space '${space}'`, ""];
  lines.push("| Wave | Tenants | First tenants |", "|---|---:|---|");
  for (const w of plan.waves) {
    const names = w.tenants.slice(0, 8).map((t) => t.name);
    lines.push(
      `| ${w.index}. ${cell(w.name)} | ${w.tenants.length}${plan.shard ? ` of ${w.total}` : ""} | ${cell(names.join(", "))}${w.tenants.length > 8 ? ", …" : ""} |`,
    );
  }
  if (plan.excluded.length) lines.push("", `${plan.excluded.length} tenants are outside the selector.`);
  lines.push("", "Matrix for `strategy.matrix`:", "", "```json", JSON.stringify(matrix), "```", "");
  return lines.join("\n");
}
