import { deployToSpaceOperation } from "@qlik-cicd/delivery";
import { runOperation } from "../../_shared/src/index.ts";

/** The library operation this action runs; `qlik-cicd deploy-to-space` runs the same one. */
export const operation = deployToSpaceOperation;

export function run(): Promise<void> {
  return runOperation(operation);
}
