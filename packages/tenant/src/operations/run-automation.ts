// run-automation: run a Qlik Automate automation (as its owner, or through its execution token) and wait
// for its result.
import { defineOperation } from "@qlik-cicd/common";
import {
  CONNECTION_INPUTS,
  readConnection,
  withQlikClient,
  type ConnectionInput,
} from "@qlik-cicd/qlik-client";
import {
  AutomationRunFailedError,
  parseAutomationInputs,
  runAutomation,
  type AutomationMode,
  type AutomationRunResult,
  type RunAutomationOptions,
} from "../automation/run-automation.ts";

const MODES: readonly AutomationMode[] = ["run", "execute"];

export interface RunAutomationOperationOptions {
  connection: ConnectionInput;
  automation: RunAutomationOptions;
}

function summary(
  options: RunAutomationOperationOptions,
  runId: string,
  status: string,
  detail?: string,
): string {
  return [
    `## Qlik Automate: automation ${options.automation.automationId}`,
    "",
    "| run | mode | status |",
    "| --- | --- | --- |",
    `| \`${runId || "-"}\` | ${options.automation.mode} | ${status} |`,
    ...(detail ? ["", detail] : []),
    "",
  ].join("\n");
}

export const runAutomationOperation = defineOperation({
  name: "run-automation",
  inputs: {
    ...CONNECTION_INPUTS,
    "automation-id": { required: true },
    mode: { default: "run" },
    inputs: {},
    "execution-token": {},
    wait: { default: "true" },
    "timeout-minutes": { default: "30" },
    "poll-interval-seconds": { default: "2" },
  },
  outputNames: ["run-id", "status", "result"],

  options(inputs, host): RunAutomationOperationOptions {
    const connection = readConnection(inputs, host.env);
    const automationId = inputs.required("automation-id");
    const mode = inputs.choice("mode", MODES) ?? "run";
    const executionToken = inputs.secret("execution-token");
    if (mode === "execute" && !executionToken) inputs.required("execution-token");
    const timeoutMinutes = inputs.number("timeout-minutes", { min: 0.01, max: 1440 }) ?? 30;
    const pollSeconds = inputs.number("poll-interval-seconds", { min: 0.01, max: 300 }) ?? 2;
    return {
      connection,
      automation: {
        automationId,
        mode,
        inputs: parseAutomationInputs(inputs.string("inputs")),
        executionToken,
        wait: inputs.boolean("wait") ?? true,
        timeoutMs: Math.round(timeoutMinutes * 60_000),
        pollIntervalMs: Math.round(pollSeconds * 1000),
      },
    };
  },

  run: (options, host): Promise<AutomationRunResult> =>
    withQlikClient(options.connection, { logger: host.logger }, (client) =>
      runAutomation(client, options.automation, { logger: host.logger }),
    ),

  outputs: (result) => ({ "run-id": result.runId, status: result.status, result: result.result ?? {} }),
  summary: (result, options) => summary(options, result.runId, result.status),
  failed(error, options) {
    if (!(error instanceof AutomationRunFailedError)) return undefined;
    return {
      outputs: { "run-id": error.runId, status: error.status },
      summary: summary(options, error.runId, error.status, error.message),
    };
  },
});
