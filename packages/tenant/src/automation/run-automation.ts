import { CicdError, ConfigError, poll, secrets, silentLogger } from "@qlik-cicd/common";
import type { Clock, Logger } from "@qlik-cicd/common";
import { executeAutomation, QlikTimeoutError } from "@qlik-cicd/qlik-client";
import type { ExecuteAutomationAnswer, QlikClient } from "@qlik-cicd/qlik-client";
import { AUTOMATION_RUN_REQUEST_CONTEXT, automationRunVerdict } from "@qlik-cicd/qlik-facts";
import { getAutomationRun, queueAutomationRun } from "@qlik/api/automations";

export type AutomationMode = "run" | "execute";

export interface RunAutomationOptions {
  automationId: string;
  /** run: the runs API (owner only) and polling; execute: the trigger URL with an execution token. */
  mode?: AutomationMode;
  /** execute: the JSON payload sent to the automation. */
  inputs?: unknown;
  /** execute: the automation's execution token (a secret). */
  executionToken?: string;
  /** Wait for the final status (default true). execute without waiting starts the run asynchronously. */
  wait?: boolean;
  timeoutMs?: number;
  /** run: how often the run is polled (default 2 s). */
  pollIntervalMs?: number;
}

export interface AutomationRunResult {
  runId: string;
  status: string;
  /** execute + wait: the automation's output; run: the final run record. */
  result: unknown;
  /** True when the run reached a final status. */
  finished: boolean;
}

/**
 * A run that failed, was stopped or is being stopped (`must stop`), or went over a limit: the step fails
 * with the automation's own error.
 */
export class AutomationRunFailedError extends CicdError {
  readonly runId: string;
  readonly status: string;
  constructor(automationId: string, runId: string, status: string, detail: string | undefined) {
    super(
      `Automation ${automationId} run ${runId || "(no id)"} ended with status '${status}'${detail ? `: ${detail.replace(/[.\s]+$/, "")}` : ""}.`,
      { hint: "Open the run in Qlik Automate for its block-by-block log." },
    );
    this.runId = runId;
    this.status = status;
  }
}

export class AutomationTimeoutError extends CicdError {
  readonly runId: string;
  constructor(automationId: string, runId: string, minutes: number, status: string) {
    super(
      `Automation ${automationId} run ${runId || "(no id)"} did not finish within ${minutes} minute(s) (last status '${status}').`,
      { hint: "Raise 'timeout-minutes', or set 'wait: false' and check the run later." },
    );
    this.runId = runId;
  }
}

