/** Types of the estate view: which version of each app every customer tenant runs, and its health. */
import type { DeploymentRecord } from "../deploy/deployment-record.ts";

/** How an app's deployed version compares with the expected one. */
export type VersionStatus =
  /** The deployment record matches the expected version. */
  | "current"
  /** The record names another version. */
  | "other"
  /** The app is there but carries no deployment record (never deployed by this toolkit). */
  | "unknown"
  /** No app of this name in the space (never deployed to this tenant). */
  | "missing"
  /** The app has a record and no expected version was given to compare it with. */
  | "recorded";

/** What can be wrong with a tenant (the `fail-on` names, and `bad-credentials` under `unreachable`). */
export type EstateProblem = "unreachable" | "bad-credentials" | "failed-reload" | "not-current" | "drift";

export const PROBLEMS: readonly EstateProblem[] = [
  "unreachable",
  "bad-credentials",
  "failed-reload",
  "not-current",
  "drift",
];

/** The version a tenant's app runs, as the deploy that put it there recorded it. */
export interface DeployedVersion extends Pick<
  DeploymentRecord,
  "sourceDigest" | "artifactDigest" | "commit" | "commitTime" | "ref" | "runUrl" | "deployedAt"
> {
  /** Short label used to group tenants: `artifact 1a2b3c4d5e6f`, `commit 1a2b3c4` or `files 1a2b3c4d5e6f`. */
  label: string;
}

export interface ReloadSummary {
  /** The most recent reload (any trigger). */
  id: string;
  status: string;
  /** When it ended (or was created, while it runs). */
  time: string;
  durationMs?: number;
  /** Reloads that ended FAILED or EXCEEDED_LIMIT within the window (among the latest 100). */
  failedInWindow: number;
}

export interface AppEstate {
  app: string;
  appId?: string;
  status: VersionStatus;
  version?: DeployedVersion;
  /** Absent for a missing app; `null` when the app was never reloaded. */
  reload?: ReloadSummary | null;
  /** One sentence when this app could not be read (the rest of the tenant was). */
  error?: string;
}

export interface DriftCounts {
  differences: number;
  /** People (not service accounts) holding an admin role. */
  interactiveAdmins: number;
  /** Differences per area (users, spaces, …). */
  areas: Record<string, number>;
}

export interface TenantEstate {
  name: string;
  url: string;
  region?: string;
  labels: readonly string[];
  access: "ok" | "unreachable" | "bad-credentials";
  /** One sentence when the tenant could not be read. */
  error?: string;
  apps: AppEstate[];
  drift?: DriftCounts;
  /** One sentence when the drift could not be read. */
  driftError?: string;
  /** Sorted; empty when all is well. */
  problems: EstateProblem[];
}

export interface VersionGroup {
  app: string;
  /** The version's label, or the status for tenants without one (`missing`, `unknown`, `unreadable`). */
  label: string;
  status: VersionStatus | "unreadable";
  commit?: string;
  commitTime?: string;
  artifactDigest?: string;
  tenants: number;
}

export interface EstateReport {
  version: 1;
  checkedAt: string;
  space: string;
  apps: string[];
  /** Expected version per app (absent: not compared). */
  expected: Record<string, string>;
  reloadWindowHours: number;
  shard?: string;
  /** Tenants the selector left out. */
  excluded: number;
  counts: {
    tenants: number;
    /** Tenants with each problem. */
    problems: Record<EstateProblem, number>;
    /** Tenants with no problem. */
    healthy: number;
  };
  versions: VersionGroup[];
  /** Problems first, then by name. */
  tenants: TenantEstate[];
  /** Tenants where some app is not current (the file rollout-canary's `tenants-from` reads). */
  notCurrent: string[];
}
