/**
 * The rollout engine: waves in order (canary first), tenants of a wave in parallel up to a limit, a
 * checkpoint after every tenant, then bake, health analysis against the wave's error budget, and
 * either the next wave or a halt with rollback of the wave's changed tenants. What reaches a tenant is
 * injected (`deployTenant`, `checkHealth`, `rollbackTenant`) so the engine is tested on its own; the
 * default operations (tenant-ops.ts) call the one deploy path, deployApp.
 */
import { randomUUID } from "node:crypto";
import {
  ConfigError,
  describeError,
  mapLimit,
  plural,
  sharedCopies,
  silentLogger,
  systemClock,
  withRetries,
  type Clock,
  type Logger,
  type RetryPolicy,
} from "@qlik-cicd/common";
import { errorBudget } from "./plan.ts";
import type {
  HealthCheckResult,
  InventoryTenant,
  PlannedWave,
  RolloutPlan,
  RolloutState,
  StateStore,
  TenantRecord,
  WaveRecord,
} from "./types.ts";

export interface TenantContext {
  wave: PlannedWave;
  /** 1 for the first attempt in this run. */
  attempt: number;
  /** The tenant's record as it stands (read only; use `update` to change it). */
  record: Readonly<TenantRecord>;
  /** When this rollout started (kept by resumed runs). */
  rolloutStartedAt: string;
  /** Merges fields into the record and checkpoints it (e.g. a baseline taken before the change). */
  update(
    fields: Partial<Pick<TenantRecord, "baselineEvaluationId" | "appId" | "previousArtifactDigest">>,
  ): Promise<void>;
}

export interface DeployOutcome {
  /** The consumers' app (published copy or shared-space app). */
  appId: string;
  changed: boolean;
  reloadStatus?: string;
  /** The artifact the tenant runs now, and the one it ran before this rollout changed it. */
  artifactDigest?: string;
  previousArtifactDigest?: string;
}

export interface RollbackOutcome {
  rolledBack: boolean;
  /** One sentence, e.g. why there was nothing to roll back to. */
  detail: string;
}

export type DeployTenantFn = (tenant: InventoryTenant, ctx: TenantContext) => Promise<DeployOutcome>;
export type HealthCheckFn = (tenant: InventoryTenant, ctx: TenantContext) => Promise<HealthCheckResult[]>;
export type RollbackTenantFn = (tenant: InventoryTenant, ctx: TenantContext) => Promise<RollbackOutcome>;

export interface EngineOptions {
  plan: RolloutPlan;
  /** Digest of the source files (the rollout's identity for resume). */
  sourceDigest: string;
  /** The artifact shipped to every tenant; a resume of a rollout that shipped another is refused. */
  artifactDigest?: string;
  appName: string;
  space: string;
  /** What a tenant gets; a tenant deployed with the same digest is skipped on resume. */
  tenantDigest: (tenant: InventoryTenant) => string;
  maxParallel: number;
  bakeSeconds: number;
  budget: { count?: number; percent?: number };
  rollback: boolean;
  resume: boolean;
  /** Attempts per tenant for transient failures (default 3). */
  maxAttempts?: number;
}

