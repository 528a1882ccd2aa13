import { approveGateOperation } from "@qlik-cicd/approval";
import { runOperation } from "../../_shared/src/index.ts";
import { withGitHub } from "../../_shared/src/github-host.ts";

/** The library operation this action runs; `qlik-cicd approve-gate` runs the same one. */
export const operation = approveGateOperation;

export function run(): Promise<void> {
  return runOperation(operation, withGitHub);
}
