/**
 * rolloutApp: the whole rollout from plain inputs — inventory, source, plan, the engine with the
 * default tenant operations, report. Everything that can be checked is checked before any tenant is
 * touched. Also the plan-only (dry-run) and merge-states modes.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { readAppTree, requireAppFolder, treeDigest } from "@qlik-cicd/app-files";
import {
  canonicalJson,
  ConfigError,
  sha256Hex,
  silentLogger,
  systemClock,
  withRetries,
  type Logger,
} from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { ArtifactStore, readArtifact, shortDigest, type AppArtifact } from "../artifact/artifact-file.ts";
import { buildArtifactOnce } from "../artifact/build.ts";
import { titleOfTree } from "../deploy/content.ts";
import {
  defaultRetryable,
  runRollout,
  type DeployOutcome,
  type EngineDeps,
  type TenantContext,
} from "./engine.ts";
import { loadInventory, resolveConnection, tenantParametersYaml } from "./inventory.ts";
import { parseBudget, planWaves, rolloutMatrix } from "./plan.ts";
import { buildReport, type RolloutReport } from "./render.ts";
import { FileStateStore, mergeStates, readStateFile } from "./state.ts";
import { tenantsFrom } from "./tenants-from.ts";
import { createTenantOps, parseHealthChecks, type TenantOps, type TenantOpsOptions } from "./tenant-ops.ts";
import type { InventoryTenant, RolloutPlan, RolloutState, StateStore, TenantInventory } from "./types.ts";

export interface RolloutInput {
  /** Path of the tenant inventory YAML. */
  tenantsFile: string;
  /**
   * Folder of unbuilt app files: built once at the start (on the first tenant, in a scratch app) into
   * an artifact that every tenant then gets. Set this or `artifact`.
   */
  source?: string;
  /** An artifact built before (deploy-to-space's 'artifact-output'): shipped as it is to every tenant. */
  artifact?: string;
  space: string;
  /** Default: the app title in the files. */
  appName?: string;
  stagingSpace?: string;
  /** `label=canary`, a count `2` or a percent `5%`. */
  canary?: string;
  /** `10%,50%,100%` or `label=wave-1,label=wave-2`. */
  waves?: string;
  /** Only these tenants (comma separated selectors). */
  selector?: string;
  /** Only the tenants this file names (estate-status's not-current file, a JSON list or lines). */
  tenantsFrom?: string;
  /** `i/n`: this job's share of every wave. */
  shard?: string;
  /** Run only this wave (a matrix job); default all. */
  wave?: number;
  /** Shards per wave in the plan's matrix (default 1). */
  shards?: number;
  maxParallel?: number;
  bakeSeconds?: number;
  healthChecks?: string;
  /** Error budget per wave: `2` or `10%` (default 0). */
  maxFailures?: string;
  rollback?: boolean;
  stateFile: string;
  resume?: boolean;
  dryRun?: boolean;
  /** Where replaced versions are kept for rollback (default `<state-file dir>/rollback`). */
  rollbackDir?: string;
  /** Scratch folder for per-tenant parameter files (default beside the state file). */
  workDir?: string;
  maxAttempts?: number;
  env?: TenantOpsOptions["env"];
  /** Passed through to every tenant's operations (see TenantOpsOptions). */
  deploy?: TenantOpsOptions["deploy"];
  evaluation?: TenantOpsOptions["evaluation"];
  automation?: TenantOpsOptions["automation"];
  client?: TenantOpsOptions["client"];
}

export interface RolloutDeps {
  logger?: Logger;
  /** Default: FileStateStore(stateFile). */
  store?: StateStore;
  /** Replace tenant operations (tests); the rest stay the defaults. */
  ops?: Partial<Pick<TenantOps, "deployTenant" | "checkHealth" | "rollbackTenant">>;
  sleep?: EngineDeps["sleep"];
  now?: EngineDeps["now"];
}

