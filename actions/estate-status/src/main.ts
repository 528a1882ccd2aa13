import { estateStatusOperation } from "@qlik-cicd/tenant";
import { runOperation } from "../../_shared/src/index.ts";
import { withGitHub } from "../../_shared/src/github-host.ts";

/** The library operation this action runs; `qlik-cicd estate-status` runs the same one. */
export const operation = estateStatusOperation;

export function run(): Promise<void> {
  return runOperation(operation, withGitHub);
}
