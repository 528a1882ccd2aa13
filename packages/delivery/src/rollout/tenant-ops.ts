/**
 * The default tenant operations of a rollout: deploy with deployApp (the one deploy path), health
 * checks after the bake (reload, evaluation against the tenant's previous version, an automation run)
 * and rollback through deployApp's rollback mode. One QlikClient per tenant, so each tenant's rate
 * budget is shared by everything the rollout does there.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAutomationRun, queueAutomationRun } from "@qlik/api/automations";
import { readAppTree, type AppTree } from "@qlik-cicd/app-files";
import { ConfigError, describeError, poll, type Logger } from "@qlik-cicd/common";
import { QlikClient, type QlikClientOptions } from "@qlik-cicd/qlik-client";
import { AUTOMATION_RUN_REQUEST_CONTEXT, automationRunVerdict } from "@qlik-cicd/qlik-facts";
import { ArtifactStore, type AppArtifact } from "../artifact/artifact-file.ts";
import { rollbackArtifact, shipArtifact, type ShipOptions } from "../artifact/ship.ts";
import { findAppsByName } from "../deploy/apps.ts";
import { resolveParameters, type ResolvedParameters } from "../deploy/parameters.ts";
import { deployApp } from "../deploy/deploy-app.ts";
import { lastReload, reloadApp } from "../deploy/reload.ts";
import { DirectoryRollbackStore, type RollbackStore } from "../deploy/rollback-store.ts";
import { findSpace, listSpaces } from "../deploy/spaces.ts";
import type { DeployOptions, RollbackSnapshot } from "../deploy/types.ts";
import { getEvaluation, startEvaluation, waitForEvaluation } from "../evaluation/api.ts";
import { evaluateGate, failureSentence } from "../evaluation/gate.ts";
import { summarizeEvaluation } from "../evaluation/summary.ts";
import { DEFAULT_THRESHOLDS, type GateThresholds } from "../evaluation/types.ts";
import type { DeployTenantFn, HealthCheckFn, RollbackTenantFn, TenantContext } from "./engine.ts";
import { resolveConnection, tenantParametersYaml, TENANT_CONNECTIONS } from "./inventory.ts";
import type { HealthCheckResult, InventoryTenant, TenantInventory } from "./types.ts";

export type HealthCheckSpec =
  { kind: "reload" } | { kind: "evaluation" } | { kind: "automation"; id: string };

/** `reload,evaluation,automation:<id>` → checks (unknown names are a ConfigError). */
export function parseHealthChecks(text: string | undefined, field = "health-checks"): HealthCheckSpec[] {
  if (!text?.trim()) return [];
  const out: HealthCheckSpec[] = [];
  for (const raw of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const lower = raw.toLowerCase();
    if (lower === "reload" || lower === "evaluation") out.push({ kind: lower });
    else if (lower.startsWith("automation:") && raw.slice("automation:".length).trim()) {
      out.push({ kind: "automation", id: raw.slice("automation:".length).trim() });
    } else {
      throw new ConfigError(
        `Input '${field}': '${raw}' is not a health check; use reload, evaluation or automation:<automation id>.`,
        { field },
      );
    }
  }
  return out;
}

export interface TenantOpsOptions {
  inventory: TenantInventory;
  /** Folder of unbuilt app files (deployed per tenant when no artifact is given). */
  source: string;
  /**
   * The artifact every tenant gets: imported and published (or republished) per tenant, with the
   * tenant's parameters only when they differ from what it has. Rollbacks ship the artifact the tenant
   * ran before, from the store in `rollbackDir`.
   */
  artifact?: AppArtifact;
  space: string;
  appName: string;
  stagingSpace?: string;
  healthChecks: HealthCheckSpec[];
  /** Where per-tenant parameter files are written. */
  workDir: string;
  /** Where the versions deploys replace are kept (persist it to roll back after a runner died). */
  rollbackDir: string;
  /** Let the deploy restore the previous version itself when its reload or verification fails. */
  rollbackOnFailure: boolean;
  env?: Record<string, string | undefined>;
  /** Passed through to deployApp (provenance, reload timeouts, poll intervals, prune, …). */
  deploy?: Partial<
    Pick<
      DeployOptions,
      | "provenance"
      | "reload"
      | "reloadTimeoutMinutes"
      | "reloadPollIntervalMs"
      | "publishAccessTimeoutMs"
      | "prune"
    >
  >;
  evaluation?: { thresholds?: Partial<GateThresholds>; timeoutMinutes?: number; pollIntervalMs?: number };
  automation?: { timeoutMinutes?: number; pollIntervalMs?: number };
  client?: QlikClientOptions;
}

