import * as core from "@actions/core";
import { isAbsolute, join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { QlikClient } from "@qlik-cicd/qlik-client";
import {
  deployApp,
  DirectoryRollbackStore,
  renderDeployMarkdown,
  type DeployOptions,
  type ReloadOutcome,
} from "@qlik-cicd/delivery";
import { describeError, secrets } from "@qlik-cicd/common";
import {
  currentRunUrl,
  actionsLogger,
  readBooleanInput,
  readConnectionInputs,
  readInput,
  readNumberInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

function workspacePath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const base = process.env.GITHUB_WORKSPACE || process.cwd();
  return isAbsolute(path) ? path : resolve(base, path);
}

function readOptions(): DeployOptions {
  const provenance = {
    ...(process.env.GITHUB_SHA ? { commit: process.env.GITHUB_SHA } : {}),
    ...(currentRunUrl() ? { runUrl: currentRunUrl() } : {}),
    ...(process.env.GITHUB_REF ? { ref: process.env.GITHUB_REF } : {}),
  };
  return {
    source: workspacePath(readInput(INPUTS.source)),
    sourceAppId: readInput(INPUTS.sourceAppId),
    space: readInput(INPUTS.space, { required: true }) as string,
    stagingSpace: readInput(INPUTS.stagingSpace),
    appName: readInput(INPUTS.appName),
    parameters: workspacePath(readInput(INPUTS.parameters)),
    environment: readInput(INPUTS.environment),
    reload: readBooleanInput(INPUTS.reload, true),
    reloadTimeoutMinutes: readNumberInput(INPUTS.reloadTimeoutMinutes, 30, { min: 1, max: 1440 }),
    prune: readBooleanInput(INPUTS.prune, true),
    dryRun: readBooleanInput(INPUTS.dryRun, false),
    rollbackOnFailure: readBooleanInput(INPUTS.rollbackOnFailure, false),
    rollback: readBooleanInput(INPUTS.rollback, false),
    provenance,
  };
}

function writeReloadOutputs(reload: ReloadOutcome | undefined): void {
  writeOutput(OUTPUTS.reloadId, reload?.id ?? "");
  writeOutput(OUTPUTS.reloadStatus, reload?.status ?? "");
}

export async function run(): Promise<void> {
  await runAction("deploy-to-space", async () => {
    const connection = readConnectionInputs();
    const options = readOptions();
    const rollbackDir =
      workspacePath(readInput(INPUTS.rollbackDir)) ??
      join(process.env.RUNNER_TEMP || tmpdir(), "qlik-cicd-rollback");
    const client = new QlikClient(connection, { logger: actionsLogger });
    try {
      let result;
      try {
        result = await deployApp(client, options, {
          logger: actionsLogger,
          rollbackStore: new DirectoryRollbackStore(rollbackDir),
        });
      } catch (error) {
        const reload = (error as { reload?: ReloadOutcome }).reload;
        if (reload) writeReloadOutputs(reload);
        const lines = [
          `### Deploy failed${reload ? `: reload ${reload.status}` : ""}`,
          "",
          describeError(error),
          "",
          ...(reload?.log ? ["Reload log (error lines):", "", "```", reload.log, "```", ""] : []),
        ];
        await core.summary.addRaw(secrets.redact(lines.join("\n"))).write();
        throw error;
      }
      writeOutput(OUTPUTS.appId, result.appId);
      writeOutput(OUTPUTS.publishedAppId, result.publishedAppId ?? "");
      writeOutput(OUTPUTS.itemId, result.itemId);
      writeOutput(OUTPUTS.appUrl, result.appUrl);
      writeOutput(OUTPUTS.changed, result.changed);
      writeOutput(OUTPUTS.plan, result.plan);
      writeReloadOutputs(result.reload);
      await core.summary.addRaw(secrets.redact(renderDeployMarkdown(result))).write();
    } finally {
      await client.close();
    }
  });
}
