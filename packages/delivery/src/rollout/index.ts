export {
  defaultRetryable,
  runRollout,
  type DeployOutcome,
  type DeployTenantFn,
  type EngineDeps,
  type EngineOptions,
  type HealthCheckFn,
  type RollbackOutcome,
  type RollbackTenantFn,
  type RolloutResult,
  type TenantContext,
} from "./engine.ts";
export { loadInventory, parseInventory, resolveConnection, tenantParametersYaml } from "./inventory.ts";
export { tenantInventorySchema } from "./inventory-schema.ts";
export {
  errorBudget,
  matchesSelector,
  parseBudget,
  parseSelector,
  parseShard,
  parseWaves,
  parseWaveSpec,
  percentCount,
  planWaves,
  rolloutMatrix,
  type PlanOptions,
  type Selector,
  type SelectorTerm,
  type WaveSpec,
} from "./plan.ts";
export {
  buildReport,
  describeCounts,
  renderPlanMarkdown as renderRolloutPlanMarkdown,
  renderRolloutMarkdown,
  tenantOutcome,
  type OutcomeCounts,
  type RolloutReport,
  type TenantOutcome,
} from "./render.ts";
export {
  mergeStateFiles,
  rolloutApp,
  tenantDigest,
  type RolloutDeps,
  type RolloutInput,
  type RolloutRun,
} from "./rollout.ts";
export { FileStateStore, MemoryStateStore, mergeStates, readStateFile, statusLists } from "./state.ts";
export {
  createTenantOps,
  parseHealthChecks,
  type HealthCheckSpec,
  type TenantOps,
  type TenantOpsOptions,
} from "./tenant-ops.ts";
export type {
  CredentialSpec,
  HealthCheckResult,
  InventoryTenant,
  PlannedWave,
  RolloutPlan,
  RolloutState,
  StateStore,
  TenantConnection,
  TenantInventory,
  TenantRecord,
  TenantStatus,
  WaveRecord,
  WaveStatus,
} from "./types.ts";
