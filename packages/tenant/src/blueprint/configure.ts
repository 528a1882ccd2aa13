import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, secrets, silentLogger } from "@qlik-cicd/common";
import type { Logger } from "@qlik-cicd/common";
import type { GitHubClient } from "@qlik-cicd/github";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import {
  isValidWebhookSecret,
  WEBHOOK_SECRET_MAX_LENGTH,
  WEBHOOK_SECRET_MIN_LENGTH,
} from "@qlik-cicd/qlik-facts";
import {
  appDeployments,
  applyDeploymentSteps,
  defaultDeploy,
  DEFAULT_MONITORING_SPACE,
  planDeployments,
} from "./deploy-apps.ts";
import type { DeployFn } from "./deploy-apps.ts";
import { buildDriftReport, driftItem, renderDriftJson, renderDriftMarkdown } from "./drift.ts";
import type { DriftReport } from "./drift.ts";
import { storeGitHubSecret } from "./github-secrets.ts";
import type { ApplyContext, PlannedOperation, Step } from "./operations.ts";
import { publicOperation } from "./operations.ts";
import { planConfiguration } from "./plan.ts";
import type { SecretSinkFn } from "./plan.ts";
import { findGroupId, readAssignments, readTenantSnapshot } from "./tenant-state.ts";
import type { AssignmentState, TenantSnapshot } from "./tenant-state.ts";
import type { Blueprint, SpaceSpec } from "./types.ts";

export type ConfigureMode = "apply" | "plan" | "drift";

export interface ConfigureOptions {
  blueprint: Blueprint;
  /** apply: change the tenant; plan: list the operations; drift: report differences. Default apply. */
  mode?: ConfigureMode;
  /** With mode apply: only plan (same as mode plan). */
  dryRun?: boolean;
  /** Delete users the blueprint does not list (never the caller). Default: the blueprint's `pruneUsers`. */
  pruneUsers?: boolean;
  /** Folder that app `source` paths are relative to (the blueprint's folder). */
  baseDir: string;
  /** Environment the blueprint's `*Env` secret references are read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Drift mode: folder the markdown and JSON drift reports are written to. */
  reportDir?: string;
  now?: () => Date;
}

export interface ConfigureDeps {
  logger?: Logger;
  /** For OAuth client secrets stored as GitHub Actions secrets. */
  github?: GitHubClient;
  /** `owner/repo` used when a `githubSecret` names no repository (GITHUB_REPOSITORY on a runner). */
  defaultRepository?: string;
  /** Hands a secret to later steps of the same job (the adapter masks it and writes it to GITHUB_ENV). */
  exportVariable?: (name: string, value: string) => void;
  /** The delivery library's deploy (injectable for tests). */
  deploy?: DeployFn;
}

export interface ConfigureResult {
  tenant: string;
  tenantId: string;
  mode: ConfigureMode;
  /** True when the tenant was changed (apply) or would be (plan). Always false for drift. */
  changed: boolean;
  /** Ordered operations (planned, or carried out in apply mode). */
  plan: PlannedOperation[];
  warnings: string[];
  drift?: DriftReport;
  /** Drift mode: paths of the written reports. */
  driftReportPath?: string;
  driftJsonPath?: string;
}

function effectivePrune(options: ConfigureOptions): boolean {
  return options.pruneUsers ?? options.blueprint.pruneUsers ?? false;
}

function monitoringSpace(blueprint: Blueprint): SpaceSpec[] {
  const m = blueprint.monitoring;
  if (!m || !m.apps?.length) return [];
  const name = m.space ?? DEFAULT_MONITORING_SPACE;
  if (blueprint.spaces?.some((s) => s.name.toLowerCase() === name.toLowerCase())) return [];
  return [{ name, type: "shared", description: "Monitoring apps deployed by qlik-cicd." }];
}

