import { existsSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "@qlik-cicd/common";
import { deployApp } from "@qlik-cicd/delivery";
import type { DeployOptions, DeployResult } from "@qlik-cicd/delivery";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import type { Logger } from "@qlik-cicd/common";
import type { ApplyContext, Step } from "./operations.ts";
import { decideSchedule, readReloadTasks, scheduleStep } from "./reload-schedules.ts";
import type { Blueprint, ReloadScheduleSpec } from "./types.ts";

export const DEFAULT_MONITORING_SPACE = "monitoring";

/** An app the blueprint deploys: a monitoring app or a content entry. */
export interface AppDeployment {
  /** Where in the blueprint, e.g. `content[1]`. */
  field: string;
  /** Absolute folder of unbuilt app files. */
  source: string;
  space: string;
  appName?: string;
  purpose: "monitoring" | "content";
  /** Reload schedule (monitoring apps only). */
  schedule?: ReloadScheduleSpec;
}

export type DeployFn = (
  client: QlikClient,
  options: DeployOptions,
  deps: { logger?: Logger },
) => Promise<DeployResult>;

/** Every app deployment of a blueprint, with source folders resolved against `baseDir` and checked. */
export function appDeployments(blueprint: Blueprint, baseDir: string): AppDeployment[] {
  const out: AppDeployment[] = [];
  const check = (field: string, source: string) => {
    const path = isAbsolute(source) ? source : resolve(baseDir, source);
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new ConfigError(`Blueprint '${field}.source': folder ${source} does not exist.`, {
        field: `${field}.source`,
        hint: "Source paths are relative to the blueprint file's folder.",
      });
    }
    return path;
  };
  const monitoringSpace = blueprint.monitoring?.space ?? DEFAULT_MONITORING_SPACE;
  blueprint.monitoring?.apps?.forEach((app, i) => {
    const field = `monitoring.apps[${i}]`;
    out.push({
      field,
      source: check(field, app.source),
      space: monitoringSpace,
      appName: app.name,
      purpose: "monitoring",
      ...(app.schedule ? { schedule: app.schedule } : {}),
    });
  });
  blueprint.content?.forEach((c, i) => {
    const field = `content[${i}]`;
    out.push({ field, source: check(field, c.source), space: c.space, appName: c.name, purpose: "content" });
  });
  return out;
}

function label(d: AppDeployment): string {
  return `${d.purpose} app ${d.appName ?? d.source.split(/[\\/]/).pop()} → space ${d.space}`;
}

function deployOptions(d: AppDeployment): DeployOptions {
  return { source: d.source, space: d.space, ...(d.appName ? { appName: d.appName } : {}), prune: true };
}

/** The id of the app consumers use: the published copy in a managed space, else the app itself. */
function consumerAppId(result: DeployResult): string {
  return result.publishedAppId ?? result.appId;
}

function deployStep(d: AppDeployment, deploy: DeployFn, description: string): Step {
  return {
    kind: "deploy-app",
    target: `${d.purpose} ${d.field}`,
    description,
    run: async (ctx: ApplyContext) => {
      const result = await deploy(ctx.client, deployOptions(d), { logger: ctx.logger });
      const appId = consumerAppId(result);
      if (appId) ctx.deployedApps.set(d.field, appId);
      return result.changed;
    },
  };
}

/**
 * Apply mode: deploy every app (the delivery library decides what changed) and, after each scheduled app,
 * bring its reload task to the blueprint's schedule. Steps that find nothing to do report no change.
 */
export function applyDeploymentSteps(
  deployments: AppDeployment[],
  deploy: DeployFn,
  now: () => Date,
): Step[] {
  const steps: Step[] = [];
  for (const d of deployments) {
    steps.push(deployStep(d, deploy, `Deploy ${d.purpose} app from ${d.field} into space ${d.space}`));
    if (d.schedule) {
      const step = scheduleStep({ field: d.field, label: label(d), spec: d.schedule }, { now });
      if (step) steps.push(step);
    }
  }
  return steps;
}

/**
 * The deploy steps, each through the delivery library (the one deploy path). When the target space already
 * exists a dry run decides whether the app would change; apps that would not are left out of the plan. A
 * scheduled app's reload tasks are read and compared with the schedule; only a missing or different task
 * becomes a step.
 */
export async function planDeployments(
  client: QlikClient,
  deployments: AppDeployment[],
  existingSpaces: Set<string>,
  deploy: DeployFn,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<Step[]> {
  const steps: Step[] = [];
  for (const d of deployments) {
    let description = `Deploy ${label(d)}`;
    let appId = "";
    let changed = true;
    if (existingSpaces.has(d.space.toLowerCase())) {
      const dry = await deploy(client, { ...deployOptions(d), dryRun: true }, { logger });
      appId = consumerAppId(dry);
      changed = dry.plan.changed;
      const counts = dry.plan.changes.length;
      description += ` (${counts} content change${counts === 1 ? "" : "s"})`;
    } else {
      description += " (new)";
    }
    if (changed) steps.push(deployStep(d, deploy, description));
    if (d.schedule) {
      const decision = appId
        ? decideSchedule(d.schedule, await readReloadTasks(client, appId))
        : ({ action: "create" } as const);
      const step = scheduleStep(
        { field: d.field, label: label(d), spec: d.schedule },
        { now, decision, ...(appId ? { knownAppId: appId } : {}) },
      );
      if (step) steps.push(step);
    }
  }
  return steps;
}

export const defaultDeploy: DeployFn = (client, options, deps) => deployApp(client, options, deps);
