import { validateAppOperation } from "@qlik-cicd/git";
import { runOperation } from "../../_shared/src/index.ts";
import { withGitHub } from "../../_shared/src/github-host.ts";

/** The library operation this action runs; `qlik-cicd validate-app` runs the same one. */
export const operation = validateAppOperation;

export function run(): Promise<void> {
  return runOperation(operation, withGitHub);
}