/** Refuses, before anything changes, what would fail half-way: unknown members, missing secret homes. */
function preflight(
  options: ConfigureOptions,
  deps: ConfigureDeps,
  snapshot: TenantSnapshot,
  groupIds: Map<string, string>,
  applying: boolean,
): void {
  const { blueprint } = options;
  const known = new Set([
    ...snapshot.users.map((u) => u.subject.toLowerCase()),
    ...(blueprint.users ?? []).map((u) => u.subject.toLowerCase()),
  ]);
  blueprint.spaces?.forEach((s, i) =>
    s.members?.forEach((m, j) => {
      const field = `spaces[${i}].members[${j}]`;
      if (m.user && !known.has(m.user.toLowerCase()))
        throw new ConfigError(
          `Blueprint '${field}.user': user '${m.user}' is neither on the tenant nor listed under 'users'.`,
          { field },
        );
      if (m.group && !groupIds.has(m.group.toLowerCase()))
        throw new ConfigError(
          `Blueprint '${field}.group': group '${m.group}' does not exist on the tenant (groups come from the identity provider).`,
          { field },
        );
    }),
  );
  if (!applying) return;
  const env = options.env ?? process.env;
  const needEnv = (name: string | undefined, field: string) => {
    if (name && !env[name])
      throw new ConfigError(`Environment variable ${name} named in '${field}' is not set.`, {
        field,
        hint: "Pass the secret to the step's env: block from a repository or environment secret.",
      });
  };
  if (blueprint.identityProvider?.protocol === "OIDC")
    needEnv(blueprint.identityProvider.clientSecretEnv, "identityProvider.clientSecretEnv");
  const hookSecret = blueprint.monitoring?.failedReloadWebhook?.secretEnv;
  needEnv(hookSecret, "monitoring.failedReloadWebhook.secretEnv");
  const hookSecretValue = hookSecret ? (env[hookSecret] ?? "") : "";
  if (hookSecret && !isValidWebhookSecret(hookSecretValue))
    throw new ConfigError(
      `Environment variable ${hookSecret} named in 'monitoring.failedReloadWebhook.secretEnv' holds ${hookSecretValue.length} characters; Qlik takes a webhook secret of ${WEBHOOK_SECRET_MIN_LENGTH} to ${WEBHOOK_SECRET_MAX_LENGTH} characters.`,
      { field: "monitoring.failedReloadWebhook.secretEnv" },
    );
  blueprint.oauthClients?.forEach((c, i) => {
    const exists = snapshot.oauthClients.some((o) => o.clientName.toLowerCase() === c.name.toLowerCase());
    if (exists || !c.secret) return;
    const field = `oauthClients[${i}].secret`;
    if (c.secret.githubSecret) {
      if (!deps.github)
        throw new ConfigError(
          `Blueprint '${field}.githubSecret' needs a GitHub token to store the new client secret: set 'github-token'.`,
          { field: "github-token" },
        );
      if (!c.secret.githubSecret.repository && !deps.defaultRepository)
        throw new ConfigError(
          `Blueprint '${field}.githubSecret.repository' is required outside a GitHub run.`,
          {
            field,
          },
        );
    }
    if (c.secret.exportVariable && !deps.exportVariable)
      throw new ConfigError(
        `Blueprint '${field}.exportVariable' can only be used inside a GitHub Actions job.`,
        {
          field,
        },
      );
  });
}

function secretSink(deps: ConfigureDeps, logger: Logger): SecretSinkFn {
  return async (client, sink, secret) => {
    secrets.register(secret);
    if (sink.githubSecret) {
      const repository = sink.githubSecret.repository ?? (deps.defaultRepository as string);
      await storeGitHubSecret(
        deps.github as GitHubClient,
        { repository, environment: sink.githubSecret.environment, name: sink.githubSecret.name },
        secret,
      );
      logger.info(
        `Stored the secret of OAuth client '${client.name}' (${client.clientId}) as GitHub secret ${sink.githubSecret.name}${sink.githubSecret.environment ? ` of environment ${sink.githubSecret.environment}` : ""} in ${repository}.`,
      );
    }
    if (sink.exportVariable) {
      deps.exportVariable?.(sink.exportVariable, secret);
      logger.info(
        `Handed the secret of OAuth client '${client.name}' to later steps of this job as ${sink.exportVariable}.`,
      );
    }
  };
}

/**
 * Brings one tenant to its blueprint (apply), lists what that would take (plan), or reports how the tenant
 * differs (drift). Everything is read first; bad input fails before the first change.
 */