/** Parses the `inputs` text: empty → undefined; anything but valid JSON → ConfigError. */
export function parseAutomationInputs(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Input 'inputs' must be JSON: ${(error as Error).message}.`, { field: "inputs" });
  }
}

function firstError(error: unknown): string | undefined {
  if (!Array.isArray(error) || error.length === 0) return undefined;
  const e = error[0] as { message?: unknown; detail?: unknown } | string;
  if (typeof e === "string") return e;
  return typeof e.message === "string" ? e.message : typeof e.detail === "string" ? e.detail : undefined;
}

function runRecord(run: Record<string, unknown>): Record<string, unknown> {
  const keep = ["id", "status", "context", "startTime", "stopTime", "error"];
  return Object.fromEntries(keep.filter((k) => run[k] !== undefined).map((k) => [k, run[k]]));
}

async function viaRunsApi(
  client: QlikClient,
  options: RunAutomationOptions,
  logger: Logger,
  deps: { clock?: Clock },
): Promise<AutomationRunResult> {
  const id = options.automationId;
  if (options.inputs !== undefined) {
    logger.warn("The runs API takes no inputs; they are sent only with mode 'execute'.");
  }
  const queued = await client.call(
    { tier: "write", method: "POST", resource: "/api/v1/automations/{id}/runs", operation: "run automation" },
    (opts) => queueAutomationRun(id, { context: AUTOMATION_RUN_REQUEST_CONTEXT }, opts),
  );
  let run = queued.data as unknown as Record<string, unknown>;
  const runId = String(run.id ?? "");
  logger.info(`Automation ${id}: run ${runId} is ${String(run.status)}.`);
  if (options.wait === false)
    return { runId, status: String(run.status ?? "queued"), result: runRecord(run), finished: false };
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const readRun = async (): Promise<Record<string, unknown>> => {
    const res = await client.call(
      { tier: "read", method: "GET", resource: "/api/v1/automations/{id}/runs/{runId}" },
      (opts) => getAutomationRun(id, runId, opts),
    );
    const next = res.data as unknown as Record<string, unknown>;
    if (String(next.status) !== String(run.status)) {
      logger.info(`Automation ${id}: run ${runId} is ${String(next.status)}.`);
    }
    run = next;
    return next;
  };
  const polled = await poll(readRun, (r) => automationRunVerdict(String(r.status)) !== "pending", {
    initial: run,
    intervalMs: options.pollIntervalMs ?? 2000,
    timeoutMs,
    clock: deps.clock,
  });
  if (!polled.done) {
    throw new AutomationTimeoutError(
      id,
      runId,
      Math.round((timeoutMs / 60_000) * 100) / 100,
      String(run.status),
    );
  }
  const status = String(run.status);
  if (automationRunVerdict(status) === "failed")
    throw new AutomationRunFailedError(id, runId, status, firstError(run.error));
  if (status === "finished with warnings")
    logger.warn(`Automation ${id}: run ${runId} finished with warnings.`);
  return { runId, status, result: runRecord(run), finished: true };
}

/** The trigger URL, authorised by the execution token alone (a raw endpoint: see raw-endpoints.ts in the client). */
async function viaExecute(
  client: QlikClient,
  options: RunAutomationOptions,
  logger: Logger,
): Promise<AutomationRunResult> {
  const id = options.automationId;
  const token = options.executionToken;
  if (!token) {
    throw new ConfigError("Input 'execution-token' is required with mode 'execute'.", {
      field: "execution-token",
    });
  }
  secrets.register(token);
  const wait = options.wait !== false;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  let answer: ExecuteAutomationAnswer;
  try {
    answer = await executeAutomation(client, {
      automationId: id,
      executionToken: token,
      inputs: options.inputs,
      async: !wait,
      timeoutMs,
    });
  } catch (error) {
    if (error instanceof QlikTimeoutError) {
      throw new AutomationTimeoutError(id, "", Math.round((timeoutMs / 60_000) * 100) / 100, "running");
    }
    throw error;
  }
  const { status: httpStatus, runId, body } = answer;
  if (httpStatus < 400) {
    if (!wait) {
      const status = String((body as { status?: unknown } | undefined)?.status ?? "queued");
      logger.info(`Automation ${id}: run ${runId} started asynchronously (${status}).`);
      return { runId, status, result: body ?? {}, finished: false };
    }
    logger.info(`Automation ${id}: run ${runId} finished.`);
    return { runId, status: "finished", result: body ?? {}, finished: true };
  }
  const first = (body as { errors?: { code?: string; title?: string; detail?: string }[] } | undefined)
    ?.errors?.[0];
  const detail = first?.detail ?? first?.title;
  if (httpStatus === 401) {
    throw new ConfigError(
      `The execution token was rejected for automation ${id}${detail ? ` (${detail.replace(/[.\s]+$/, "")})` : ""}.`,
      {
        field: "execution-token",
        hint: "Copy the token from the automation's start block (triggered run mode).",
      },
    );
  }
  if (httpStatus === 404) {
    throw new ConfigError(`Tenant ${client.tenantName} has no automation ${id}.`, { field: "automation-id" });
  }
  if (httpStatus === 400) {
    throw new ConfigError(
      `Automation ${id} cannot be executed: ${detail ?? "bad request"}`.replace(/[.\s]*$/, "."),
      {
        field: "automation-id",
      },
    );
  }
  const code = first?.code ?? "";
  const status = code.startsWith("AUTOMATIONS-RUN-")
    ? code.slice("AUTOMATIONS-RUN-".length).toLowerCase().replace(/-/g, " ")
    : "failed";
  throw new AutomationRunFailedError(id, runId, status, detail);
}

/** Triggers a Qlik Automate workflow and (by default) waits for its final status. */
export async function runAutomation(
  client: QlikClient,
  options: RunAutomationOptions,
  deps: { logger?: Logger; clock?: Clock } = {},
): Promise<AutomationRunResult> {
  const logger = deps.logger ?? silentLogger;
  if (!options.automationId?.trim()) {
    throw new ConfigError("Input 'automation-id' is required.", { field: "automation-id" });
  }
  return (options.mode ?? "run") === "execute"
    ? viaExecute(client, options, logger)
    : viaRunsApi(client, options, logger, deps);
}
