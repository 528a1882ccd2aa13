export { deployApp, DeployFailedError, DeployVerificationError } from "./deploy/deploy-app.ts";
export { renderDeployMarkdown, renderPlanMarkdown } from "./deploy/render.ts";
export {
  loadParametersFile,
  parseParameters,
  resolveParameters,
  type ConnectionParameters,
  type EnvironmentParameters,
  type ParametersFile,
  type ParameterValue,
  type ResolvedConnection,
  type ResolvedParameters,
  type ValueRef,
} from "./deploy/parameters.ts";
export { parametersSchema } from "./deploy/parameters-schema.ts";
export {
  applyParameters,
  type ConnectionCredentials,
  type ParameterisedSource,
} from "./deploy/apply-parameters.ts";
export {
  DirectoryRollbackStore,
  MemoryRollbackStore,
  rollbackKey,
  type RollbackStore,
} from "./deploy/rollback-store.ts";
export { ReloadFailedError, reloadApp, reloadErrorLines } from "./deploy/reload.ts";
export { findSpace, listSpaces, spaceNotFound } from "./deploy/spaces.ts";
export {
  appNotFound,
  appUrl,
  findAppItem,
  findAppsByName,
  findPublishedCopies,
  resolveApp,
  type AppChoice,
  type AppItem,
} from "./deploy/apps.ts";
export { retryWhileForbidden } from "./deploy/publish.ts";
export { PROVENANCE_ATTRIBUTE, readProvenance, type ProvenanceRecord } from "./deploy/provenance.ts";
export {
  DEPLOYMENT_RECORD_PATH,
  DEPLOYMENT_RECORD_SCHEMA,
  readDeploymentRecord,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "./deploy/deployment-record.ts";
export type {
  DeployChange,
  DeployDeps,
  DeployOptions,
  DeployPlan,
  DeployResult,
  DeployStep,
  DeployStepKind,
  ProvenanceInput,
  ReloadOutcome,
  RollbackSnapshot,
  SpaceRef,
} from "./deploy/types.ts";
export * from "./artifact/index.ts";
export * from "./evaluation/index.ts";
export * from "./rollout/index.ts";
export * from "./estate/index.ts";
export * from "./operations/index.ts";
