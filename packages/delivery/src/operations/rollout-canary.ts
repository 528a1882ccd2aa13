// rollout-canary: roll an app out to an estate of tenants in waves (canary first), halting and rolling
// back on failure; also the plan (dry run) and the merge of matrix jobs' state files.
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  canonicalJson,
  CicdError,
  ConfigError,
  defineOperation,
  plural,
  resolvePathInput,
  type InputReader,
  type OperationHost,
} from "@qlik-cicd/common";
import {
  describeCounts,
  renderPlanMarkdown,
  renderRolloutMarkdown,
  type RolloutReport,
} from "../rollout/render.ts";
import { mergeStateFiles, rolloutApp, type RolloutInput, type RolloutRun } from "../rollout/rollout.ts";
import { provenanceOf } from "./deploy-to-space.ts";

export interface RolloutCanaryOptions {
  stateFile: string;
  /** The report beside the state file (`<state>-report.json`). */
  reportFile: string;
  /** `-wave2-shard1of3`: keeps the files and artifacts of matrix jobs apart. */
  suffix: string;
  /** Merge mode: the shard state files to merge (no tenant is touched). */
  merge?: string[];
  rollout?: RolloutInput;
}

export type RolloutCanaryResult =
  | { mode: "merge"; files: number; report: RolloutReport }
  | ({ mode: "plan" | "rollout" } & Pick<RolloutRun, "plan" | "matrix" | "report">);

function jobSuffix(wave: number | undefined, shard: string | undefined): string {
  const parts = [
    ...(wave !== undefined ? [`wave${wave}`] : []),
    ...(shard ? [`shard${shard.replace(/\s/g, "").replace("/", "of")}`] : []),
  ];
  return parts.length ? `-${parts.join("-")}` : "";
}

function requiredPath(inputs: InputReader, name: string): string {
  inputs.required(name);
  return inputs.path(name) as string;
}

/** `artifact` (built before) or `source` (built once at the start), exactly one. */
function artifactOrSource(inputs: InputReader): { artifact: string } | { source: string } {
  const artifact = inputs.path("artifact");
  const source = inputs.path("source");
  if (artifact && source) {
    throw new ConfigError("Set either 'artifact' or 'source', not both.", { field: "artifact" });
  }
  if (artifact) return { artifact };
  if (!source) {
    throw new ConfigError(
      "Input 'source' is required (a folder of unbuilt app files), unless 'artifact' names an artifact built before.",
      { field: "source" },
    );
  }
  return { source };
}

function writeReport(path: string, report: RolloutReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, canonicalJson(report));
}

async function upload(host: OperationHost, options: RolloutCanaryOptions, suffix: string): Promise<void> {
  const { runId = "local", runAttempt = "1" } = host.run;
  const name = `rollout-state-${runId}-${runAttempt}${suffix}`;
  try {
    await host.uploadArtifact(name, [options.stateFile, options.reportFile], dirname(options.stateFile));
  } catch (error) {
    host.logger.warn(
      `The rollout state could not be uploaded as artifact '${name}': ${(error as Error).message}`,
    );
  }
}

