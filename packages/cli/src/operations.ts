// The library operation behind each action: the same object the action's adapter runs
// (actions/<name>/src/main.ts exports it as `operation`; a test checks they are the same).
// Loaded on demand, so `--help` and one action do not load every library.
import type { Operation } from "@qlik-cicd/common";

// Each operation has its own option and result types; the CLI only passes them between its methods.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any, any>;

export const OPERATIONS: Readonly<Record<string, () => Promise<AnyOperation>>> = {
  "approve-gate": async () => (await import("@qlik-cicd/approval")).approveGateOperation,
  "configure-tenant": async () => (await import("@qlik-cicd/tenant")).configureTenantOperation,
  "deploy-to-space": async () => (await import("@qlik-cicd/delivery")).deployToSpaceOperation,
  "estate-status": async () => (await import("@qlik-cicd/tenant")).estateStatusOperation,
  "evaluate-app": async () => (await import("@qlik-cicd/delivery")).evaluateAppOperation,
  "provision-tenant": async () => (await import("@qlik-cicd/tenant")).provisionTenantOperation,
  "rollout-canary": async () => (await import("@qlik-cicd/delivery")).rolloutCanaryOperation,
  "run-automation": async () => (await import("@qlik-cicd/tenant")).runAutomationOperation,
  "unbuild-app": async () => (await import("@qlik-cicd/git")).unbuildAppOperation,
  "validate-app": async () => (await import("@qlik-cicd/git")).validateAppOperation,
};

export async function loadOperation(name: string): Promise<AnyOperation | undefined> {
  return Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name]() : undefined;
}
