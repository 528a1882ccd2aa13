export { blueprintSchema, TENANT_SETTINGS } from "./blueprint/schema.ts";
export type * from "./blueprint/types.ts";
export { ADMIN_ROLES } from "./blueprint/types.ts";
export { loadBlueprint, parseBlueprint, validateBlueprint } from "./blueprint/parse.ts";
export { configureTenant } from "./blueprint/configure.ts";
export type {
  ConfigureDeps,
  ConfigureMode,
  ConfigureOptions,
  ConfigureResult,
} from "./blueprint/configure.ts";
export type { OperationKind, PlannedOperation } from "./blueprint/operations.ts";
export { interactiveAdmins, renderDriftJson, renderDriftMarkdown } from "./blueprint/drift.ts";
export type { AdminPerson, DriftItem, DriftReport } from "./blueprint/drift.ts";
export { sealSecret, storeGitHubSecret } from "./blueprint/github-secrets.ts";
export type { GitHubSecretTarget } from "./blueprint/github-secrets.ts";
export { renderPlanMarkdown } from "./blueprint/render.ts";
export { provisionTenant } from "./provision/provision.ts";
export type {
  ProvisionDeps,
  ProvisionOperation,
  ProvisionOptions,
  ProvisionResult,
} from "./provision/provision.ts";
export { aliasHostname, datacenterFor, REGION_DATACENTERS, registrationUrlFor } from "./provision/regions.ts";
export {
  AutomationRunFailedError,
  AutomationTimeoutError,
  parseAutomationInputs,
  runAutomation,
} from "./automation/run-automation.ts";
export type {
  AutomationMode,
  AutomationRunResult,
  RunAutomationOptions,
} from "./automation/run-automation.ts";
export { signQlikWebhook, verifyQlikSignature } from "./relay/signature.ts";
export { createWebhookRelay, dispatchEventType, dispatchPayload, startWebhookRelay } from "./relay/relay.ts";
export type { RelayHandler, RunningRelay, WebhookRelayOptions } from "./relay/relay.ts";
export * from "./operations/index.ts";