export interface TenantOps {
  deployTenant: DeployTenantFn;
  checkHealth: HealthCheckFn;
  rollbackTenant: RollbackTenantFn;
  /** Closes the clients of these tenants (all when omitted) and forgets what was resolved for them. */
  release(tenants?: readonly InventoryTenant[]): Promise<void>;
}

/** Hides snapshots older than `since`: rolling back restores only versions this rollout replaced. */
class SinceRollbackStore implements RollbackStore {
  private readonly inner: RollbackStore;
  private readonly since: string;
  constructor(inner: RollbackStore, since: string) {
    this.inner = inner;
    this.since = since;
  }
  save(key: string, snapshot: RollbackSnapshot): Promise<void> {
    return this.inner.save(key, snapshot);
  }
  async load(key: string): Promise<RollbackSnapshot | undefined> {
    const s = await this.inner.load(key);
    return s && s.takenAt >= this.since ? s : undefined;
  }
}

function tenantLogger(base: Logger, name: string): Logger {
  // Deploy details go to debug: with hundreds of tenants the log keeps one line per tenant and step.
  return {
    debug: (m) => base.debug(`${name}: ${m}`),
    info: (m) => base.debug(`${name}: ${m}`),
    warn: (m) => base.warn(`${name}: ${m}`),
    error: (m) => base.error(`${name}: ${m}`),
  };
}