export interface EngineDeps {
  store: StateStore;
  deployTenant: DeployTenantFn;
  checkHealth?: HealthCheckFn;
  rollbackTenant?: RollbackTenantFn;
  /** Called when a wave is done (release per-tenant resources). */
  afterWave?: (wave: PlannedWave) => Promise<void>;
  /** Whether a failed deploy is worth another attempt (default: not for configuration or content errors). */
  retryable?: (error: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  logger?: Logger;
}

export interface RolloutResult {
  state: RolloutState;
  status: RolloutState["status"];
  /** The wave that halted the rollout, if any. */
  haltedWave?: number;
  /** When this run started: tenants deployed before it were kept, not deployed again (see buildReport). */
  runStartedAt: string;
}

/** Waits between a tenant's deploy attempts (the project's backoff: 200 ms doubling to 2 s, full jitter). */
const RE_CONVERGENCE_POLICY: Omit<RetryPolicy, "maxAttempts"> = {
  maxElapsedMs: Infinity,
  baseDelayMs: 200,
  maxDelayMs: 2000,
};

const NOT_RETRYABLE = new Set([
  "ConfigError",
  "ReloadFailedError",
  "DeployVerificationError",
  "QlikUnauthorizedError",
  "QlikForbiddenError",
  "QlikNotFoundError",
  "EvaluationFailedError",
]);

/**
 * Whether a tenant's failed deploy is run again. This is operation re-convergence (layer 2 of the policy
 * in @qlik-cicd/common retry.ts): deploys converge, so another attempt reads the tenant and finishes —
 * or skips — what an earlier one started. Worth it after a failure whose outcome is unknown: a change
 * the Qlik client would not repeat (`retries: "unsafe"`), a QIX session that dropped mid-build, any
 * other transient failure the client did not retry. Not for configuration, content or permission
 * errors, and not for a failure the client already repeated until it gave up (`retries: "exhausted"`):
 * running the deploy again at once would only repeat those requests — a resumed rollout tries the
 * tenant again later. A failed deploy that rolled back (or could not) is judged by its cause.
 */
export function defaultRetryable(error: unknown): boolean {
  if (error instanceof ConfigError) return false;
  const name = (error as { name?: string } | undefined)?.name ?? "";
  if (name === "DeployFailedError") return defaultRetryable((error as { cause?: unknown }).cause);
  if (requestRetriesExhausted(error)) return false;
  return !NOT_RETRYABLE.has(name);
}

/** The Qlik client gave up on this failure (or on one it wraps) after repeating it. */
function requestRetriesExhausted(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    if ((current as { retries?: unknown }).retries === "exhausted") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function iso(d: Date): string {
  return d.toISOString();
}

/**
 * Serialises saves and coalesces bursts: every caller's change is in a save that has finished. Callers
 * that changed only tenant records name them, so the store re-serialises just those; a save with any
 * unnamed change (waves, several records) is a full one.
 */
class Checkpointer {
  private chain: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  private dirty = new Set<string>();
  private full = true;
  private readonly store: StateStore;
  private readonly state: RolloutState;
  private readonly now: () => Date;
  constructor(store: StateStore, state: RolloutState, now: () => Date) {
    this.store = store;
    this.state = state;
    this.now = now;
  }
  /** `tenant`: the only record this caller changed; omitted: anything may have changed. */
  save(tenant?: string): Promise<void> {
    if (tenant === undefined) this.full = true;
    else this.dirty.add(tenant);
    if (this.waiting) return this.waiting;
    const next = this.chain.then(() => {
      this.waiting = undefined;
      const changed = this.full ? undefined : this.dirty;
      this.dirty = new Set();
      this.full = false;
      this.state.updatedAt = iso(this.now());
      return this.store.save(this.state, changed).catch((error: unknown) => {
        // Not on disk: the next save must write everything again.
        this.full = true;
        throw error;
      });
    });
    this.waiting = next;
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function freshState(options: EngineOptions, now: Date): RolloutState {
  return {
    version: 1,
    rolloutId: randomUUID(),
    startedAt: iso(now),
    updatedAt: iso(now),
    sourceDigest: options.sourceDigest,
    ...(options.artifactDigest ? { artifactDigest: options.artifactDigest } : {}),
    appName: options.appName,
    space: options.space,
    ...(options.plan.shard ? { shard: `${options.plan.shard.index}/${options.plan.shard.count}` } : {}),
    status: "running",
    waves: [],
    tenants: {},
  };
}

/**
 * Runs (or resumes) a rollout. Resolves with the final state; throws only for problems with the
 * state store or bad options — tenant failures are recorded, never thrown.
 */
export async function runRollout(options: EngineOptions, deps: EngineDeps): Promise<RolloutResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const runStartedAt = iso(now());
  const clock: Clock = {
    now: () => now().getTime(),
    sleep: deps.sleep ?? ((ms: number) => systemClock.sleep(ms)),
    random: () => systemClock.random(),
  };
  const retryable = deps.retryable ?? defaultRetryable;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  if (!Number.isInteger(options.maxParallel) || options.maxParallel < 1) {
    throw new ConfigError(
      `Input 'max-parallel' must be a whole number of at least 1, got ${options.maxParallel}.`,
      {
        field: "max-parallel",
      },
    );
  }

  let previous: RolloutState | undefined;
  if (options.resume) {
    previous = await deps.store.load();
    if (
      previous &&
      previous.sourceDigest === options.sourceDigest &&
      previous.artifactDigest &&
      options.artifactDigest &&
      previous.artifactDigest !== options.artifactDigest &&
      previous.status !== "succeeded"
    ) {
      throw new ConfigError(
        `The rollout in ${deps.store.location} ships artifact ${previous.artifactDigest.replace(/^sha256:/, "").slice(0, 12)}, not ${options.artifactDigest.replace(/^sha256:/, "").slice(0, 12)}: a resume never mixes versions — resume with that artifact, or start a new rollout with another 'state-file'.`,
        { field: "artifact" },
      );
    }
    if (previous && previous.sourceDigest !== options.sourceDigest) {
      logger.warn(
        `The state in ${deps.store.location} is for another source (${previous.sourceDigest.slice(0, 12)}); tenants are deployed again where their version differs.`,
      );
    }
  }
  const state: RolloutState =
    previous && previous.sourceDigest === options.sourceDigest
      ? { ...previous, status: "running" }
      : freshState(options, now());
  if (options.artifactDigest) state.artifactDigest = options.artifactDigest;
  const keepTenants = previous?.tenants ?? {};
  state.tenants = {};
  state.waves = options.plan.waves.map((w): WaveRecord => {
    const before =
      previous?.sourceDigest === options.sourceDigest
        ? previous.waves.find((x) => x.index === w.index)
        : undefined;
    return {
      index: w.index,
      name: w.name,
      status: before?.status === "passed" ? "passed" : "pending",
      tenants: w.tenants.map((t) => t.name),
      ...(before?.startedAt ? { startedAt: before.startedAt } : {}),
    };
  });
  for (const wave of options.plan.waves) {
    for (const t of wave.tenants) {
      const digest = options.tenantDigest(t);
      const old = keepTenants[t.name];
      state.tenants[t.name] =
        old && old.digest === digest
          ? { ...old, wave: wave.index }
          : { name: t.name, wave: wave.index, status: "pending", digest, attempts: 0 };
    }
  }
  const checkpoint = new Checkpointer(deps.store, state, now);
  await checkpoint.save();

  // A record is held as an object only while its tenant is worked on: a store that can keep records in
  // their saved form takes the others (from the first save on), so the rollout holds the records of the
  // tenants in flight, not of the estate. `hold` brings records back; `letGo` hands saved ones over.
  const hold = (names: readonly string[]): void => deps.store.restore?.(state, names);
  const letGo = (names: readonly string[]): void => deps.store.release?.(state, names);
  /** Reads the records of `names` (held for the call, unchanged). */
  const read = <T>(names: readonly string[], fn: () => T): T => {
    hold(names);
    const result = fn();
    letGo(names);
    return result;
  };
  letGo(Object.keys(state.tenants));

  // The records keep one copy of what most of them hold alike (the artifact shipped, the one it
  // replaced, a reload's status) rather than each tenant's own copy of its answer.
  const share = sharedCopies<string>();
  const shared = (value: string): string => share(value, value);

  const contextFor = (tenant: InventoryTenant, wave: PlannedWave, attempt: number): TenantContext => {
    const record = state.tenants[tenant.name];
    return {
      wave,
      attempt,
      record,
      rolloutStartedAt: state.startedAt,
      update: async (fields) => {
        Object.assign(record, fields);
        if (fields.previousArtifactDigest)
          record.previousArtifactDigest = shared(fields.previousArtifactDigest);
        await checkpoint.save(tenant.name);
      },
    };
  };

  const deployOne = async (tenant: InventoryTenant, wave: PlannedWave): Promise<void> => {
    hold([tenant.name]);
    const record = state.tenants[tenant.name];
    const started = now();
    record.status = "in-progress";
    record.startedAt = iso(started);
    delete record.finishedAt;
    delete record.error;
    delete record.health;
    delete record.rollbackReason;
    await checkpoint.save(tenant.name);
    // A `retryable` that throws ends the run there, as a dying process would (tests use it).
    let stopped: { error: unknown } | undefined;
    let attempts = 0;
    try {
      const outcome = await withRetries(
        (attempt) => {
          attempts = attempt;
          record.attempts += 1;
          return deps.deployTenant(tenant, contextFor(tenant, wave, attempt));
        },
        {
          policy: { ...RE_CONVERGENCE_POLICY, maxAttempts },
          clock,
          retryable: (error) => {
            try {
              return retryable(error);
            } catch (thrown) {
              stopped = { error: thrown };
              return false;
            }
          },
          onRetry: (error, next) =>
            logger.warn(
              `${tenant.name}: attempt ${next.attempt - 1} failed (${describeError(error)}); trying again.`,
            ),
        },
      );
      record.status = "deployed";
      record.appId = outcome.appId;
      record.changed = outcome.changed;
      if (outcome.artifactDigest) record.artifactDigest = shared(outcome.artifactDigest);
      // Kept across attempts and resumes: once this rollout replaced a version, that is what it restores.
      if (outcome.previousArtifactDigest)
        record.previousArtifactDigest = shared(outcome.previousArtifactDigest);
      if (outcome.reloadStatus) record.reloadStatus = shared(outcome.reloadStatus);
      else delete record.reloadStatus;
      logger.info(
        `${tenant.name}: ${outcome.changed ? "deployed" : "already up to date"} (${record.appId}${attempts > 1 ? `, attempt ${attempts}` : ""}).`,
      );
    } catch (error) {
      if (stopped) throw stopped.error;
      const message = describeError(error);
      const rolledBack = (error as { rolledBack?: boolean }).rolledBack === true;
      record.status = rolledBack ? "rolled-back" : "failed";
      record.error = message;
      if (rolledBack) record.rollbackReason = "the deploy failed and restored the previous version";
      const reload = (error as { reload?: { status?: string } }).reload;
      if (reload?.status) record.reloadStatus = reload.status;
      logger.error(`${tenant.name}: ${rolledBack ? "failed and rolled back" : "failed"}: ${message}`);
    }
    const finished = now();
    record.finishedAt = iso(finished);
    record.durationMs = finished.getTime() - started.getTime();
    await checkpoint.save(tenant.name);
    letGo([tenant.name]);
  };

  const rollbackOne = async (tenant: InventoryTenant, wave: PlannedWave, reason: string): Promise<void> => {
    if (!deps.rollbackTenant) return;
    hold([tenant.name]);
    const record = state.tenants[tenant.name];
    try {
      const outcome = await deps.rollbackTenant(tenant, contextFor(tenant, wave, 1));
      if (outcome.rolledBack) {
        record.status = "rolled-back";
        record.rollbackReason = reason;
        record.error ??= reason;
        logger.warn(`${tenant.name}: rolled back (${reason}).`);
      } else {
        record.rollbackReason = `not rolled back: ${outcome.detail}`;
        logger.warn(`${tenant.name}: not rolled back: ${outcome.detail}`);
      }
    } catch (error) {
      record.status = "failed";
      record.error = `${record.error ? `${record.error} ` : ""}Rollback failed: ${describeError(error)}`;
      record.rollbackReason = `rollback failed: ${describeError(error)}`;
      logger.error(`${tenant.name}: rollback failed: ${describeError(error)}`);
    }
    await checkpoint.save(tenant.name);
    letGo([tenant.name]);
  };

  /** Runs the health checks of a deployed tenant and records what they found. */
  const checkOne = async (tenant: InventoryTenant, wave: PlannedWave): Promise<void> => {
    hold([tenant.name]);
    const record = state.tenants[tenant.name];
    let results: HealthCheckResult[];
    try {
      results = await deps.checkHealth!(tenant, contextFor(tenant, wave, 1));
    } catch (error) {
      results = [{ check: "health", ok: false, detail: describeError(error) }];
    }
    // An exact-size copy: an array grown by push keeps room for 16 more entries.
    record.health = [...results];
    const bad = results.filter((r) => !r.ok);
    if (bad.length) {
      record.status = "failed";
      record.error = `Health check ${bad.map((b) => `'${b.check}' failed: ${b.detail}`).join("; ")}`;
      logger.error(`${tenant.name}: ${record.error}`);
    }
    await checkpoint.save(tenant.name);
    letGo([tenant.name]);
  };

  let haltedWave: number | undefined;
  for (const wave of options.plan.waves) {
    const waveRecord = state.waves.find((w) => w.index === wave.index) as WaveRecord;
    const names = wave.tenants.map((t) => t.name);
    if (haltedWave !== undefined) {
      waveRecord.status = "skipped";
      // Changed here and saved by the last save: held until the end.
      hold(names);
      for (const t of wave.tenants) {
        const r = state.tenants[t.name];
        if (r.status !== "deployed" || r.digest !== options.tenantDigest(t)) {
          r.status = "skipped";
          r.error = `not started: wave ${haltedWave} halted the rollout`;
        }
      }
      continue;
    }
    const todo = read(names, () => wave.tenants.filter((t) => state.tenants[t.name].status !== "deployed"));
    if (!todo.length && waveRecord.status === "passed") {
      logger.info(
        `Wave ${wave.index} (${wave.name}): already done, ${plural(wave.tenants.length, "tenant")}.`,
      );
      continue;
    }
    waveRecord.status = "running";
    waveRecord.startedAt ??= iso(now());
    logger.info(
      `Wave ${wave.index} (${wave.name}): ${todo.length} of ${wave.tenants.length} tenants to deploy, up to ${options.maxParallel} at a time.`,
    );
    await checkpoint.save();
    await mapLimit(todo, options.maxParallel, (t) => deployOne(t, wave));

    const { deployedNow, toCheck } = read(names, () => {
      const deployed = wave.tenants.filter((t) => state.tenants[t.name].status === "deployed");
      const unchecked = deployed.filter((t) => {
        const h = state.tenants[t.name].health;
        return !h || h.some((x) => !x.ok);
      });
      return { deployedNow: deployed, toCheck: unchecked };
    });
    if (options.bakeSeconds > 0 && deployedNow.length) {
      logger.info(`Wave ${wave.index}: baking for ${options.bakeSeconds} s before the health analysis.`);
      await clock.sleep(options.bakeSeconds * 1000);
    }
    if (deps.checkHealth) await mapLimit(toCheck, options.maxParallel, (t) => checkOne(t, wave));
    const status = read(names, () => new Map(names.map((n) => [n, state.tenants[n].status])));
    const failedTenants = wave.tenants.filter((t) => {
      const s = status.get(t.name);
      return s === "failed" || s === "rolled-back";
    });
    const budget = errorBudget(options.budget, wave.total);
    waveRecord.failures = failedTenants.length;
    waveRecord.budget = budget;
    if (failedTenants.length > budget) {
      haltedWave = wave.index;
      waveRecord.status = "halted";
      logger.error(
        `Wave ${wave.index} (${wave.name}): ${failedTenants.length} of ${wave.tenants.length} tenants failed, more than the error budget of ${budget}; halting the rollout.`,
      );
      if (options.rollback) {
        const affected = wave.tenants.filter((t) => {
          const s = status.get(t.name);
          return s === "deployed" || s === "failed";
        });
        await mapLimit(affected, options.maxParallel, (t) =>
          rollbackOne(
            t,
            wave,
            status.get(t.name) === "failed"
              ? "it failed"
              : `wave ${wave.index} failed (${plural(failedTenants.length, "failure")}, budget ${budget})`,
          ),
        );
      }
    } else {
      waveRecord.status = "passed";
      if (options.rollback && failedTenants.length) {
        const failedOnly = failedTenants.filter((t) => status.get(t.name) === "failed");
        await mapLimit(failedOnly, options.maxParallel, (t) => rollbackOne(t, wave, "it failed"));
      }
      logger.info(
        `Wave ${wave.index} (${wave.name}): healthy (${plural(failedTenants.length, "failure")}, budget ${budget}).`,
      );
    }
    waveRecord.finishedAt = iso(now());
    await checkpoint.save();
    await deps.afterWave?.(wave);
  }
  deps.store.restore?.(state);
  const anyFailed = Object.values(state.tenants).some(
    (r) => r.status === "failed" || r.status === "rolled-back",
  );
  state.status = haltedWave !== undefined ? "halted" : anyFailed ? "completed-with-failures" : "succeeded";
  await checkpoint.save();
  return { state, status: state.status, ...(haltedWave !== undefined ? { haltedWave } : {}), runStartedAt };
}
