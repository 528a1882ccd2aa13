import { unbuildAppOperation } from "@qlik-cicd/git";
import { runOperation } from "../../_shared/src/index.ts";
import { withGitHub } from "../../_shared/src/github-host.ts";

/** The library operation this action runs; `qlik-cicd unbuild-app` runs the same one. */
export const operation = unbuildAppOperation;

export function run(): Promise<void> {
  return runOperation(operation, withGitHub);
}