export interface RolloutRun {
  mode: "plan" | "rollout";
  plan: RolloutPlan;
  matrix: { include: { wave: number; shard: string; tenants: number }[] };
  /** The final state (rollout mode). */
  state?: RolloutState;
  report: RolloutReport;
}

function checkInt(value: number | undefined, field: string, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new ConfigError(`Input '${field}' must be a whole number from ${min} to ${max}, got ${value}.`, {
      field,
    });
  }
}

/** What one tenant gets, as a digest: the source, the target and its parameters. */
export function tenantDigest(
  sourceDigest: string,
  inventory: TenantInventory,
  tenant: InventoryTenant,
  target: { space: string; appName: string },
): string {
  return sha256Hex(
    canonicalJson({
      source: sourceDigest,
      url: tenant.url,
      space: target.space,
      appName: target.appName,
      parameters: tenantParametersYaml(inventory, tenant) ?? null,
    }),
  );
}

function planReport(plan: RolloutPlan, appName: string, space: string, sourceDigest: string): RolloutReport {
  const now = new Date().toISOString();
  const state: RolloutState = {
    version: 1,
    rolloutId: "plan",
    startedAt: now,
    updatedAt: now,
    sourceDigest,
    appName,
    space,
    ...(plan.shard ? { shard: `${plan.shard.index}/${plan.shard.count}` } : {}),
    status: "planned",
    waves: plan.waves.map((w) => ({
      index: w.index,
      name: w.name,
      status: "pending",
      tenants: w.tenants.map((t) => t.name),
    })),
    tenants: Object.fromEntries(
      plan.waves.flatMap((w) =>
        w.tenants.map((t) => [
          t.name,
          { name: t.name, wave: w.index, status: "pending" as const, digest: "", attempts: 0 },
        ]),
      ),
    ),
  };
  return buildReport(state);
}