export function createTenantOps(options: TenantOpsOptions, logger: Logger): TenantOps {
  const env = options.env ?? process.env;
  const clients = new Map<string, QlikClient>();
  const store = new DirectoryRollbackStore(options.rollbackDir);
  const paramFiles = new Map<string, string | undefined>();
  const thresholds: GateThresholds = { ...DEFAULT_THRESHOLDS, ...(options.evaluation?.thresholds ?? {}) };
  const evalTimeoutMs = (options.evaluation?.timeoutMinutes ?? 30) * 60_000;

  const clientFor = (tenant: InventoryTenant): QlikClient => {
    let client = clients.get(tenant.name);
    if (!client) {
      client = new QlikClient(resolveConnection(tenant, env), {
        ...TENANT_CONNECTIONS,
        ...options.client,
        logger: tenantLogger(logger, tenant.name),
      });
      clients.set(tenant.name, client);
    }
    return client;
  };

  const parametersFile = (tenant: InventoryTenant): string | undefined => {
    if (paramFiles.has(tenant.name)) return paramFiles.get(tenant.name);
    const yaml = tenantParametersYaml(options.inventory, tenant);
    let file: string | undefined;
    if (yaml) {
      const dir = join(options.workDir, "parameters");
      mkdirSync(dir, { recursive: true });
      file = join(dir, `${tenant.name}.yml`);
      writeFileSync(file, yaml);
    }
    paramFiles.set(tenant.name, file);
    return file;
  };

  const baseOptions = (tenant: InventoryTenant): DeployOptions => {
    const parameters = parametersFile(tenant);
    return {
      ...(options.deploy ?? {}),
      space: options.space,
      ...(options.stagingSpace ? { stagingSpace: options.stagingSpace } : {}),
      appName: options.appName,
      ...(parameters ? { parameters, environment: tenant.name } : {}),
      env,
    };
  };

  /** The consumers' app before the change, evaluated once as this tenant's baseline. */
  const takeBaseline = async (tenant: InventoryTenant, ctx: TenantContext): Promise<void> => {
    if (ctx.record.baselineEvaluationId !== undefined) return;
    const client = clientFor(tenant);
    const space = findSpace(await listSpaces(client), options.space);
    const current = space ? (await findAppsByName(client, space.id, options.appName))[0] : undefined;
    if (!current) {
      await ctx.update({ baselineEvaluationId: "" });
      return;
    }
    const started = await startEvaluation(client, current.appId);
    const done = await waitForEvaluation(client, started, {
      timeoutMs: evalTimeoutMs,
      pollIntervalMs: options.evaluation?.pollIntervalMs,
      logger: tenantLogger(logger, tenant.name),
      appLabel: `app '${options.appName}' (previous version)`,
    });
    await ctx.update({ baselineEvaluationId: done.id ?? "" });
  };

  // The source folder is read once for the whole rollout, not once per tenant.
  let sourceTree: Promise<AppTree> | undefined;

  const artifactStore = new ArtifactStore(options.rollbackDir);
  const resolvedParams = new Map<string, ResolvedParameters | null>();
  /**
   * The tenant's parameters, resolved once while the tenant is being worked on (credentials
   * registered as secrets); null: none. Forgotten with its client (`release`).
   */
  const tenantParameters = (tenant: InventoryTenant): ResolvedParameters | null => {
    let resolved = resolvedParams.get(tenant.name);
    if (resolved === undefined) {
      // The inventory already validated them: resolved as they are, not written out and read back.
      const { defaultParameters } = options.inventory;
      resolved =
        defaultParameters || tenant.parameters
          ? resolveParameters(
              {
                file: `${options.inventory.file} (tenant '${tenant.name}')`,
                defaults: defaultParameters ?? { variables: {}, connections: {} },
                environments: tenant.parameters ? { [tenant.name]: tenant.parameters } : {},
              },
              tenant.name,
              env,
              { required: tenant.parameters !== undefined },
            )
          : null;
      resolvedParams.set(tenant.name, resolved);
    }
    return resolved;
  };
  const shipOptions = (tenant: InventoryTenant): ShipOptions => {
    const connection = resolveConnection(tenant, env);
    return {
      space: options.space,
      ...(options.stagingSpace ? { stagingSpace: options.stagingSpace } : {}),
      appName: options.appName,
      parametersKey: connection.apiKey ?? connection.clientSecret ?? "",
      ...(options.deploy?.reload !== undefined ? { reload: options.deploy.reload } : {}),
      ...(options.deploy?.reloadTimeoutMinutes !== undefined
        ? { reloadTimeoutMinutes: options.deploy.reloadTimeoutMinutes }
        : {}),
      ...(options.deploy?.reloadPollIntervalMs !== undefined
        ? { reloadPollIntervalMs: options.deploy.reloadPollIntervalMs }
        : {}),
      ...(options.deploy?.publishAccessTimeoutMs !== undefined
        ? { publishAccessTimeoutMs: options.deploy.publishAccessTimeoutMs }
        : {}),
      ...(options.deploy?.provenance ? { provenance: options.deploy.provenance } : {}),
      lookupItem: false,
    };
  };

  const shipTenant: DeployTenantFn = async (tenant, ctx) => {
    const client = clientFor(tenant);
    if (options.healthChecks.some((c) => c.kind === "evaluation")) await takeBaseline(tenant, ctx);
    const result = await shipArtifact(
      client,
      options.artifact as AppArtifact,
      { ...shipOptions(tenant), rollbackOnFailure: options.rollbackOnFailure },
      {
        logger: tenantLogger(logger, tenant.name),
        store: artifactStore,
        resolvedParameters: tenantParameters(tenant),
        parametersLabel: `${options.inventory.file} (tenant '${tenant.name}')`,
        // Checkpointed before the tenant changes: a deploy that fails half way can still be rolled back.
        beforeChange: async ({ previousArtifactDigest }) => {
          if (previousArtifactDigest && !ctx.record.previousArtifactDigest)
            await ctx.update({ previousArtifactDigest });
        },
      },
    );
    // A version this rollout did not put there (an earlier rollout did) is not this rollout's to undo.
    const ours =
      result.changed || (result.runningSince !== undefined && result.runningSince >= ctx.rolloutStartedAt);
    return {
      appId: result.publishedAppId ?? "",
      changed: result.changed,
      ...(result.reload ? { reloadStatus: result.reload.status } : {}),
      artifactDigest: result.artifactDigest,
      ...(ours && result.previousArtifactDigest
        ? { previousArtifactDigest: result.previousArtifactDigest }
        : {}),
    };
  };

  const deployFromFiles: DeployTenantFn = async (tenant, ctx) => {
    const client = clientFor(tenant);
    if (options.healthChecks.some((c) => c.kind === "evaluation")) await takeBaseline(tenant, ctx);
    sourceTree ??= readAppTree(options.source);
    // A source that cannot be read is left to deployApp, which checks its inputs and says what is wrong.
    const tree = await sourceTree.catch(() => undefined);
    const result = await deployApp(
      client,
      { ...baseOptions(tenant), source: options.source, rollbackOnFailure: options.rollbackOnFailure },
      {
        logger: tenantLogger(logger, tenant.name),
        rollbackStore: store,
        ...(tree ? { sourceTree: tree } : {}),
      },
    );
    const appId = result.publishedAppId ?? result.appId;
    let reload = result.reload;
    if (!result.changed && (options.deploy?.reload ?? true)) {
      // An earlier attempt can end between the publish and queueing the reload (a dropped connection,
      // a killed runner); deployApp then finds the content current and an app that was never
      // reloaded, and changes nothing. Finish that deploy: a deployed app must have been reloaded.
      const last = await lastReload(client, appId);
      if (!last) {
        logger.info(`${tenant.name}: the app is current but was never reloaded; reloading it.`);
        reload = await reloadApp(client, appId, {
          timeoutMs: (options.deploy?.reloadTimeoutMinutes ?? 30) * 60_000,
          pollIntervalMs: options.deploy?.reloadPollIntervalMs,
          logger: tenantLogger(logger, tenant.name),
        });
      }
    }
    return { appId, changed: result.changed, ...(reload ? { reloadStatus: reload.status } : {}) };
  };

  const checkReload = async (client: QlikClient, appId: string): Promise<HealthCheckResult> => {
    const last = await lastReload(client, appId);
    if (!last) return { check: "reload", ok: false, detail: `app ${appId} has never been reloaded` };
    return {
      check: "reload",
      ok: last.status === "SUCCEEDED",
      detail: `last reload ${last.id} ${last.status}`,
    };
  };

  const checkEvaluation = async (
    tenant: InventoryTenant,
    client: QlikClient,
    appId: string,
    baselineId: string | undefined,
  ): Promise<HealthCheckResult> => {
    const started = await startEvaluation(client, appId);
    const done = await waitForEvaluation(client, started, {
      timeoutMs: evalTimeoutMs,
      pollIntervalMs: options.evaluation?.pollIntervalMs,
      logger: tenantLogger(logger, tenant.name),
      appLabel: `app '${options.appName}'`,
    });
    const current = summarizeEvaluation(done);
    const baseline = baselineId ? [summarizeEvaluation(await getEvaluation(client, baselineId))] : [];
    const gate = evaluateGate([current], baseline, thresholds);
    return {
      check: "evaluation",
      ok: gate.verdict === "pass",
      detail:
        gate.verdict === "pass"
          ? `within thresholds${gate.baselineMissing ? " (no previous version: absolute limits only)" : ` compared with evaluation ${baselineId}`}`
          : failureSentence(gate, options.appName),
    };
  };

  const checkAutomation = async (client: QlikClient, id: string): Promise<HealthCheckResult> => {
    const check = `automation:${id}`;
    const queued = await client.call(
      {
        tier: "write",
        method: "POST",
        resource: `/api/v1/automations/${id}/runs`,
        operation: "run automation",
      },
      (opts) => queueAutomationRun(id, { context: AUTOMATION_RUN_REQUEST_CONTEXT }, opts),
    );
    const runId = queued.data.id ?? "";
    let last = queued.data.status ?? "queued";
    const readStatus = async (): Promise<string> => {
      const res = await client.call(
        {
          tier: "read",
          method: "GET",
          resource: `/api/v1/automations/${id}/runs/{runId}`,
          operation: "read automation run",
        },
        (opts) => getAutomationRun(id, runId, opts),
      );
      last = res.data.status ?? last;
      return last;
    };
    const polled = await poll(readStatus, (status) => automationRunVerdict(status) !== "pending", {
      initial: last,
      firstDelayMs: 100,
      intervalMs: options.automation?.pollIntervalMs ?? 2000,
      timeoutMs: (options.automation?.timeoutMinutes ?? 10) * 60_000,
    });
    const status = polled.value;
    if (!polled.done) return { check, ok: false, detail: `run ${runId} still '${status}' at the timeout` };
    return { check, ok: automationRunVerdict(status) === "succeeded", detail: `run ${runId} ${status}` };
  };

  const checkHealth: HealthCheckFn = async (tenant, ctx) => {
    const client = clientFor(tenant);
    const appId = ctx.record.appId ?? "";
    const results: HealthCheckResult[] = [];
    for (const check of options.healthChecks) {
      const name = check.kind === "automation" ? `automation:${check.id}` : check.kind;
      try {
        if (check.kind === "reload") results.push(await checkReload(client, appId));
        else if (check.kind === "evaluation") {
          results.push(
            await checkEvaluation(tenant, client, appId, ctx.record.baselineEvaluationId || undefined),
          );
        } else results.push(await checkAutomation(client, check.id));
      } catch (error) {
        results.push({ check: name, ok: false, detail: describeError(error) });
      }
    }
    return results;
  };

  const rollbackShipped: RollbackTenantFn = async (tenant, ctx) => {
    const to = ctx.record.previousArtifactDigest;
    if (!to) {
      return {
        rolledBack: false,
        detail:
          "this rollout kept no earlier version of the app here (first deploy, or the deploy changed nothing)",
      };
    }
    const result = await rollbackArtifact(
      clientFor(tenant),
      artifactStore,
      { ...shipOptions(tenant), to },
      { logger: tenantLogger(logger, tenant.name), resolvedParameters: tenantParameters(tenant) },
    );
    return {
      rolledBack: true,
      detail: result.changed ? "shipped the previous artifact back" : "already at the previous version",
    };
  };

  const rollbackFromFiles: RollbackTenantFn = async (tenant, ctx) => {
    const client = clientFor(tenant);
    try {
      const result = await deployApp(
        client,
        { ...baseOptions(tenant), rollback: true },
        {
          logger: tenantLogger(logger, tenant.name),
          rollbackStore: new SinceRollbackStore(store, ctx.rolloutStartedAt),
        },
      );
      return {
        rolledBack: true,
        detail: result.changed ? "restored the previous version" : "already at the previous version",
      };
    } catch (error) {
      if (error instanceof ConfigError && error.field === "rollback") {
        return {
          rolledBack: false,
          detail:
            "this rollout kept no earlier version of the app here (first deploy, or the deploy changed nothing)",
        };
      }
      throw error;
    }
  };

  const release = async (tenants?: readonly InventoryTenant[]): Promise<void> => {
    const names = tenants ? tenants.map((t) => t.name) : [...clients.keys()];
    await Promise.all(
      names.map(async (name) => {
        const client = clients.get(name);
        clients.delete(name);
        // What was worked out for the tenant goes with it: a later step (a rollback) works it out again.
        resolvedParams.delete(name);
        paramFiles.delete(name);
        await client?.close();
      }),
    );
  };

  return options.artifact
    ? { deployTenant: shipTenant, checkHealth, rollbackTenant: rollbackShipped, release }
    : { deployTenant: deployFromFiles, checkHealth, rollbackTenant: rollbackFromFiles, release };
}
