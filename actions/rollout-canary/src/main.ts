import { rolloutCanaryOperation } from "@qlik-cicd/delivery";
import { runOperation } from "../../_shared/src/index.ts";

/** The library operation this action runs; `qlik-cicd rollout-canary` runs the same one. */
export const operation = rolloutCanaryOperation;

export function run(): Promise<void> {
  return runOperation(operation);
}
