/** The rollout report (JSON) and the job summary (markdown). */
import { statusLists } from "./state.ts";
import type { RolloutPlan, RolloutState, TenantRecord } from "./types.ts";

/**
 * What happened to a tenant, in the categories every count of a rollout uses (report, summary, demo):
 * - `deployed`: deployed and standing (by this run, when the run's start is known);
 * - `kept`: deployed by an earlier run and left alone by this one (resume);
 * - `failed`: its own deploy or health check failed, whether or not it was rolled back afterwards;
 * - `rolled-back`: healthy, but rolled back because its wave halted;
 * - `not-run`: not started (skipped after a halt, pending, interrupted).
 */
export type TenantOutcome = "deployed" | "kept" | "failed" | "rolled-back" | "not-run";

export function tenantOutcome(record: TenantRecord, runStartedAt?: string): TenantOutcome {
  switch (record.status) {
    case "deployed":
      return runStartedAt !== undefined &&
        !(record.startedAt !== undefined && record.startedAt >= runStartedAt)
        ? "kept"
        : "deployed";
    case "failed":
      return "failed";
    case "rolled-back":
      // Rolled back with its wave, the reason is its only error; after its own failure, the error is that.
      return record.error !== undefined && record.error !== record.rollbackReason ? "failed" : "rolled-back";
    default:
      return "not-run";
  }
}

/** Tenants per outcome (`skipped` counts `not-run`). */
export interface OutcomeCounts {
  deployed: number;
  kept: number;
  failed: number;
  rolledBack: number;
  skipped: number;
}

const OUTCOME_KEY: Record<TenantOutcome, keyof OutcomeCounts> = {
  deployed: "deployed",
  kept: "kept",
  failed: "failed",
  "rolled-back": "rolledBack",
  "not-run": "skipped",
};

export interface RolloutReport {
  version: 1;
  rolloutId: string;
  status: RolloutState["status"];
  appName: string;
  space: string;
  sourceDigest: string;
  shard?: string;
  startedAt: string;
  /** When the run this report describes started; without it, `kept` is 0 and `deployed` counts all. */
  runStartedAt?: string;
  updatedAt: string;
  /** Per wave, tenants by outcome (see tenantOutcome); the waves add up to `counts`. */
  waves: (OutcomeCounts & {
    index: number;
    name: string;
    status: string;
    tenants: number;
    /** Failed tenants the wave's health analysis counted against its budget. */
    failures: number;
    budget: number;
    durationMs?: number;
  })[];
  counts: OutcomeCounts;
  /** Tenant names by their status in the state file (these lists are the action's outputs). */
  succeeded: string[];
  failed: string[];
  rolledBack: string[];
  skipped: string[];
  tenants: TenantRecord[];
}

function emptyCounts(): OutcomeCounts {
  return { deployed: 0, kept: 0, failed: 0, rolledBack: 0, skipped: 0 };
}

export function buildReport(state: RolloutState, options: { runStartedAt?: string } = {}): RolloutReport {
  const lists = statusLists(state);
  const counts = emptyCounts();
  const waves = state.waves.map((w) => {
    const records = w.tenants.map((n) => state.tenants[n]).filter(Boolean);
    const wave = emptyCounts();
    for (const r of records) {
      const key = OUTCOME_KEY[tenantOutcome(r, options.runStartedAt)];
      wave[key]++;
      counts[key]++;
    }
    const duration =
      w.startedAt && w.finishedAt ? Date.parse(w.finishedAt) - Date.parse(w.startedAt) : undefined;
    return {
      index: w.index,
      name: w.name,
      status: w.status,
      tenants: records.length,
      ...wave,
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
    ...(options.runStartedAt ? { runStartedAt: options.runStartedAt } : {}),
    updatedAt: state.updatedAt,
    waves,
    counts,
    ...lists,
    tenants: Object.values(state.tenants).sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : 1)),
  };
}

/** "2 deployed, 1 failed, 2 rolled back with their wave, 15 not run" (kept only when there are any). */
export function describeCounts(c: OutcomeCounts): string {
  return [
    `${c.deployed} deployed`,
    ...(c.kept ? [`${c.kept} kept from an earlier run`] : []),
    `${c.failed} failed`,
    `${c.rolledBack} rolled back with their wave`,
    `${c.skipped} not run`,
  ].join(", ");
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

/** A tenant's status in the same words as the counts: a failure that was rolled back is a failure. */
function statusText(r: TenantRecord, runStartedAt: string | undefined): string {
  const outcome = tenantOutcome(r, runStartedAt);
  if (outcome === "kept") return "✅ kept (deployed earlier)";
  if (outcome === "failed" && r.status === "rolled-back") return "❌ failed, rolled back";
  if (outcome === "rolled-back") return "↩️ rolled back with the wave";
  return STATUS_ICON[r.status] ?? r.status;
}

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
    `${describeCounts(report.counts)}${report.shard ? ` (shard ${report.shard})` : ""}. Source digest \`${report.sourceDigest.slice(0, 12)}\`.`,
    "",
  );
  const kept = report.counts.kept > 0;
  lines.push(
    `| Wave | Status | Tenants | Deployed |${kept ? " Kept |" : ""} Failed | Rolled back with the wave | Not run | Failures / budget | Duration |`,
  );
  lines.push(`|---|---|---:|---:|${kept ? "---:|" : ""}---:|---:|---:|---:|---:|`);
  for (const w of report.waves) {
    lines.push(
      `| ${w.index}. ${cell(w.name)} | ${w.status} | ${w.tenants} | ${w.deployed} |${kept ? ` ${w.kept} |` : ""} ${w.failed} | ${w.rolledBack} | ${w.skipped} | ${w.failures} / ${w.budget} | ${seconds(w.durationMs)} |`,
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
      `| ${cell(r.name)} | ${r.wave} | ${statusText(r, report.runStartedAt)} | ${r.attempts} | ${seconds(r.durationMs)} | ${cell(reason + rollback)} |`,
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
