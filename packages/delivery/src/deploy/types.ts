import type { AppTree, AppTreeContent } from "@qlik-cicd/app-files";
import type { Logger } from "@qlik-cicd/common";
import type { RollbackStore } from "./rollback-store.ts";

/** Where the deploy records who deployed what (kept out of unbuild, diff and verification). */
export interface ProvenanceInput {
  /** Git commit SHA the content came from. */
  commit?: string;
  /** When that commit was made (ISO time). */
  commitTime?: string;
  /** Link to the CI run that deployed it. */
  runUrl?: string;
  /** Git ref or any short label, e.g. `refs/heads/main`. */
  ref?: string;
}

export interface DeployOptions {
  /** Directory holding the unbuilt app files. Exactly one of `source` and `sourceAppId` (unless `rollback`). */
  source?: string;
  /** An app on the same tenant to unbuild and deploy. */
  sourceAppId?: string;
  /** Target space, by name or id; shared (built in place) or managed (staged and published). */
  space: string;
  /** Shared space that holds the staging app for a managed target; default `<space>-staging`. */
  stagingSpace?: string;
  /** Name of the deployed app; default the files' app title. */
  appName?: string;
  /** Path of the parameters YAML file (variables and connections per environment). */
  parameters?: string;
  /** Environment chosen in the parameters file; default the target space's name. */
  environment?: string;
  /** Reload the deployed app after a change (default true). */
  reload?: boolean;
  reloadTimeoutMinutes?: number;
  /** Delete what the source no longer has (default true). */
  prune?: boolean;
  /** Compute and return the plan; change nothing on the tenant. */
  dryRun?: boolean;
  /** Restore the previous version when the reload or verification fails. */
  rollbackOnFailure?: boolean;
  /** Restore the last stored version of the target instead of deploying. */
  rollback?: boolean;
  provenance?: ProvenanceInput;
  /** Environment variables that parameter references are resolved from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** How long to keep retrying 403s right after a publish (default 150 s). */
  publishAccessTimeoutMs?: number;
  /** Poll interval for reloads (default 1 s). */
  reloadPollIntervalMs?: number;
}

export interface DeployDeps {
  logger?: Logger;
  rollbackStore?: RollbackStore;
  /**
   * `options.source` already read (readAppTree), for callers that deploy one folder to many tenants:
   * read once instead of once per deploy. Treated as read-only.
   */
  sourceTree?: AppTree;
}

export type DeployStepKind =
  | "create-space"
  | "create-app"
  | "build"
  | "make-public"
  | "publish"
  | "republish"
  | "snapshot"
  | "reload"
  | "reload-for-bookmarks"
  | "write-provenance"
  | "verify"
  | "restore"
  | "import"
  | "apply-parameters";

export interface DeployStep {
  kind: DeployStepKind;
  /** One line for people, e.g. `Create app 'Sales' in space 'test-staging'`. */
  description: string;
}

/** One line of the content change: what kind of thing, which one, and how. */
export interface DeployChange {
  change: "add" | "update" | "remove";
  kind: string;
  name: string;
}

export interface SpaceRef {
  id: string;
  name: string;
  type: string;
}

export interface DeployPlan {
  tenant: string;
  appName: string;
  /** `shared`: built in place; `managed`: built into a staging app and published. */
  mode: "shared" | "managed";
  space: SpaceRef;
  /** The staging space (managed targets); `id` is empty when it does not exist yet. */
  stagingSpace?: SpaceRef;
  environment?: string;
  /** Content changes between the target and the source. */
  changes: DeployChange[];
  /** Ordered steps a deploy runs (or would run, for a dry run). Empty when nothing changes. */
  steps: DeployStep[];
  /** True when anything would change on the tenant. */
  changed: boolean;
  dryRun: boolean;
  rollback: boolean;
  /** The semantic diff in markdown (from app-files), when there is one. */
  diffMarkdown?: string;
}

export interface ReloadOutcome {
  id: string;
  status: string;
  /** Error lines from the reload log (failed reloads only). */
  log?: string;
}

export interface DeployResult {
  /** The app that was built: the target app (shared) or the staging app (managed). Empty on a dry run before creation. */
  appId: string;
  /** The published copy in the managed space. */
  publishedAppId?: string;
  /** Items-API id of the deployed app (published copy for managed targets). */
  itemId: string;
  /** Link people open: the deployed app's hub URL. */
  appUrl: string;
  changed: boolean;
  plan: DeployPlan;
  reload?: ReloadOutcome;
  verified: boolean;
  /** Set when a failed deploy was rolled back, or on a rollback run. */
  rolledBack?: boolean;
  /**
   * What the deployed app could not be given: bookmark selections on values its data lacks (bookmark,
   * field, count), bookmarks created without a reload, … Also logged as warnings.
   */
  warnings?: string[];
}

/** Everything needed to put a previous version back. */
export interface RollbackSnapshot {
  tenant: string;
  spaceId: string;
  appName: string;
  /** The app consumers use (published copy or shared-space app) at the time of the snapshot. */
  appId: string;
  takenAt: string;
  /** The app content (canonical tree content; never credentials). */
  content: AppTreeContent;
  provenance?: ProvenanceInput;
}
