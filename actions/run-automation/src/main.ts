import * as core from "@actions/core";
import { secrets } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { AutomationRunFailedError, parseAutomationInputs, runAutomation } from "@qlik-cicd/tenant";
import type { AutomationMode } from "@qlik-cicd/tenant";
import {
  actionsLogger,
  readBooleanInput,
  readConnectionInputs,
  readEnumInput,
  readInput,
  readNumberInput,
  readSecretInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

const MODES: readonly AutomationMode[] = ["run", "execute"];

export async function run(): Promise<void> {
  await runAction("run-automation", async () => {
    const connection = readConnectionInputs();
    const automationId = readInput(INPUTS.automationId, { required: true }) as string;
    const mode = readEnumInput(INPUTS.mode, MODES, "run");
    const executionToken = readSecretInput(INPUTS.executionToken, { required: mode === "execute" });
    const inputs = parseAutomationInputs(readInput(INPUTS.inputs));
    const wait = readBooleanInput(INPUTS.wait, true);
    const timeoutMinutes = readNumberInput(INPUTS.timeoutMinutes, 30, { min: 0.01, max: 1440 });
    const pollSeconds = readNumberInput(INPUTS.pollIntervalSeconds, 2, { min: 0.01, max: 300 });
    const client = new QlikClient(connection, { logger: actionsLogger });
    const summary = (runId: string, status: string, detail?: string) =>
      core.summary.addRaw(
        secrets.redact(
          [
            `## Qlik Automate: automation ${automationId}`,
            "",
            "| run | mode | status |",
            "| --- | --- | --- |",
            `| \`${runId || "-"}\` | ${mode} | ${status} |`,
            ...(detail ? ["", detail] : []),
            "",
          ].join("\n"),
        ),
        true,
      );
    try {
      const result = await runAutomation(
        client,
        {
          automationId,
          mode,
          inputs,
          executionToken,
          wait,
          timeoutMs: Math.round(timeoutMinutes * 60_000),
          pollIntervalMs: Math.round(pollSeconds * 1000),
        },
        { logger: actionsLogger },
      );
      writeOutput(OUTPUTS.runId, result.runId);
      writeOutput(OUTPUTS.status, result.status);
      writeOutput(OUTPUTS.result, result.result ?? {});
      summary(result.runId, result.status);
    } catch (error) {
      if (error instanceof AutomationRunFailedError) {
        writeOutput(OUTPUTS.runId, error.runId);
        writeOutput(OUTPUTS.status, error.status);
        summary(error.runId, error.status, error.message);
      }
      throw error;
    } finally {
      await client.close();
    }
  });
}
