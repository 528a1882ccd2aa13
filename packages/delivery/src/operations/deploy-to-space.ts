// deploy-to-space: build unbuilt app files (or another app) into a space, publish to a managed space,
// reload and verify; or roll back to the version a previous deploy kept.
import { join } from "node:path";
import { ConfigError, defineOperation, describeError, type CiRun } from "@qlik-cicd/common";
import {
  CONNECTION_INPUTS,
  readConnection,
  withQlikClient,
  type ConnectionInput,
} from "@qlik-cicd/qlik-client";
import { deployApp } from "../deploy/deploy-app.ts";
import { renderDeployMarkdown } from "../deploy/render.ts";
import { DirectoryRollbackStore } from "../deploy/rollback-store.ts";
import type { DeployOptions, DeployResult, ProvenanceInput, ReloadOutcome } from "../deploy/types.ts";

/** Which commit, run and ref a deployment came from, as its provenance records it. */
export function provenanceOf(run: CiRun): ProvenanceInput {
  return {
    ...(run.sha ? { commit: run.sha } : {}),
    ...(run.runUrl ? { runUrl: run.runUrl } : {}),
    ...(run.ref ? { ref: run.ref } : {}),
  };
}

export interface DeployToSpaceOptions {
  connection: ConnectionInput;
  deploy: DeployOptions;
  rollbackDir: string;
  /** False when 'rollback-dir' was not given: the store is this run's temporary folder. */
  rollbackDirGiven: boolean;
}

function reloadOutputs(reload: ReloadOutcome | undefined): Record<string, unknown> {
  return { "reload-id": reload?.id ?? "", "reload-status": reload?.status ?? "" };
}

export const deployToSpaceOperation = defineOperation({
  name: "deploy-to-space",
  inputs: {
    ...CONNECTION_INPUTS,
    source: {},
    "source-app-id": {},
    space: { required: true },
    "staging-space": {},
    "app-name": {},
    parameters: {},
    environment: {},
    reload: { default: "true" },
    "reload-timeout-minutes": { default: "30" },
    prune: { default: "true" },
    "dry-run": { default: "false" },
    "rollback-on-failure": { default: "false" },
    rollback: { default: "false" },
    "rollback-dir": {},
  },
  outputNames: [
    "app-id",
    "published-app-id",
    "item-id",
    "app-url",
    "changed",
    "plan",
    "reload-id",
    "reload-status",
  ],

  options(inputs, host): DeployToSpaceOptions {
    const connection = readConnection(inputs, host.env);
    const rollbackDir = inputs.path("rollback-dir");
    return {
      connection,
      deploy: {
        source: inputs.path("source"),
        sourceAppId: inputs.string("source-app-id"),
        space: inputs.required("space"),
        stagingSpace: inputs.string("staging-space"),
        appName: inputs.string("app-name"),
        parameters: inputs.path("parameters"),
        environment: inputs.string("environment"),
        reload: inputs.boolean("reload"),
        reloadTimeoutMinutes: inputs.number("reload-timeout-minutes", { min: 1, max: 1440 }),
        prune: inputs.boolean("prune"),
        dryRun: inputs.boolean("dry-run"),
        rollbackOnFailure: inputs.boolean("rollback-on-failure"),
        rollback: inputs.boolean("rollback"),
        provenance: provenanceOf(host.run),
        env: host.env,
      },
      rollbackDir: rollbackDir ?? join(host.tempDir, "qlik-cicd-rollback"),
      rollbackDirGiven: rollbackDir !== undefined,
    };
  },

  async run(options, host): Promise<DeployResult> {
    return withQlikClient(options.connection, { logger: host.logger }, async (client) => {
      try {
        return await deployApp(client, options.deploy, {
          logger: host.logger,
          rollbackStore: new DirectoryRollbackStore(options.rollbackDir),
        });
      } catch (error) {
        if (error instanceof ConfigError && error.field === "rollback" && !options.rollbackDirGiven) {
          throw new ConfigError(error.message, {
            field: "rollback-dir",
            hint: "Without 'rollback-dir' each run keeps replaced versions in its own temporary folder: give the deploy and the rollback the same 'rollback-dir' (on GitHub, restore it with actions/cache or an artifact).",
          });
        }
        throw error;
      }
    });
  },

  outputs: (result) => ({
    "app-id": result.appId,
    "published-app-id": result.publishedAppId ?? "",
    "item-id": result.itemId,
    "app-url": result.appUrl,
    changed: result.changed,
    plan: result.plan,
    ...reloadOutputs(result.reload),
  }),
  summary: (result) => renderDeployMarkdown(result),

  failed(error) {
    const reload = (error as { reload?: ReloadOutcome }).reload;
    const lines = [
      `### Deploy failed${reload ? `: reload ${reload.status}` : ""}`,
      "",
      describeError(error),
      "",
      ...(reload?.log ? ["Reload log (error lines):", "", "```", reload.log, "```", ""] : []),
    ];
    return { ...(reload ? { outputs: reloadOutputs(reload) } : {}), summary: lines.join("\n") };
  },
});
