/**
 * Runs an action's engine (its second bundle, dist/engine.js) in a worker thread with heap limits of its
 * own, for actions that work through many tenants at once.
 *
 * Why: an action.yml cannot pass node options, and V8 sizes a process's heap from the machine's memory.
 * On a 16 GB runner it gets a heap limit of about 4 GB, hence a 128 MB young generation and an old
 * generation allowed to grow to about four times what is live before it is collected. A rollout keeps
 * its live heap small (tens of MB) but allocates fast across hundreds of concurrent tenants, so most of
 * its resident memory was garbage waiting for a collection. A worker's `resourceLimits` are the one
 * setting an action can choose for itself; with a smaller heap limit V8 also lets the old generation
 * grow by less before collecting.
 *
 * The engine shares this process's environment (inputs, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), its
 * stdout and stderr reach the runner through this thread in the order written, and its exit code (set
 * by core.setFailed) becomes the process's.
 */
import * as core from "@actions/core";
import { SHARE_ENV, Worker } from "node:worker_threads";

export interface EngineHeapLimits {
  /** The young generation (where new objects are made), MB. */
  youngGenerationMb: number;
  /** The old generation (what lives on), MB: the engine stops with a clear message beyond it. */
  oldGenerationMb: number;
}

/** Heap limits for an engine that works through an estate: room for a large one, little idle garbage. */
export const ESTATE_ENGINE_LIMITS: EngineHeapLimits = { youngGenerationMb: 32, oldGenerationMb: 1024 };

/**
 * Runs `engine` in a worker thread with `limits` and resolves when it has ended. `whenOutOfMemory`: what
 * the user should do when the engine outgrows its heap (the end of that sentence).
 */
export function runEngineThread(
  engine: URL,
  limits: EngineHeapLimits,
  whenOutOfMemory = "run it again",
): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker(engine, {
      env: SHARE_ENV,
      resourceLimits: {
        maxYoungGenerationSizeMb: limits.youngGenerationMb,
        maxOldGenerationSizeMb: limits.oldGenerationMb,
      },
    });
    worker.on("error", (error: Error & { code?: string }) => {
      // The engine reports its own failures; this is one it could not catch.
      core.setFailed(
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `The action ran out of memory (its engine may use ${limits.oldGenerationMb} MB of heap): ${whenOutOfMemory}.`
          : `The action stopped unexpectedly: ${error.message}`,
      );
    });
    worker.on("exit", (code) => {
      if (code !== 0 && !process.exitCode) process.exitCode = code;
      resolve();
    });
  });
}