export async function configureTenant(
  client: QlikClient,
  options: ConfigureOptions,
  deps: ConfigureDeps = {},
): Promise<ConfigureResult> {
  const logger = deps.logger ?? silentLogger;
  const mode: ConfigureMode = options.mode === "apply" && options.dryRun ? "plan" : (options.mode ?? "apply");
  const { blueprint } = options;
  const deploy = deps.deploy ?? defaultDeploy;
  const deployments = appDeployments(blueprint, options.baseDir);

  const snapshot = await readTenantSnapshot(client);
  const groupNames = new Set<string>();
  for (const s of blueprint.spaces ?? [])
    for (const m of s.members ?? []) if (m.group) groupNames.add(m.group);
  const groupIds = new Map<string, string>();
  for (const name of groupNames) {
    const id = await findGroupId(client, name);
    if (id) groupIds.set(name.toLowerCase(), id);
  }
  preflight(options, deps, snapshot, groupIds, mode === "apply");

  const managedSpaces = [...(blueprint.spaces ?? []), ...monitoringSpace(blueprint)];
  const assignments = new Map<string, AssignmentState[]>();
  for (const spec of managedSpaces) {
    const actual = snapshot.spaces.find((s) => s.name.toLowerCase() === spec.name.toLowerCase());
    if (actual && spec.members) assignments.set(actual.id, await readAssignments(client, actual.id));
  }
  const caller = snapshot.me.subject.toLowerCase();
  const { steps: configSteps, warnings } = planConfiguration({
    blueprint,
    snapshot,
    pruneUsers: mode === "drift" ? true : effectivePrune(options),
    env: options.env ?? process.env,
    storeSecret: secretSink(deps, logger),
    assignments,
    groupIds,
    protectedSubjects: new Set(caller ? [caller] : []),
    extraSpaces: monitoringSpace(blueprint),
  });
  const existingSpaces = new Set(snapshot.spaces.map((s) => s.name.toLowerCase()));
  const now = options.now ?? (() => new Date());
  const deploySteps: Step[] =
    mode === "apply"
      ? applyDeploymentSteps(deployments, deploy, now)
      : await planDeployments(client, deployments, existingSpaces, deploy, logger, now);
  const steps = [...configSteps, ...deploySteps];
  const base = {
    tenant: snapshot.tenant.name || client.tenantName,
    tenantId: snapshot.tenant.id,
    mode,
    warnings,
  };
  for (const w of warnings) logger.warn(w);

  if (mode === "drift") {
    const report = buildDriftReport(blueprint, snapshot, steps.map(driftItem), warnings, now().toISOString());
    let driftReportPath: string | undefined;
    let driftJsonPath: string | undefined;
    if (options.reportDir) {
      mkdirSync(options.reportDir, { recursive: true });
      const stem = `drift-${(report.tenant || "tenant").replace(/[^A-Za-z0-9._-]+/g, "_")}`;
      driftReportPath = join(options.reportDir, `${stem}.md`);
      driftJsonPath = join(options.reportDir, `${stem}.json`);
      writeFileSync(driftReportPath, renderDriftMarkdown(report));
      writeFileSync(driftJsonPath, renderDriftJson(report));
    }
    logger.info(
      report.inSync
        ? `Tenant ${report.tenant} matches its blueprint.`
        : `Tenant ${report.tenant}: ${report.differences.length} difference(s), ${report.interactiveAdmins.length} person(s) with admin roles.`,
    );
    return {
      ...base,
      changed: false,
      plan: steps.map(publicOperation),
      drift: report,
      driftReportPath,
      driftJsonPath,
    };
  }

  if (mode === "plan") {
    for (const [i, s] of steps.entries()) logger.info(`Plan ${i + 1}/${steps.length}: ${s.description}`);
    if (steps.length === 0) logger.info(`Tenant ${base.tenant} already matches its blueprint.`);
    return { ...base, changed: steps.length > 0, plan: steps.map(publicOperation) };
  }

  const ctx: ApplyContext = {
    client,
    logger,
    userIds: new Map(snapshot.users.map((u) => [u.subject.toLowerCase(), u.id])),
    groupIds,
    spaceIds: new Map(snapshot.spaces.map((s) => [s.name.toLowerCase(), s.id])),
    deployedApps: new Map(),
  };
  let changed = false;
  const done: PlannedOperation[] = [];
  for (const [i, step] of steps.entries()) {
    logger.info(`Step ${i + 1}/${steps.length}: ${step.description}`);
    try {
      const result = await step.run(ctx);
      if (result !== false) {
        changed = true;
        done.push(publicOperation(step));
      }
    } catch (error) {
      logger.error(
        `Step ${i + 1}/${steps.length} failed: ${step.description}. ${done.length} step(s) had already been applied.`,
      );
      throw error;
    }
  }
  if (steps.length === 0) logger.info(`Tenant ${base.tenant} already matches its blueprint.`);
  return { ...base, changed, plan: done };
}