export async function rolloutApp(input: RolloutInput, deps: RolloutDeps = {}): Promise<RolloutRun> {
  const logger = deps.logger ?? silentLogger;
  const env = input.env ?? process.env;
  // 1. Every input and file is checked before any tenant is touched.
  if (!input.space?.trim()) throw new ConfigError("Input 'space' is required.", { field: "space" });
  if (!input.stateFile?.trim() && !deps.store) {
    throw new ConfigError("Input 'state-file' is required.", { field: "state-file" });
  }
  checkInt(input.maxParallel, "max-parallel", 1, 1000);
  checkInt(input.shards, "shards", 1, 256);
  checkInt(input.maxAttempts, "max-attempts", 1, 10);
  if (input.bakeSeconds !== undefined && !(input.bakeSeconds >= 0 && input.bakeSeconds <= 86_400)) {
    throw new ConfigError(`Input 'bake-seconds' must be from 0 to 86400, got ${input.bakeSeconds}.`, {
      field: "bake-seconds",
    });
  }
  const inventory = loadInventory(input.tenantsFile, env);
  if (input.artifact?.trim() && input.source?.trim()) {
    throw new ConfigError("Set either 'artifact' or 'source', not both.", { field: "artifact" });
  }
  let given: AppArtifact | undefined;
  let sourceDigest: string;
  let appName: string | undefined;
  if (input.artifact?.trim()) {
    given = readArtifact(input.artifact, "artifact");
    sourceDigest = given.manifest.sourceDigest;
    appName = input.appName?.trim() || given.manifest.appName;
  } else {
    if (!input.source?.trim() || !existsSync(input.source)) {
      throw new ConfigError(
        input.source?.trim()
          ? `Input 'source': the folder '${input.source}' does not exist.`
          : "Set 'source' (a folder of unbuilt app files) or 'artifact' (an artifact built before).",
        { field: "source" },
      );
    }
    await requireAppFolder(input.source, "source");
    const tree = await readAppTree(input.source);
    sourceDigest = treeDigest(tree);
    appName = input.appName?.trim() || titleOfTree(tree);
  }
  if (!appName) {
    throw new ConfigError("The source has no app title (app-properties.json qTitle); set 'app-name'.", {
      field: "app-name",
    });
  }
  const healthChecks = parseHealthChecks(input.healthChecks);
  const budget = parseBudget(input.maxFailures);
  const tenants = input.tenantsFrom ? tenantsFrom(input.tenantsFrom, inventory.tenants) : inventory.tenants;
  let plan = planWaves(tenants, {
    canary: input.canary,
    waves: input.waves,
    selector: input.selector,
    shard: input.shard,
  });
  const matrix = rolloutMatrix(plan, input.shards ?? 1);
  if (input.wave !== undefined) {
    checkInt(input.wave, "wave", 1, plan.waves.length);
    plan = { ...plan, waves: plan.waves.filter((w) => w.index === input.wave) };
  }
  const space = input.space.trim();

  if (input.dryRun) {
    logger.info(
      `Plan: ${plan.waves.length} waves over ${plan.waves.reduce((n, w) => n + w.tenants.length, 0)} tenants; nothing was changed.`,
    );
    return { mode: "plan", plan, matrix, report: planReport(plan, appName, space, sourceDigest) };
  }

  // 2. Run.
  const store = deps.store ?? new FileStateStore(input.stateFile);
  const base = input.stateFile ? dirname(input.stateFile) : process.cwd();
  const rollbackDir = input.rollbackDir ?? join(base, "rollback");
  const artifact =
    given ??
    (await artifactOfFiles({
      input,
      env,
      store,
      artifacts: new ArtifactStore(rollbackDir),
      sourceDigest,
      appName,
      space,
      first: plan.waves[0]?.tenants[0],
      logger,
    }));
  const ops = createTenantOps(
    {
      inventory,
      source: input.source ?? "",
      ...(artifact ? { artifact } : {}),
      space,
      appName,
      ...(input.stagingSpace ? { stagingSpace: input.stagingSpace } : {}),
      healthChecks,
      workDir: input.workDir ?? join(base, "rollout-work"),
      rollbackDir,
      rollbackOnFailure: input.rollback ?? true,
      env,
      ...(input.deploy ? { deploy: input.deploy } : {}),
      ...(input.evaluation ? { evaluation: input.evaluation } : {}),
      ...(input.automation ? { automation: input.automation } : {}),
      ...(input.client ? { client: input.client } : {}),
    },
    logger,
  );
  // A tenant's client (its connection) is closed as soon as the tenant's work in the wave is done, not
  // when its wave ends: a wave of thousands would otherwise keep every finished tenant's client. A
  // deployed tenant keeps it for its health check: one connection for both, where a second would cost
  // another TLS handshake per tenant.
  const checksHealth = Boolean(healthChecks.length || deps.ops?.checkHealth);
  const deploy = deps.ops?.deployTenant ?? ops.deployTenant;
  const deployKeepingClient = async (tenant: InventoryTenant, ctx: TenantContext): Promise<DeployOutcome> => {
    let kept = false;
    try {
      const outcome = await deploy(tenant, ctx);
      kept = checksHealth;
      return outcome;
    } finally {
      if (!kept) await ops.release([tenant]);
    }
  };
  const releasing =
    <A extends unknown[], R>(fn: (tenant: InventoryTenant, ...rest: A) => Promise<R>) =>
    async (tenant: InventoryTenant, ...rest: A): Promise<R> => {
      try {
        return await fn(tenant, ...rest);
      } finally {
        await ops.release([tenant]);
      }
    };
  try {
    const result = await runRollout(
      {
        plan,
        sourceDigest,
        ...(artifact ? { artifactDigest: artifact.manifest.artifactDigest } : {}),
        appName,
        space,
        tenantDigest: (t) =>
          tenantDigest(artifact?.manifest.artifactDigest ?? sourceDigest, inventory, t, { space, appName }),
        maxParallel: input.maxParallel ?? 20,
        bakeSeconds: input.bakeSeconds ?? 0,
        budget,
        rollback: input.rollback ?? true,
        resume: input.resume ?? false,
        ...(input.maxAttempts ? { maxAttempts: input.maxAttempts } : {}),
      },
      {
        store,
        deployTenant: deployKeepingClient,
        ...(healthChecks.length || deps.ops?.checkHealth
          ? { checkHealth: releasing(deps.ops?.checkHealth ?? ops.checkHealth) }
          : {}),
        rollbackTenant: deps.ops?.rollbackTenant ?? ops.rollbackTenant,
        afterWave: (wave) => ops.release(wave.tenants),
        logger,
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      },
    );
    const report = buildReport(result.state, { runStartedAt: result.runStartedAt });
    return { mode: "rollout", plan, matrix, state: result.state, report };
  } finally {
    await ops.release();
  }
}

