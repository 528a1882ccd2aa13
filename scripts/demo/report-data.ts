/** What the demo records for its report (report.json), and what report.md / report.html render. */
import type { EstateReport } from "../../packages/delivery/src/estate/index.ts";
import type { OutcomeCounts, RolloutReport } from "../../packages/delivery/src/rollout/index.ts";

export interface DemoStage {
  index: number;
  title: string;
  ms: number;
  summary: string;
}

export interface DeployRecord {
  environment: string;
  space: string;
  /** The consumers' app (the published copy in a managed space). */
  appId: string;
  stagingAppId: string;
  changed: boolean;
  reloadStatus: string;
  verified: boolean;
  changes: { add: number; update: number; remove: number };
  /** renderDeployMarkdown of the result (plan, steps, ids). */
  markdown: string;
}

export interface EvaluationObjectRow {
  id: string;
  title: string;
  type: string;
  baselineMs: number | null;
  currentMs: number | null;
  deltaMs: number | null;
  deltaPercent: number | null;
  regressed: boolean;
  status: "changed" | "new" | "removed";
}

export interface ApprovalRecord {
  outcome: "approved";
  /** Always the demo policy here; in CI the approve-gate action decides. */
  policy: string;
  approvedBy: string;
  requestedBy: string;
  requestedAt: string;
  decidedAt: string;
  subject: { app: string; sourceDigest: string; targets: string[] };
  evidence: string[];
  note: string;
}

/**
 * One wave of one rollout run, as the library's report counts it (see tenantOutcome): `deployed` by this
 * run, `kept` from an earlier run, `failed` (its own deploy or health check, rolled back or not),
 * `rolledBack` with the halted wave, `skipped` (not run).
 */
export type WaveRow = RolloutReport["waves"][number];

export interface RolloutRunRecord {
  label: string;
  status: string;
  ms: number;
  /** The run report's waves and totals: every number the report shows about the run. */
  waves: WaveRow[];
  counts: OutcomeCounts;
  /** renderRolloutMarkdown of the run's report. */
  markdown: string;
  /** Tenants this run deployed. */
  deployedNow: string[];
}

export interface RolloutRecord {
  inventoryFile: string;
  stateFile: string;
  /** Copy of the state file as the halted run left it. */
  haltedStateFile: string;
  tenants: number;
  canary: string;
  waves: string;
  healthChecks: string;
  failingTenant: string;
  failure: string;
  estate: { ms: number; deployed: number };
  runs: RolloutRunRecord[];
  /** Per tenant: how many deploys of the change stood (every tenant must have exactly one). */
  deploysThatStood: Record<string, number>;
  /** Tenants the halt rolled back, deployed again by the resume. */
  redeployedAfterRollback: string[];
  /** Per tenant: the production app id kept across the estate deploy, the rollback and the resume. */
  appIdsKept: boolean;
  /** Per tenant: apps of this name in the production space at the end (must be 1). */
  productionApps: Record<string, number>;
}

/** The estate view after the rollout: estate-status's read of every customer tenant. */
export interface EstateViewRecord {
  ms: number;
  /** The version every tenant should run (the pull request's stand-in commit). */
  expected: string;
  counts: EstateReport["counts"];
  versions: EstateReport["versions"];
  notCurrent: string[];
  problems: { name: string; problems: string[] }[];
  /** renderEstateMarkdown of the report (the job summary estate-status writes). */
  markdown: string;
  /** The report, the HTML page and the not-current list, relative to where the demo ran. */
  files: { report: string; html: string; notCurrent: string };
}

export interface DemoReport {
  version: 1;
  generatedAt: string;
  totalMs: number;
  appName: string;
  simulator: { tenants: number; seed: string };
  stages: DemoStage[];
  baseline: DeployRecord;
  unbuild: { files: string[]; deterministic: boolean; dir: string };
  change: { files: string[]; summary: string[]; dir: string };
  lint: { errors: number; warnings: number; notices: number; markdown: string };
  diff: { added: number; changed: number; removed: number; markdown: string; lines: string[] };
  deploys: DeployRecord[];
  evaluation: {
    verdict: "pass" | "fail";
    passes: { current: number; baseline: number };
    objects: EvaluationObjectRow[];
    regressions: string[];
    markdown: string;
    file: string;
  };
  approval: ApprovalRecord & { file: string };
  production: { before: string; after: string; sameId: boolean };
  postDeploy: { checks: { check: string; ok: boolean; detail: string }[] };
  rollout: RolloutRecord;
  estateView: EstateViewRecord;
}
