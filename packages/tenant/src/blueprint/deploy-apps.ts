import { existsSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "@qlik-cicd/common";
import { deployApp } from "@qlik-cicd/delivery";
import type { DeployOptions, DeployResult } from "@qlik-cicd/delivery";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import type { Logger } from "@qlik-cicd/common";
import type { Step } from "./operations.ts";
import type { Blueprint } from "./types.ts";

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

/**
 * The deploy steps, each through the delivery library (the one deploy path). When the target space already
 * exists a dry run decides whether the app would change; apps that would not are left out of the plan.
 */
export async function planDeployments(
  client: QlikClient,
  deployments: AppDeployment[],
  existingSpaces: Set<string>,
  deploy: DeployFn,
  logger: Logger,
): Promise<Step[]> {
  const steps: Step[] = [];
  for (const d of deployments) {
    const options: DeployOptions = {
      source: d.source,
      space: d.space,
      ...(d.appName ? { appName: d.appName } : {}),
      prune: true,
    };
    let description = `Deploy ${label(d)}`;
    if (existingSpaces.has(d.space.toLowerCase())) {
      const dry = await deploy(client, { ...options, dryRun: true }, { logger });
      if (!dry.plan.changed) continue;
      const counts = dry.plan.changes.length;
      description += ` (${counts} content change${counts === 1 ? "" : "s"})`;
    } else {
      description += " (new)";
    }
    steps.push({
      kind: "deploy-app",
      target: `${d.purpose} ${d.field}`,
      description,
      run: async ({ client: c, logger: l }) => {
        const result = await deploy(c, options, { logger: l });
        return result.changed;
      },
    });
  }
  return steps;
}

export const defaultDeploy: DeployFn = (client, options, deps) => deployApp(client, options, deps);
