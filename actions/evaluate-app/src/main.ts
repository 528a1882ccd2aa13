import { evaluateAppOperation } from "@qlik-cicd/delivery";
import { runOperation } from "../../_shared/src/index.ts";
import { withGitHub } from "../../_shared/src/github-host.ts";

/** The library operation this action runs; `qlik-cicd evaluate-app` runs the same one. */
export const operation = evaluateAppOperation;

export function run(): Promise<void> {
  return runOperation(operation, withGitHub);
}