/**
 * The artifact a rollout from files ships: the one a run of this rollout already built (a resume ships
 * the same bytes), else built once now on the rollout's first tenant, in a scratch app of the target's
 * staging space, and kept in the rollback store. Undefined when there is no tenant to deploy.
 */
async function artifactOfFiles(args: {
  input: RolloutInput;
  env: Record<string, string | undefined>;
  store: StateStore;
  artifacts: ArtifactStore;
  sourceDigest: string;
  appName: string;
  space: string;
  first: InventoryTenant | undefined;
  logger: Logger;
}): Promise<AppArtifact | undefined> {
  const { input, artifacts, logger } = args;
  if (input.resume) {
    const previous = await args.store.load();
    if (previous?.sourceDigest === args.sourceDigest && previous.artifactDigest) {
      const kept = artifacts.load(previous.artifactDigest);
      if (kept) {
        logger.info(
          `Resuming with artifact ${shortDigest(kept.manifest.artifactDigest)}, built by the first run.`,
        );
        return kept;
      }
    }
  }
  if (!args.first) return undefined;
  const tenant = args.first;
  const client = new QlikClient(resolveConnection(tenant, args.env), { ...(input.client ?? {}), logger });
  try {
    const artifact = await withRetries(
      () =>
        buildArtifactOnce(
          client,
          {
            source: input.source as string,
            space: input.stagingSpace?.trim() || `${args.space}-staging`,
            appName: args.appName,
            ...(input.deploy?.prune !== undefined ? { prune: input.deploy.prune } : {}),
            ...(input.deploy?.provenance?.commit ? { commit: input.deploy.provenance.commit } : {}),
            ...(input.deploy?.provenance?.commitTime
              ? { commitTime: input.deploy.provenance.commitTime }
              : {}),
          },
          logger,
        ),
      {
        policy: {
          maxAttempts: Math.max(1, input.maxAttempts ?? 3),
          maxElapsedMs: Infinity,
          baseDelayMs: 200,
          maxDelayMs: 2000,
        },
        clock: systemClock,
        retryable: defaultRetryable,
        onRetry: (error, next) =>
          logger.warn(
            `Building the artifact: attempt ${next.attempt - 1} failed (${(error as Error).message}); trying again.`,
          ),
      },
    );
    artifacts.save(artifact);
    logger.info(
      `Built '${args.appName}' once on ${tenant.name} as artifact ${shortDigest(artifact.manifest.artifactDigest)}; every tenant gets this file.`,
    );
    return artifact;
  } finally {
    await client.close();
  }
}

/** Merges shard state files into `stateFile` (when given) and reports on the whole. */
export async function mergeStateFiles(
  files: readonly string[],
  stateFile: string | undefined,
): Promise<{ state: RolloutState; report: RolloutReport }> {
  if (!files.length) {
    throw new ConfigError("Input 'merge-states' names no state files.", { field: "merge-states" });
  }
  const states = files.map((f) => readStateFile(f));
  const state = mergeStates(states);
  if (stateFile) await new FileStateStore(stateFile).save(state);
  return { state, report: buildReport(state) };
}
