import { configureTenantOperation } from "@qlik-cicd/tenant";
import { runOperation } from "../../_shared/src/index.ts";
import { withGitHub } from "../../_shared/src/github-host.ts";

/** The library operation this action runs; `qlik-cicd configure-tenant` runs the same one. */
export const operation = configureTenantOperation;

export function run(): Promise<void> {
  return runOperation(operation, withGitHub);
}
