import type { Logger } from "@qlik-cicd/common";
import type { QlikClient } from "@qlik-cicd/qlik-client";

export type OperationKind =
  | "update-tenant"
  | "create-brand"
  | "update-brand"
  | "activate-brand"
  | "create-identity-provider"
  | "replace-identity-provider"
  | "create-user"
  | "update-user"
  | "delete-user"
  | "create-space"
  | "update-space"
  | "add-space-member"
  | "update-space-member"
  | "remove-space-member"
  | "create-oauth-client"
  | "update-oauth-client"
  | "create-webhook"
  | "update-webhook"
  | "deploy-app"
  | "create-reload-task"
  | "update-reload-task";

/** One step of a plan, as people and the `plan` output see it. */
export interface PlannedOperation {
  kind: OperationKind;
  /** What it acts on, e.g. `user auth0|42` or `space sales`. */
  target: string;
  description: string;
}

/** What running steps share: the client, ids learned on the way (new users), where secrets go. */
export interface ApplyContext {
  client: QlikClient;
  logger: Logger;
  /** subject (lower case) → user id; filled from the tenant and by create-user steps. */
  userIds: Map<string, string>;
  /** group name (lower case) → id, looked up on first use. */
  groupIds: Map<string, string>;
  /** space name (lower case) → id; filled from the tenant and by create-space steps. */
  spaceIds: Map<string, string>;
  /** blueprint field (e.g. `monitoring.apps[0]`) → id of the app consumers use; filled by deploy-app steps. */
  deployedApps: Map<string, string>;
}

/** A planned operation with the code that carries it out; `run` returns false when nothing changed. */
export interface Step extends PlannedOperation {
  run(ctx: ApplyContext): Promise<boolean | void>;
}

export function publicOperation(step: PlannedOperation): PlannedOperation {
  return { kind: step.kind, target: step.target, description: step.description };
}
