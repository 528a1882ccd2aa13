// Shared by the end-to-end tests of the example workflows: one test world per file, helpers to run a
// workflow with the runner and to look at the simulator's state.
import { expect } from "@jest/globals";
import { join } from "node:path";
import { repoRoot, runWorkflow, type RunWorkflowOptions, type WorkflowRunResult } from "./runner.ts";
import type { TestWorld } from "./world.ts";

export const example = (name: string) => join(repoRoot, "workflows-examples", name);
export const PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIfakefakefake\n-----END RSA PRIVATE KEY-----";
export const FAST_TIMINGS = {
  reloadMs: 10,
  evaluationMs: 10,
  publishAccessWindowMs: 10,
  automationRunMs: 10,
};

/** Apps in a space of a tenant, from the simulator's own state. */
export function appsIn(world: TestWorld, tenantName: string, spaceName: string) {
  const state = world.sim.control.state(tenantName);
  const space = state.spaces.find((s) => s.name === spaceName);
  return space ? state.apps.filter((a) => a.spaceId === space.id) : [];
}

/** Runs a workflow in the world; no secret may show up in any log, summary or output. */
export async function runIn(
  world: TestWorld,
  options: Omit<RunWorkflowOptions, "world">,
): Promise<WorkflowRunResult> {
  // WORKFLOW_RUNNER_LOG=1 prints every job and step (with durations) while the tests run.
  const log = process.env.WORKFLOW_RUNNER_LOG
    ? (line: string) => process.stderr.write(`${line}\n`)
    : undefined;
  const result = await runWorkflow({ world, ...(log ? { log } : {}), ...options });
  expect(result.leaks).toEqual([]);
  return result;
}

/** A readable account of a run, for failure messages. */
function describeRun(r: WorkflowRunResult): string {
  return r.jobs
    .map((j) => {
      const failed = j.steps.find((s) => s.outcome === "failure");
      const why = failed
        ? ` — ${failed.name}: ${failed.errors.join(" | ") || failed.stderr.slice(-800) || failed.stdout.slice(-800)}`
        : "";
      return `${j.key}: ${j.result}${j.reason ? ` (${j.reason})` : ""}${why}`;
    })
    .join("\n");
}

export function expectSuccess(r: WorkflowRunResult): void {
  if (r.conclusion !== "success") throw new Error(`The run did not succeed:\n${describeRun(r)}`);
}

/** Every instance of a job ended with `result`; otherwise fails with an account of the whole run. */
export function expectJobResult(r: WorkflowRunResult, jobId: string, result: string): void {
  const instances = r.job(jobId);
  if (instances.length === 0 || instances.some((j) => j.result !== result)) {
    throw new Error(`Expected job '${jobId}' to end with ${result}:\n${describeRun(r)}`);
  }
}
