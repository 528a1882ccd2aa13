import * as core from "@actions/core";
import { writeFileSync, mkdirSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { canonicalJson, CicdError, plural, secrets } from "@qlik-cicd/common";
import {
  describeCounts,
  mergeStateFiles,
  renderRolloutPlanMarkdown,
  renderRolloutMarkdown,
  rolloutApp,
  type RolloutReport,
} from "@qlik-cicd/delivery";
import {
  currentRunUrl,
  actionsLogger,
  readBooleanInput,
  readInput,
  readNumberInput,
  runAction,
  uploadArtifact,
  writeOutput,
} from "../../_shared/src/index.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

function workspacePath(path: string): string;
function workspacePath(path: string | undefined): string | undefined;
function workspacePath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const base = process.env.GITHUB_WORKSPACE || process.cwd();
  return isAbsolute(path) ? path : resolve(base, path);
}

/** `-wave2-shard1of3`: keeps the files and artifacts of matrix jobs apart. */
function jobSuffix(wave: number | undefined, shard: string | undefined): string {
  const parts = [
    ...(wave !== undefined ? [`wave${wave}`] : []),
    ...(shard ? [`shard${shard.replace(/\s/g, "").replace("/", "of")}`] : []),
  ];
  return parts.length ? `-${parts.join("-")}` : "";
}

function writeLists(report: RolloutReport): void {
  writeOutput(OUTPUTS.succeeded, report.succeeded);
  writeOutput(OUTPUTS.failed, report.failed);
  writeOutput(OUTPUTS.rolledBack, report.rolledBack);
  writeOutput(OUTPUTS.skipped, report.skipped);
  writeOutput(OUTPUTS.status, report.status);
}

async function upload(stateFile: string, reportFile: string, suffix: string): Promise<void> {
  const { GITHUB_RUN_ID = "local", GITHUB_RUN_ATTEMPT = "1" } = process.env;
  const name = `rollout-state-${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}${suffix}`;
  try {
    await uploadArtifact(name, [stateFile, reportFile], dirname(stateFile));
  } catch (error) {
    core.warning(
      `The rollout state could not be uploaded as artifact '${name}': ${(error as Error).message}`,
    );
  }
}

function writeReport(path: string, report: RolloutReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, canonicalJson(report));
}

export async function run(): Promise<void> {
  await runAction("rollout-canary", async () => {
    const wave =
      readInput(INPUTS.wave) === undefined
        ? undefined
        : readNumberInput(INPUTS.wave, 1, { min: 1, integer: true });
    const shard = readInput(INPUTS.shard);
    const suffix = jobSuffix(wave, shard);
    const stateFile = workspacePath(readInput(INPUTS.stateFile) ?? `rollout-state${suffix}.json`);
    const reportFile = join(dirname(stateFile), `${basename(stateFile, ".json")}-report.json`);
    writeOutput(OUTPUTS.stateFile, stateFile);

    // Merge mode: shard states into one, no tenant touched.
    const merge = readInput(INPUTS.mergeStates);
    if (merge) {
      const files = merge
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean)
        .map((f) => workspacePath(f));
      const { report } = await mergeStateFiles(files, stateFile);
      writeReport(reportFile, report);
      writeLists(report);
      writeOutput(OUTPUTS.report, reportFile);
      writeOutput(OUTPUTS.matrix, "");
      await core.summary
        .addRaw(secrets.redact(`Merged ${files.length} state files.\n\n${renderRolloutMarkdown(report)}`))
        .write();
      await upload(stateFile, reportFile, "-merged");
      if (report.status === "halted")
        throw new CicdError(
          `The merged rollout halted: ${report.failed.length + report.rolledBack.length} tenants failed or were rolled back.`,
        );
      return;
    }

    const provenance = {
      ...(process.env.GITHUB_SHA ? { commit: process.env.GITHUB_SHA } : {}),
      ...(currentRunUrl() ? { runUrl: currentRunUrl() } : {}),
      ...(process.env.GITHUB_REF ? { ref: process.env.GITHUB_REF } : {}),
    };
    const run = await rolloutApp(
      {
        tenantsFile: workspacePath(readInput(INPUTS.tenantsFile, { required: true }) as string),
        source: workspacePath(readInput(INPUTS.source, { required: true }) as string),
        space: readInput(INPUTS.space, { required: true }) as string,
        appName: readInput(INPUTS.appName),
        stagingSpace: readInput(INPUTS.stagingSpace),
        canary: readInput(INPUTS.canary),
        waves: readInput(INPUTS.waves),
        selector: readInput(INPUTS.selector),
        shard,
        ...(wave !== undefined ? { wave } : {}),
        shards: readNumberInput(INPUTS.shards, 1, { min: 1, max: 256, integer: true }),
        maxParallel: readNumberInput(INPUTS.maxParallel, 20, { min: 1, max: 1000, integer: true }),
        bakeSeconds: readNumberInput(INPUTS.bakeSeconds, 0, { min: 0, max: 86_400 }),
        healthChecks: readInput(INPUTS.healthChecks),
        maxFailures: readInput(INPUTS.maxFailures),
        rollback: readBooleanInput(INPUTS.rollback, true),
        rollbackDir: workspacePath(readInput(INPUTS.rollbackDir)),
        stateFile,
        resume: readBooleanInput(INPUTS.resume, false),
        dryRun: readBooleanInput(INPUTS.dryRun, false),
        deploy: {
          provenance,
          reloadTimeoutMinutes: readNumberInput(INPUTS.reloadTimeoutMinutes, 30, { min: 1, max: 1440 }),
        },
      },
      { logger: actionsLogger },
    );
    writeOutput(OUTPUTS.matrix, run.matrix);
    writeReport(reportFile, run.report);
    writeOutput(OUTPUTS.report, reportFile);
    writeLists(run.report);
    if (run.mode === "plan") {
      await core.summary
        .addRaw(
          secrets.redact(
            renderRolloutPlanMarkdown(run.plan, run.matrix, run.report.appName, run.report.space),
          ),
        )
        .write();
      return;
    }
    await core.summary.addRaw(secrets.redact(renderRolloutMarkdown(run.report))).write();
    await upload(stateFile, reportFile, suffix);
    const r = run.report;
    if (r.status === "halted") {
      const wave = r.waves.find((w) => w.status === "halted");
      throw new CicdError(
        `The rollout halted in wave ${wave?.index} (${wave?.name}): ${plural(wave?.failures ?? 0, "failure")}, more than the budget of ${wave?.budget}; ${describeCounts(r.counts)}.`,
        { hint: "Fix the cause and run again with 'resume: true' to retry only what did not succeed." },
      );
    }
    if (r.failed.length || r.rolledBack.length) {
      core.warning(
        `${r.failed.length + r.rolledBack.length} tenants failed within the error budget: ${[...r.failed, ...r.rolledBack].slice(0, 20).join(", ")}.`,
      );
    }
  });
}
