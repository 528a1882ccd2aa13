/**
 * The demo pipeline: every stage of the main job against the embedded simulator, through the same
 * libraries the actions use. Each stage prints what happened and records it for the report.
 */
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { getReloads } from "@qlik/api/reloads";
import {
  diffAppTrees,
  lintAppTree,
  type AppTree,
  readAppTree,
  renderDiffMarkdown,
  renderLintMarkdown,
  treeDigest,
  unbuildApp,
  writeAppTree,
  type AppDiff,
  type DiffEntry,
} from "@qlik-cicd/app-files";
import { canonicalJson, CicdError, plural, secrets } from "@qlik-cicd/common";
import {
  deployApp,
  evaluateApp,
  formatMs,
  formatPercent,
  renderDeployMarkdown,
  renderEvaluationMarkdown,
  writeEvaluationReport,
  PROBLEM_TEXT,
  readEstate,
  renderEstateHtml,
  renderEstateMarkdown,
  renderNotCurrent,
  type DeployResult,
} from "@qlik-cicd/delivery";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { stringify } from "yaml";
import {
  loadInventory,
  planWaves,
  renderRolloutMarkdown,
  rolloutApp,
  tenantOutcome,
  type RolloutInput,
  type RolloutRun,
} from "../../packages/delivery/src/rollout/index.ts";
import { applyPullRequestChange } from "./change.ts";
import { STAGES } from "./stages.ts";
import type { Progress } from "./progress.ts";
import type {
  ApprovalRecord,
  DeployRecord,
  DemoReport,
  EstateViewRecord,
  RolloutRunRecord,
} from "./report-data.ts";

export const APP_NAME = "Sales Analytics";
export { STAGES };

/** A check of the demo itself did not hold; one sentence. */
export class DemoCheckError extends CicdError {}

export interface DemoOptions {
  out: string;
  /** Customer tenants in the rollout estate. */
  tenants: number;
  progress: Progress;
}

/** What the pipeline hands to the report writer. */
export type DemoResult = Omit<DemoReport, "version" | "generatedAt" | "totalMs" | "stages">;

const FAST_DEPLOY = { reloadPollIntervalMs: 25, publishAccessTimeoutMs: 15_000 } as const;
const CLIENT_OPTIONS = { retry: { baseDelayMs: 20, maxDelayMs: 250 } };
const FAILURE_MESSAGE = "Connection to the customer database failed (injected by the demo)";

function check(condition: unknown, sentence: string): asserts condition {
  if (!condition) throw new DemoCheckError(sentence);
}

function changeCounts(result: DeployResult): DeployRecord["changes"] {
  const counts = { add: 0, update: 0, remove: 0 };
  for (const c of result.plan.changes) counts[c.change]++;
  return counts;
}

function deployRecord(environment: string, result: DeployResult): DeployRecord {
  return {
    environment,
    space: result.plan.space.name,
    appId: result.publishedAppId ?? result.appId,
    stagingAppId: result.publishedAppId ? result.appId : "",
    changed: result.changed,
    reloadStatus: result.reload?.status ?? "not run",
    verified: result.verified,
    changes: changeCounts(result),
    markdown: renderDeployMarkdown(result),
  };
}