export const rolloutCanaryOperation = defineOperation({
  name: "rollout-canary",
  inputs: {
    "tenants-file": { required: true },
    source: {},
    artifact: {},
    space: { required: true },
    "staging-space": {},
    "app-name": {},
    canary: {},
    waves: {},
    selector: {},
    "tenants-from": {},
    "max-parallel": { default: "20" },
    "bake-seconds": { default: "0" },
    "health-checks": {},
    "max-failures": { default: "0" },
    rollback: { default: "true" },
    "rollback-dir": {},
    "state-file": {},
    resume: { default: "false" },
    "dry-run": { default: "false" },
    shard: {},
    shards: { default: "1" },
    wave: {},
    "merge-states": {},
    "reload-timeout-minutes": { default: "30" },
  },
  outputNames: ["succeeded", "failed", "rolled-back", "skipped", "state-file", "matrix", "report", "status"],

  options(inputs, host): RolloutCanaryOptions {
    const wave = inputs.number("wave", { min: 1, integer: true });
    const shard = inputs.string("shard");
    const suffix = jobSuffix(wave, shard);
    // Unless named, the state goes where later steps find it: the workspace on a runner, this run's
    // temporary folder in a terminal (so a CLI run leaves nothing in the current folder).
    const stateFile = inputs.path("state-file") ?? join(host.stateDir, `rollout-state${suffix}.json`);
    const reportFile = join(dirname(stateFile), `${basename(stateFile, ".json")}-report.json`);
    const merge = inputs.list("merge-states");
    if (merge) {
      return {
        stateFile,
        reportFile,
        suffix,
        merge: merge.map((file) => resolvePathInput(host.paths, file, { field: "merge-states" })),
      };
    }
    return {
      stateFile,
      reportFile,
      suffix,
      rollout: {
        tenantsFile: requiredPath(inputs, "tenants-file"),
        ...artifactOrSource(inputs),
        space: inputs.required("space"),
        appName: inputs.string("app-name"),
        stagingSpace: inputs.string("staging-space"),
        canary: inputs.string("canary"),
        waves: inputs.string("waves"),
        selector: inputs.string("selector"),
        tenantsFrom: inputs.path("tenants-from"),
        shard,
        ...(wave !== undefined ? { wave } : {}),
        shards: inputs.number("shards", { min: 1, max: 256, integer: true }),
        maxParallel: inputs.number("max-parallel", { min: 1, max: 1000, integer: true }),
        bakeSeconds: inputs.number("bake-seconds", { min: 0, max: 86_400 }),
        healthChecks: inputs.string("health-checks"),
        maxFailures: inputs.string("max-failures"),
        rollback: inputs.boolean("rollback"),
        rollbackDir: inputs.path("rollback-dir"),
        stateFile,
        resume: inputs.boolean("resume"),
        dryRun: inputs.boolean("dry-run"),
        env: host.env,
        deploy: {
          provenance: provenanceOf(host.run),
          reloadTimeoutMinutes: inputs.number("reload-timeout-minutes", { min: 1, max: 1440 }),
        },
      },
    };
  },

  async run(options, host): Promise<RolloutCanaryResult> {
    if (options.merge) {
      const { report } = await mergeStateFiles(options.merge, options.stateFile);
      writeReport(options.reportFile, report);
      await upload(host, options, "-merged");
      return { mode: "merge", files: options.merge.length, report };
    }
    const run = await rolloutApp(options.rollout as RolloutInput, { logger: host.logger });
    writeReport(options.reportFile, run.report);
    if (run.mode === "plan") return { mode: "plan", plan: run.plan, matrix: run.matrix, report: run.report };
    await upload(host, options, options.suffix);
    const r = run.report;
    if (r.status !== "halted" && (r.failed.length || r.rolledBack.length)) {
      host.logger.warn(
        `${r.failed.length + r.rolledBack.length} tenants failed within the error budget: ${[...r.failed, ...r.rolledBack].slice(0, 20).join(", ")}.`,
      );
    }
    return { mode: "rollout", plan: run.plan, matrix: run.matrix, report: run.report };
  },

  outputs: (result, options) => ({
    "state-file": options.stateFile,
    matrix: result.mode === "merge" ? "" : result.matrix,
    report: options.reportFile,
    succeeded: result.report.succeeded,
    failed: result.report.failed,
    "rolled-back": result.report.rolledBack,
    skipped: result.report.skipped,
    status: result.report.status,
  }),

  summary(result) {
    if (result.mode === "merge") {
      return `Merged ${result.files} state files.\n\n${renderRolloutMarkdown(result.report)}`;
    }
    if (result.mode === "plan") {
      return renderPlanMarkdown(result.plan, result.matrix, result.report.appName, result.report.space);
    }
    return renderRolloutMarkdown(result.report);
  },

  failure(result) {
    const r = result.report;
    if (r.status !== "halted") return undefined;
    if (result.mode === "merge") {
      return new CicdError(
        `The merged rollout halted: ${r.failed.length + r.rolledBack.length} tenants failed or were rolled back.`,
      );
    }
    const wave = r.waves.find((w) => w.status === "halted");
    return new CicdError(
      `The rollout halted in wave ${wave?.index} (${wave?.name}): ${plural(wave?.failures ?? 0, "failure")}, more than the budget of ${wave?.budget}; ${describeCounts(r.counts)}.`,
      { hint: "Fix the cause and run again with 'resume: true' to retry only what did not succeed." },
    );
  },

  // The state file is named even when the rollout stops early, so a later step can find what was done.
  failed: (_error, options) => ({ outputs: { "state-file": options.stateFile } }),
});
