/** Types of the staged rollout across an estate of customer tenants. */
import type { EnvironmentParameters } from "../deploy/parameters.ts";

/** How a tenant is reached: the names of environment variables (never their values). */
export type CredentialSpec =
  { apiKeyEnv: string } | { clientIdEnv: string; clientSecretEnv: string } | { ref: string };

export interface InventoryTenant {
  name: string;
  url: string;
  region?: string;
  /** Sorted; tenants with the same labels share one (frozen) array. */
  labels: readonly string[];
  /** Resolved to environment variable names (a `ref` is replaced by the shared entry). */
  credentials: { apiKeyEnv: string } | { clientIdEnv: string; clientSecretEnv: string };
  /** Name of the shared credential entry this tenant uses, if any (for reports). */
  credentialRef?: string;
  /** Deploy parameters of this tenant (merged over the inventory defaults by the deploy). */
  parameters?: EnvironmentParameters;
}

export interface TenantInventory {
  /** Where it came from, for messages. */
  file: string;
  /** Sorted by name. */
  tenants: InventoryTenant[];
  /** Parameters every tenant gets first. */
  defaultParameters?: EnvironmentParameters;
}

/** A tenant's connection, resolved from the environment (secrets registered). */
export interface TenantConnection {
  tenantUrl: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
}

export type TenantStatus = "pending" | "in-progress" | "deployed" | "failed" | "rolled-back" | "skipped";

export interface HealthCheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

/** One tenant's record in the state file (checkpointed after every tenant). */
export interface TenantRecord {
  name: string;
  wave: number;
  status: TenantStatus;
  /** Digest of what this tenant gets (artifact or source files + its parameters + target). */
  digest: string;
  /** The artifact this tenant runs after its deploy (sha256 of the app export). */
  artifactDigest?: string;
  /** The artifact it ran before this rollout changed it: what a rollback ships back. */
  previousArtifactDigest?: string;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** One sentence: why it failed, was rolled back or skipped. */
  error?: string;
  /** The consumers' app in this tenant (published copy or shared-space app). */
  appId?: string;
  changed?: boolean;
  reloadStatus?: string;
  /** Evaluation of the version before this rollout (baseline for the `evaluation` health check). */
  baselineEvaluationId?: string;
  health?: HealthCheckResult[];
  /** Set when the tenant was rolled back and why. */
  rollbackReason?: string;
}

export type WaveStatus = "pending" | "running" | "passed" | "halted" | "skipped";

export interface WaveRecord {
  index: number;
  name: string;
  status: WaveStatus;
  tenants: string[];
  failures?: number;
  budget?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface RolloutState {
  version: 1;
  /** Set once by the first run and kept by resumed runs (snapshots newer than this belong to it). */
  rolloutId: string;
  startedAt: string;
  updatedAt: string;
  sourceDigest: string;
  /** The one artifact this rollout ships to every tenant (a resume never ships another). */
  artifactDigest?: string;
  appName: string;
  space: string;
  shard?: string;
  /** `completed-with-failures`: every wave passed, some tenants failed within the error budget. */
  status: "running" | "succeeded" | "completed-with-failures" | "halted" | "planned";
  waves: WaveRecord[];
  tenants: Record<string, TenantRecord>;
}

/** Where state lives between runs; local JSON file by default. */
export interface StateStore {
  load(): Promise<RolloutState | undefined>;
  /**
   * Persists the whole state. `changed`, when given, names the only tenant records that changed since
   * this store's previous save of the same state (a hint to save less work; omitted: anything may have).
   */
  save(state: RolloutState, changed?: ReadonlySet<string>): Promise<void>;
  /**
   * Optional: takes records the caller is done with out of `state.tenants` and keeps them only in their
   * saved form; later saves of `state` still write them. Each must be saved and unchanged since.
   */
  release?(state: RolloutState, names: readonly string[]): void;
  /**
   * Puts records `release` took back into `state.tenants`: those of `names`, or every one (then in the
   * saved order).
   */
  restore?(state: RolloutState, names?: readonly string[]): void;
  /** For messages, e.g. the file path. */
  readonly location: string;
}

export interface PlannedWave {
  index: number;
  /** How the wave was chosen: `canary`, `25%`, `label=wave-1`, `5 tenants`, `the rest`, `all tenants`. */
  name: string;
  /** Tenants of the wave (this shard's subset), sorted by name. */
  tenants: InventoryTenant[];
  /** Size of the whole wave before sharding. */
  total: number;
}

export interface RolloutPlan {
  waves: PlannedWave[];
  /** Tenants the selector left out (never touched). */
  excluded: string[];
  shard?: { index: number; count: number };
}