function quote(text: string | undefined, max = 60): string {
  const t = (text ?? "").replace(/\s+/g, " ");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** One terminal line per diff entry: `+ measure 'Sales per unit' (mSalesPerUnit)`, details after. */
export function diffLines(diff: AppDiff): string[] {
  const sign = { added: "+", changed: "~", removed: "-" } as const;
  return diff.entries.map((e: DiffEntry) => {
    const what = e.kind === "object" && e.type ? `${e.type}` : e.kind;
    const id = e.id && e.id !== e.title ? ` (${e.id})` : "";
    const details = e.details
      .slice(0, 3)
      .map((d) =>
        d.before !== undefined && d.after !== undefined
          ? `${d.label}: '${quote(d.before, 40)}' → '${quote(d.after, 40)}'`
          : d.after !== undefined
            ? `${d.label}: '${quote(d.after, 50)}'`
            : d.label,
      );
    return `${sign[e.change]} ${what} '${quote(e.title)}'${id}${details.length ? `: ${details.join("; ")}` : ""}`;
  });
}

/** Deploy logs with the build's per-kind lines folded into its "Built …" line. */
function deployLogger(progress: Progress) {
  let ops: { action: string; what: string }[] = [];
  return progress.logger((m, level) => {
    const op = /^(Created|Updated|Deleted) (\d+ .+)$/.exec(m);
    if (level === "info" && op) {
      ops.push({ action: op[1].toLowerCase(), what: op[2] });
      return undefined;
    }
    if (level === "info" && m.startsWith("Built ") && ops.length) {
      const groups = ["created", "updated", "deleted"]
        .map((a) => [a, ops.filter((o) => o.action === a).map((o) => o.what)] as const)
        .filter(([, list]) => list.length)
        .map(([a, list]) => `${a} ${list.join(", ")}`);
      ops = [];
      return `${m.replace(/\.$/, "")}: ${groups.join("; ")}.`;
    }
    return m;
  });
}

/** A path for people: relative to the working directory when inside it, else absolute. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const r = relative(cwd, path);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : path;
}

function cleanOutput(out: string): void {
  // Only what the demo itself writes: --out may point at a folder that holds other things.
  for (const name of [
    "app",
    "rollout",
    "estate",
    "evaluation.json",
    "approval.json",
    "report.md",
    "report.html",
    "report.json",
  ]) {
    rmSync(join(out, name), { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
}

/** What every stage reads: the options, the output folders and the running simulator. */
interface PipelineContext {
  progress: Progress;
  out: string;
  rel: (path: string) => string;
  mainDir: string;
  prDir: string;
  rolloutDir: string;
  sim: RunningSimulator;
  main: SimTenant;
  estate: SimTenant[];
}

type SimTenant = RunningSimulator["description"]["tenants"][number];

/** The demo has no git repository: a version's commit stands in as the first 40 hex of its files' digest. */
function pseudoCommit(tree: AppTree): string {
  return treeDigest(tree)
    .replace(/^sha256:/, "")
    .slice(0, 40);
}

// 1. Simulator ----------------------------------------------------------------------------------------
async function startStage(
  options: DemoOptions,
): Promise<{ sim: RunningSimulator; main: SimTenant; estate: SimTenant[] }> {
  const { progress } = options;
  progress.stage(STAGES[0]);
  const sim = await startSimulator({
    tenants: options.tenants + 1,
    seed: "demo",
    timings: {
      reloadMs: 20,
      evaluationMs: 20,
      publishAccessWindowMs: 30,
      retryAfterSeconds: 0,
      automationRunMs: 20,
    },
  });
  const [main, ...estate] = sim.description.tenants;
  return { sim, main, estate };
}

/** The rest of stage 1, once the simulator is running (it is stopped by the caller). */
function describeSimulator(ctx: PipelineContext): { id: string } {
  const { progress, sim, main, estate } = ctx;
  for (const t of sim.description.tenants) secrets.register(t.apiKey);
  progress.event(`team tenant ${main.name} at ${main.url}: spaces development, test, acceptance, production`);
  progress.event(
    `${estate.length} customer tenants (${estate[0]?.name} … ${estate[estate.length - 1]?.name}), each on its own loopback origin`,
  );
  progress.event(`test control API at ${sim.description.control} (faults, inspection)`);
  const mainState = sim.control.state(main.name);
  const devSpace = mainState.spaces.find((s) => s.name === "development");
  const devApp = mainState.apps.find((a) => a.name === APP_NAME && a.spaceId === devSpace?.id);
  check(devApp, `The simulator's development space has no app '${APP_NAME}'.`);
  progress.event(`development app '${APP_NAME}' (${devApp.id})`);
  progress.done(`${sim.description.tenants.length} tenants up`);
  return devApp;
}

// 2. Baseline -----------------------------------------------------------------------------------------
async function baselineStage(
  ctx: PipelineContext,
  client: QlikClient,
  devAppId: string,
): Promise<DeployRecord> {
  const { progress } = ctx;
  progress.stage(STAGES[1]);
  progress.event(
    "production needs the current version first: it is the baseline for the performance gate and the republish",
  );
  const baselineResult = await deployApp(
    client,
    {
      sourceAppId: devAppId,
      space: "production",
      appName: APP_NAME,
      ...FAST_DEPLOY,
      provenance: { ref: "baseline" },
    },
    { logger: deployLogger(progress) },
  );
  const baseline = deployRecord("production (baseline)", baselineResult);
  check(
    baseline.appId && baseline.reloadStatus === "SUCCEEDED",
    "The baseline deploy to production did not reload.",
  );
  progress.done(`current version live in production as ${baseline.appId}`);
  return baseline;
}

// 3. Unbuild ------------------------------------------------------------------------------------------
async function unbuildStage(
  ctx: PipelineContext,
  client: QlikClient,
  devAppId: string,
): Promise<{ written: { written: string[] }; deterministic: boolean }> {
  const { progress, mainDir, rel } = ctx;
  progress.stage(STAGES[2]);
  const tree = await client.withApp(devAppId, (doc) => unbuildApp(doc));
  const written = await writeAppTree(mainDir, tree);
  progress.event(
    `${written.written.length} files in ${rel(mainDir)}: ${written.written.filter((f) => !f.startsWith("objects/")).join(", ")}, ${written.written.filter((f) => f.startsWith("objects/")).length} object files`,
  );
  const again = await client.withApp(devAppId, (doc) => unbuildApp(doc));
  const rewrite = await writeAppTree(mainDir, again);
  progress.event(
    rewrite.changed
      ? "unbuilt again: the files changed (not deterministic)"
      : "unbuilt again: byte-identical files (deterministic, no volatile fields)",
  );
  progress.done(`${written.written.length} files, as the main branch holds them`);
  return { written, deterministic: !rewrite.changed };
}

// 4. Pull request -------------------------------------------------------------------------------------
async function pullRequestStage(ctx: PipelineContext): Promise<{ files: string[]; summary: string[] }> {
  const { progress, mainDir, prDir, rel } = ctx;
  progress.stage(STAGES[3]);
  cpSync(mainDir, prDir, { recursive: true });
  const change = await applyPullRequestChange(prDir);
  for (const line of change.summary) progress.event(line);
  progress.event(`edited ${change.files.join(", ")} in ${rel(prDir)}`);
  progress.done(`${change.summary.length} changes in ${change.files.length} files`);
  return change;
}

// 5. Validate -----------------------------------------------------------------------------------------
async function validateStage(ctx: PipelineContext) {
  const { progress, mainDir, prDir } = ctx;
  progress.stage(STAGES[4]);
  const lint = await lintAppTree(prDir, {});
  const notices = lint.findings.filter((f) => f.severity === "notice").length;
  progress.event(`lint: ${lint.errors} errors, ${lint.warnings} warnings, ${notices} notices`);
  for (const f of lint.findings.slice(0, 5))
    progress.event(`  ${f.severity} ${f.rule} ${f.file}:${f.line} ${f.message}`);
  check(lint.errors === 0, `Lint found ${lint.errors} errors in the pull request's files.`);
  const mainTree = await readAppTree(mainDir);
  const prTree = await readAppTree(prDir);
  const diff = diffAppTrees(mainTree, prTree);
  const lines = diffLines(diff);
  progress.event("semantic diff (main → pull request):");
  for (const l of lines) progress.event(`  ${l}`);
  const total = { added: 0, changed: 0, removed: 0 };
  for (const e of diff.entries) total[e.change]++;
  check(diff.changed, "The pull request changed nothing.");
  progress.done(`lint clean; ${total.added} added, ${total.changed} changed, ${total.removed} removed`);
  return { lint, notices, mainTree, prTree, diff, lines, total };
}

/** Deploys the pull request's files to a space (test, acceptance, production), verified and reloaded. */
async function deployPullRequest(
  ctx: PipelineContext,
  client: QlikClient,
  space: string,
): Promise<DeployRecord> {
  const result = await deployApp(
    client,
    {
      source: ctx.prDir,
      space,
      appName: APP_NAME,
      ...FAST_DEPLOY,
      provenance: { ref: "refs/pull/1/merge" },
    },
    { logger: deployLogger(ctx.progress) },
  );
  const record = deployRecord(space, result);
  check(result.verified, `The deploy to ${space} was not verified.`);
  check(record.reloadStatus === "SUCCEEDED", `The reload in ${space} ended ${record.reloadStatus}.`);
  return record;
}

// 6. Test ---------------------------------------------------------------------------------------------
async function testStage(ctx: PipelineContext, client: QlikClient): Promise<DeployRecord> {
  ctx.progress.stage(STAGES[5]);
  const test = await deployPullRequest(ctx, client, "test");
  ctx.progress.done(`published to test as ${test.appId}; reload ${test.reloadStatus}; verified`);
  return test;
}

// 7. Evaluate -----------------------------------------------------------------------------------------
async function evaluateStage(ctx: PipelineContext, client: QlikClient) {
  const { progress, out } = ctx;
  progress.stage(STAGES[6]);
  const evaluation = await evaluateApp(
    client,
    {
      space: "test",
      appName: APP_NAME,
      baselineSpace: "production",
      passes: 2,
      pollIntervalMs: 25,
      timeoutMinutes: 2,
    },
    { logger: progress.logger() },
  );
  const gate = evaluation.gate;
  const evaluationFile = join(out, "evaluation.json");
  writeEvaluationReport(evaluationFile, evaluation.report);
  progress.event(
    `slowest objects (uncached, median of ${gate.passes.current} passes; baseline ${gate.passes.baseline} passes):`,
  );
  for (const o of gate.objects.slice(0, 3)) {
    const d =
      o.deltaMs === null
        ? "new"
        : `${o.deltaMs >= 0 ? "+" : "−"}${formatMs(Math.abs(o.deltaMs))}${o.deltaPercent === null ? "" : ` (${formatPercent(o.deltaPercent)})`}`;
    progress.event(
      `  ${quote(o.title || o.id, 50)} (${o.type}): ${o.baselineMs === null ? "–" : formatMs(o.baselineMs)} → ${o.currentMs === null ? "–" : formatMs(o.currentMs)}, ${d}`,
    );
  }
  for (const r of gate.regressions) progress.warn(r.message);
  check(
    evaluation.verdict === "pass",
    `The performance gate failed: ${gate.regressions[0]?.message ?? "see the report"}`,
  );
  progress.done(
    `gate ${evaluation.verdict.toUpperCase()}: ${gate.regressions.length} regressions over ${gate.objects.length} objects`,
  );
  return { evaluation, gate, evaluationFile };
}

// 8. Approval -----------------------------------------------------------------------------------------
function approvalStage(
  ctx: PipelineContext,
  evidence: {
    lintErrors: number;
    lintWarnings: number;
    total: { added: number; changed: number; removed: number };
  },
  evaluation: { verdict: "pass" | "fail"; regressions: number },
  prTree: AppTree,
): { approval: ApprovalRecord; approvalFile: string } {
  const { progress, out } = ctx;
  progress.stage(STAGES[7]);
  const requestedAt = new Date().toISOString();
  const { total } = evidence;
  const approval: ApprovalRecord = {
    outcome: "approved",
    policy: "demo policy: approve automatically when lint is clean and the performance gate passes",
    approvedBy: "demo-policy (automatic)",
    requestedBy: "demo",
    requestedAt,
    decidedAt: new Date().toISOString(),
    subject: { app: APP_NAME, sourceDigest: treeDigest(prTree), targets: ["acceptance", "production"] },
    evidence: [
      `lint: ${evidence.lintErrors} errors, ${evidence.lintWarnings} warnings`,
      `diff: ${total.added} added, ${total.changed} changed, ${total.removed} removed`,
      `performance gate: ${evaluation.verdict} (${evaluation.regressions} regressions)`,
    ],
    note: "In CI this step is the approve-gate action: named approvers, a quorum, separation of duties, and an audit record of who approved.",
  };
  const approvalFile = join(out, "approval.json");
  writeFileSync(approvalFile, canonicalJson(approval));
  progress.event(
    "auto-approved by the demo policy; in CI this is approve-gate (named approvers, quorum, audit record)",
  );
  progress.event(
    `subject: '${APP_NAME}' files ${approval.subject.sourceDigest.slice(0, 12)} → acceptance, production`,
  );
  progress.done("approved (demo policy)");
  return { approval, approvalFile };
}

// 9. Acceptance ---------------------------------------------------------------------------------------
async function acceptanceStage(ctx: PipelineContext, client: QlikClient): Promise<DeployRecord> {
  ctx.progress.stage(STAGES[8]);
  const acceptance = await deployPullRequest(ctx, client, "acceptance");
  ctx.progress.done(
    `published to acceptance as ${acceptance.appId}; reload ${acceptance.reloadStatus}; verified`,
  );
  return acceptance;
}

// 10. Production --------------------------------------------------------------------------------------
async function productionStage(
  ctx: PipelineContext,
  client: QlikClient,
  baseline: DeployRecord,
): Promise<{ production: DeployRecord; sameId: boolean }> {
  const { progress } = ctx;
  progress.stage(STAGES[9]);
  const production = await deployPullRequest(ctx, client, "production");
  const sameId = production.appId === baseline.appId;
  progress.event(`production app id before: ${baseline.appId}`);
  progress.event(
    `production app id after:  ${production.appId} (${sameId ? "the same app: republished in place, links keep working" : "DIFFERENT"})`,
  );
  check(sameId, "The republish to production changed the production app's id.");
  progress.done(`republished over ${production.appId}; reload ${production.reloadStatus}; verified`);
  return { production, sameId };
}

// 11. Post-deploy check -------------------------------------------------------------------------------
async function postDeployStage(
  ctx: PipelineContext,
  client: QlikClient,
  production: DeployRecord,
  prTree: AppTree,
): Promise<{ check: string; ok: boolean; detail: string }[]> {
  const { progress, sim, main } = ctx;
  progress.stage(STAGES[10]);
  const checks: { check: string; ok: boolean; detail: string }[] = [];
  const reloads = await client.call(
    { tier: "read", method: "GET", resource: "/api/v1/reloads", operation: "list reloads" },
    (opts) => getReloads({ appId: production.appId, limit: 1, sort: "-creationTime" }, opts),
  );
  const last = reloads.data.data?.[0];
  checks.push({
    check: "reload",
    ok: last?.status === "SUCCEEDED",
    detail: last ? `last reload ${last.id} ${last.status}` : "never reloaded",
  });
  const live = await client.withApp(production.appId, (doc) => unbuildApp(doc));
  const drift = diffAppTrees(live, prTree);
  checks.push({
    check: "content",
    ok: !drift.changed,
    detail: drift.changed
      ? `${drift.entries.length} differences between production and the merged files`
      : "production matches the merged files (read back over QIX)",
  });
  const after = sim.control.state(main.name);
  const prodSpaceId = after.spaces.find((s) => s.name === "production")?.id;
  const inProduction = after.apps.filter((a) => a.name === APP_NAME && a.spaceId === prodSpaceId).length;
  checks.push({
    check: "single copy",
    ok: inProduction === 1,
    detail: `${inProduction} app named '${APP_NAME}' in production`,
  });
  for (const c of checks) progress.event(`${c.ok ? "ok  " : "FAIL"} ${c.check}: ${c.detail}`);
  const bad = checks.find((c) => !c.ok);
  check(!bad, `Post-deploy check '${bad?.check}' failed: ${bad?.detail}.`);
  progress.done("production reloaded and verified");
  return checks;
}

/** The customer estate as the rollout stages see it. */
interface Estate {
  inventoryFile: string;
  env: Record<string, string>;
  customers: { name: string; sim: SimTenant }[];
  simName: Map<string, string>;
  common: Omit<RolloutInput, "source" | "stateFile">;
}

// 12. Estate ------------------------------------------------------------------------------------------
async function estateStage(ctx: PipelineContext, mainTree: AppTree) {
  const { progress, rolloutDir, rel } = ctx;
  progress.stage(STAGES[11]);
  mkdirSync(rolloutDir, { recursive: true });
  const inventoryFile = join(rolloutDir, "tenants.yml");
  const env: Record<string, string> = {};
  const pad = String(ctx.estate.length).length < 2 ? 2 : String(ctx.estate.length).length;
  const customers = ctx.estate.map((t, i) => ({
    name: `customer-${String(i + 1).padStart(pad, "0")}`,
    sim: t,
  }));
  const simName = new Map(customers.map((c) => [c.name, c.sim.name]));
  writeFileSync(
    inventoryFile,
    `# Written by the demo: one entry per customer tenant. Credentials are environment variable names, never values.\n${stringify(
      {
        version: 1,
        tenants: customers.map((c, i) => {
          const key = `DEMO_TENANT_KEY_${i + 1}`;
          env[key] = c.sim.apiKey;
          return {
            name: c.name,
            url: c.sim.url,
            region: c.sim.region,
            labels: i < 2 ? ["canary"] : [],
            credentials: { apiKeyEnv: key },
            parameters: { variables: { vTopN: String(5 + (i % 10)) } },
          };
        }),
      },
    )}`,
  );
  progress.event(
    `inventory of ${customers.length} customer tenants: ${rel(inventoryFile)} (API keys by variable name only)`,
  );
  const common: Omit<RolloutInput, "source" | "stateFile"> = {
    tenantsFile: inventoryFile,
    space: "production",
    appName: APP_NAME,
    maxParallel: 10,
    env,
    deploy: FAST_DEPLOY,
    evaluation: { pollIntervalMs: 25, timeoutMinutes: 2 },
    client: CLIENT_OPTIONS,
  };
  const estateStarted = Date.now();
  const waveOnly = progress.logger((m, level) => (level !== "info" || m.startsWith("Wave") ? m : undefined));
  const estateRun = await rolloutApp(
    {
      ...common,
      deploy: { ...FAST_DEPLOY, provenance: { commit: pseudoCommit(mainTree), ref: "refs/heads/main" } },
      source: ctx.mainDir,
      waves: "",
      stateFile: join(rolloutDir, "estate-state.json"),
    },
    { logger: waveOnly },
  );
  const estateMs = Date.now() - estateStarted;
  check(
    estateRun.report.status === "succeeded",
    `Deploying the current version to the estate ended '${estateRun.report.status}'.`,
  );
  const estateIds = new Map(Object.values(estateRun.state!.tenants).map((r) => [r.name, r.appId]));
  progress.done(`${estateRun.report.succeeded.length} customer tenants run the current version`);
  const estate: Estate = { inventoryFile, env, customers, simName, common };
  return { estate, estateIds, estateMs, estateRun };
}

/** One rollout run of the change, recorded for the report. */
type RunRollout = (label: string, resume: boolean) => Promise<RolloutRun>;

// 13. Canary rollout with a failing tenant -----------------------------------------------------------
async function canaryStage(
  ctx: PipelineContext,
  estate: Estate,
  estateIds: Map<string, string | undefined>,
  prTree: AppTree,
) {
  const { progress, sim, rolloutDir } = ctx;
  progress.stage(STAGES[12]);
  const canary = "label=canary";
  const waves = "25%,100%";
  const healthChecks = "reload,evaluation";
  const plan = planWaves(loadInventory(estate.inventoryFile, estate.env).tenants, { canary, waves });
  const failWave = plan.waves[1] ?? plan.waves[0];
  const failing = failWave.tenants[Math.floor((failWave.tenants.length - 1) / 2)].name;
  for (const w of plan.waves)
    progress.event(`plan: ${w.index}. ${w.name}: ${w.tenants.map((t) => t.name).join(", ")}`);
  sim.control.failNextReload(estate.simName.get(failing)!, estateIds.get(failing)!, {
    message: FAILURE_MESSAGE,
  });
  progress.event(
    `fault injected: ${failing} (wave ${failWave.index}, ${failWave.name}) will fail its next reload: its database is unreachable`,
  );
  const stateFile = join(rolloutDir, "state.json");
  const rolloutInput: RolloutInput = {
    ...estate.common,
    deploy: { ...FAST_DEPLOY, provenance: { commit: pseudoCommit(prTree), ref: "refs/pull/1/merge" } },
    source: ctx.prDir,
    canary,
    waves,
    healthChecks,
    bakeSeconds: 0.2,
    maxFailures: "0",
    rollback: true,
    stateFile,
  };
  const rolloutLogger = progress.logger((m) => m);
  const runs: RolloutRunRecord[] = [];
  // Every number about a run comes from the library's report of it (buildReport: per wave and in
  // total, by tenantOutcome), the same one its markdown summary is rendered from.
  const run: RunRollout = async (label, resume) => {
    const t0 = Date.now();
    const r = await rolloutApp({ ...rolloutInput, resume }, { logger: rolloutLogger });
    runs.push({
      label,
      status: r.report.status,
      ms: Date.now() - t0,
      waves: r.report.waves,
      counts: r.report.counts,
      markdown: renderRolloutMarkdown(r.report),
      deployedNow: r.report.tenants
        .filter((t) => tenantOutcome(t, r.report.runStartedAt) === "deployed")
        .map((t) => t.name)
        .sort(),
    });
    return r;
  };
  const first = await run("Run 1", false);
  const haltedStateFile = join(rolloutDir, "state-after-halt.json");
  copyFileSync(stateFile, haltedStateFile);
  check(
    first.report.status === "halted",
    `The rollout with a failing tenant ended '${first.report.status}' instead of halting.`,
  );
  const failedRecord = first.state!.tenants[failing];
  check(
    failedRecord.status === "rolled-back" || failedRecord.status === "failed",
    `The failing tenant ${failing} ended '${failedRecord.status}'.`,
  );
  const haltedWave = runs[0].waves.find((w) => w.status === "halted");
  const halt = runs[0].counts;
  progress.done(
    `halted in wave ${haltedWave?.index} (${haltedWave?.name}): ${halt.failed} failed, ${halt.rolledBack} rolled back with it, ${halt.deployed} in earlier waves stay deployed, ${halt.skipped} never touched`,
  );
  return { canary, waves, healthChecks, failing, stateFile, haltedStateFile, runs, run, first, halt };
}

// 14. Resume ------------------------------------------------------------------------------------------
async function resumeStage(
  ctx: PipelineContext,
  estate: Estate,
  estateIds: Map<string, string | undefined>,
  rollout: Awaited<ReturnType<typeof canaryStage>>,
) {
  const { progress, sim, rel } = ctx;
  const { failing, stateFile, runs, first, halt } = rollout;
  const { customers, simName } = estate;
  progress.stage(STAGES[13]);
  const failedReloads = sim.control
    .state(simName.get(failing)!)
    .reloads.filter((r) => r.status === "FAILED").length;
  await sim.control.setFaults(simName.get(failing)!, { rate: 0, down: false });
  progress.event(
    `fix: ${failing}'s database is reachable again (fault cleared; ${failedReloads} failed reload on record, nothing injected any more)`,
  );
  progress.event(`resuming from ${rel(stateFile)}: tenants whose deploy stood are not deployed again`);
  const second = await rollout.run("Run 2 (resumed)", true);
  check(second.report.status === "succeeded", `The resumed rollout ended '${second.report.status}'.`);
  const standing = new Set(runs[0].deployedNow.filter((n) => first.state!.tenants[n].status === "deployed"));
  const stood: Record<string, number> = {};
  for (const c of customers)
    stood[c.name] = (standing.has(c.name) ? 1 : 0) + (runs[1].deployedNow.includes(c.name) ? 1 : 0);
  const twice = Object.entries(stood).filter(([, n]) => n !== 1);
  check(
    !twice.length,
    `Tenants not deployed exactly once: ${twice.map(([n, k]) => `${n} (${k})`).join(", ")}.`,
  );
  const redeployed = runs[1].deployedNow.filter(
    (n) => first.state!.tenants[n].status === "rolled-back" || first.state!.tenants[n].status === "failed",
  );
  const productionApps: Record<string, number> = {};
  let idsKept = true;
  for (const c of customers) {
    const st = sim.control.state(c.sim.name);
    const prod = st.spaces.find((s) => s.name === "production")?.id;
    productionApps[c.name] = st.apps.filter((a) => a.name === APP_NAME && a.spaceId === prod).length;
    if (second.state!.tenants[c.name].appId !== estateIds.get(c.name)) idsKept = false;
  }
  const notOne = Object.entries(productionApps).filter(([, n]) => n !== 1);
  check(!notOne.length, `Tenants without exactly one production app: ${notOne.map(([n]) => n).join(", ")}.`);
  check(idsKept, "A customer's production app id changed during the rollout.");
  progress.event(
    `${plural(runs[1].counts.kept, "tenant")} kept from run 1 (not deployed again), ${redeployed.length} the halt left on the previous version deployed again (${halt.failed} failed, ${halt.rolledBack} rolled back with it), ${runs[1].deployedNow.length - redeployed.length} deployed for the first time`,
  );
  progress.event(`every customer tenant: one production app, its id unchanged since before the rollout`);
  progress.done(
    `rollout complete: ${second.report.succeeded.length} of ${customers.length} tenants deployed; every tenant's deploy stood exactly once`,
  );
  return { stood, redeployed, productionApps, idsKept };
}

// 15. Estate view -------------------------------------------------------------------------------------
async function estateViewStage(
  ctx: PipelineContext,
  estate: Estate,
  prTree: AppTree,
): Promise<EstateViewRecord> {
  const { progress, out, rel } = ctx;
  progress.stage(STAGES[14]);
  const expected = pseudoCommit(prTree);
  const started = Date.now();
  const report = await readEstate(
    {
      tenantsFile: estate.inventoryFile,
      space: "production",
      apps: [APP_NAME],
      expected: { [APP_NAME]: expected },
      maxParallel: 10,
      env: estate.env,
      client: CLIENT_OPTIONS,
    },
    { logger: progress.logger() },
  );
  const ms = Date.now() - started;
  const dir = join(out, "estate");
  mkdirSync(dir, { recursive: true });
  const files = {
    report: join(dir, "estate-report.json"),
    html: join(dir, "estate.html"),
    notCurrent: join(dir, "not-current.json"),
  };
  writeFileSync(files.report, canonicalJson(report));
  writeFileSync(files.html, renderEstateHtml(report));
  writeFileSync(files.notCurrent, renderNotCurrent(report));
  progress.event(
    `read back from every customer tenant (deployment record, reloads; nothing written) in ${(ms / 1000).toFixed(1)} s`,
  );
  for (const v of report.versions)
    progress.event(`  ${v.label}: ${v.status}, ${plural(v.tenants, "tenant")}`);
  for (const t of report.tenants.filter((x) => x.problems.length)) {
    progress.event(`  ${t.name}: ${t.problems.map((p) => PROBLEM_TEXT[p]).join(", ")}`);
  }
  progress.event(
    `estate page: ${rel(files.html)}; not-current list for rollout-canary: ${rel(files.notCurrent)}`,
  );
  const c = report.counts;
  check(
    report.notCurrent.length === 0,
    `After the rollout ${plural(report.notCurrent.length, "tenant")} still run another version.`,
  );
  progress.done(
    `${c.tenants - report.notCurrent.length} of ${plural(c.tenants, "tenant")} current; ${c.problems["failed-reload"]} with a failed reload in the last 24 h`,
  );
  return {
    ms,
    expected,
    counts: report.counts,
    versions: report.versions,
    notCurrent: report.notCurrent,
    problems: report.tenants
      .filter((t) => t.problems.length)
      .map((t) => ({ name: t.name, problems: t.problems })),
    markdown: renderEstateMarkdown(report),
    files: { report: rel(files.report), html: rel(files.html), notCurrent: rel(files.notCurrent) },
  };
}

/** Runs stages 1–15; the caller writes the report (stage 16). */
export async function runPipeline(options: DemoOptions): Promise<DemoResult> {
  const { progress, out } = options;
  cleanOutput(out);
  const { sim, main, estate: estateTenants } = await startStage(options);
  let client: QlikClient | undefined;
  try {
    const ctx: PipelineContext = {
      progress,
      out,
      rel: (p) => displayPath(p),
      mainDir: join(out, "app", "main"),
      prDir: join(out, "app", "pull-request"),
      rolloutDir: join(out, "rollout"),
      sim,
      main,
      estate: estateTenants,
    };
    const devApp = describeSimulator(ctx);
    client = new QlikClient(
      { tenantUrl: main.url, apiKey: main.apiKey },
      { ...CLIENT_OPTIONS, logger: progress.logger() },
    );
    const baseline = await baselineStage(ctx, client, devApp.id);
    const unbuild = await unbuildStage(ctx, client, devApp.id);
    const change = await pullRequestStage(ctx);
    const v = await validateStage(ctx);
    const test = await testStage(ctx, client);
    const { evaluation, gate, evaluationFile } = await evaluateStage(ctx, client);
    const { approval, approvalFile } = approvalStage(
      ctx,
      { lintErrors: v.lint.errors, lintWarnings: v.lint.warnings, total: v.total },
      { verdict: evaluation.verdict, regressions: gate.regressions.length },
      v.prTree,
    );
    const acceptance = await acceptanceStage(ctx, client);
    const { production, sameId } = await productionStage(ctx, client, baseline);
    const checks = await postDeployStage(ctx, client, production, v.prTree);
    await client.close();
    client = undefined;

    const { estate, estateIds, estateMs, estateRun } = await estateStage(ctx, v.mainTree);
    const rollout = await canaryStage(ctx, estate, estateIds, v.prTree);
    const resume = await resumeStage(ctx, estate, estateIds, rollout);
    const estateView = await estateViewStage(ctx, estate, v.prTree);

    const { rel } = ctx;
    return {
      appName: APP_NAME,
      simulator: { tenants: sim.description.tenants.length, seed: "demo" },
      baseline,
      unbuild: {
        files: unbuild.written.written,
        deterministic: unbuild.deterministic,
        dir: rel(ctx.mainDir),
      },
      change: { files: change.files, summary: change.summary, dir: rel(ctx.prDir) },
      lint: {
        errors: v.lint.errors,
        warnings: v.lint.warnings,
        notices: v.notices,
        markdown: renderLintMarkdown(v.lint, { title: "Lint" }),
      },
      diff: { ...v.total, markdown: renderDiffMarkdown(v.diff, { title: "" }), lines: v.lines },
      deploys: [test, acceptance, production],
      evaluation: {
        verdict: evaluation.verdict,
        passes: gate.passes,
        objects: gate.objects.map((o) => ({
          id: o.id,
          title: o.title,
          type: o.type,
          baselineMs: o.baselineMs,
          currentMs: o.currentMs,
          deltaMs: o.deltaMs,
          deltaPercent: o.deltaPercent,
          regressed: o.regressed,
          status: o.status,
        })),
        regressions: gate.regressions.map((r) => r.message),
        markdown: renderEvaluationMarkdown(evaluation.report),
        file: rel(evaluationFile),
      },
      approval: { ...approval, file: rel(approvalFile) },
      production: { before: baseline.appId, after: production.appId, sameId },
      postDeploy: { checks },
      rollout: {
        inventoryFile: rel(estate.inventoryFile),
        stateFile: rel(rollout.stateFile),
        haltedStateFile: rel(rollout.haltedStateFile),
        tenants: estate.customers.length,
        canary: rollout.canary,
        waves: rollout.waves,
        healthChecks: rollout.healthChecks,
        failingTenant: rollout.failing,
        failure: FAILURE_MESSAGE,
        estate: { ms: estateMs, deployed: estateRun.report.succeeded.length },
        runs: rollout.runs,
        deploysThatStood: resume.stood,
        redeployedAfterRollback: resume.redeployed,
        appIdsKept: resume.idsKept,
        productionApps: resume.productionApps,
      },
      estateView,
    };
  } finally {
    await client?.close();
    await sim.stop();
  }
}
