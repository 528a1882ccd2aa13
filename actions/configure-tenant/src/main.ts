import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { CicdError } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { configureTenant, loadBlueprint } from "@qlik-cicd/tenant";
import type { ConfigureMode } from "@qlik-cicd/tenant";
import {
  actionsLogger,
  readBooleanInput,
  readConnectionInputs,
  readEnumInput,
  readInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import { addConfigureSummary, blueprintDeps, workspacePath } from "./blueprint-adapter.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

const MODES: readonly ConfigureMode[] = ["apply", "plan", "drift"];

export async function run(): Promise<void> {
  await runAction("configure-tenant", async () => {
    const connection = readConnectionInputs();
    const blueprintPath = readInput(INPUTS.blueprint, { required: true }) as string;
    const mode = readEnumInput(INPUTS.mode, MODES, "apply");
    const dryRun = readBooleanInput(INPUTS.dryRun, false);
    const pruneInput = readInput(INPUTS.pruneUsers);
    const pruneUsers = pruneInput === undefined ? undefined : readBooleanInput(INPUTS.pruneUsers, false);
    const failOnDrift = readBooleanInput(INPUTS.failOnDrift, false);
    const reportDir = workspacePath(
      readInput(INPUTS.driftReportDir) ?? join(process.env.RUNNER_TEMP || tmpdir(), "qlik-drift"),
    );
    const file = workspacePath(blueprintPath);
    const blueprint = loadBlueprint(file, blueprintPath);
    const deps = blueprintDeps(INPUTS.githubToken);
    const client = new QlikClient(connection, { logger: actionsLogger });
    try {
      const result = await configureTenant(
        client,
        {
          blueprint,
          mode,
          dryRun,
          ...(pruneUsers !== undefined ? { pruneUsers } : {}),
          baseDir: dirname(file),
          reportDir,
        },
        deps,
      );
      writeOutput(OUTPUTS.changed, result.changed);
      writeOutput(OUTPUTS.plan, result.plan);
      writeOutput(OUTPUTS.drift, result.drift ?? "");
      writeOutput(OUTPUTS.driftReport, result.driftReportPath ?? "");
      addConfigureSummary(result);
      if (failOnDrift && result.drift && !result.drift.inSync) {
        throw new CicdError(
          `Tenant ${result.tenant} has drifted from its blueprint: ${result.drift.differences.length} difference(s), ${result.drift.interactiveAdmins.length} person(s) with admin roles.`,
          { hint: `See the drift report at ${result.driftReportPath}.` },
        );
      }
    } finally {
      await client.close();
    }
  });
}
