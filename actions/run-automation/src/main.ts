import { runAutomationOperation } from "@qlik-cicd/tenant";
import { runOperation } from "../../_shared/src/index.ts";

/** The library operation this action runs; `qlik-cicd run-automation` runs the same one. */
export const operation = runAutomationOperation;

export function run(): Promise<void> {
  return runOperation(operation);
}
