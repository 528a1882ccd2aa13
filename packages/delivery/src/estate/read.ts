/**
 * readEstate: which version of each app every customer tenant runs, and whether it is healthy — read
 * from the tenants themselves, never written to. Per tenant: the spaces (reachable, credentials valid),
 * per app the app by name, its deployment record (one GET, no QIX session) and its latest reloads; on
 * request the blueprint drift (counts only, through the injected `drift`). Tenants come from the
 * rollout's inventory, selector and shards; they are read up to `maxParallel` at a time with one
 * QlikClient each, so each tenant's rate budget is respected as in a rollout.
 */
import { getReloads } from "@qlik/api/reloads";
import { ConfigError, describeError, mapLimit, plural, silentLogger, type Logger } from "@qlik-cicd/common";
import {
  QlikClient,
  QlikForbiddenError,
  QlikUnauthorizedError,
  type QlikClientOptions,
} from "@qlik-cicd/qlik-client";
import { findAppsByName } from "../deploy/apps.ts";
import { readDeploymentRecord, type DeploymentRecord } from "../deploy/deployment-record.ts";
import { findSpace, listSpaces } from "../deploy/spaces.ts";
import { loadInventory, resolveConnection, TENANT_CONNECTIONS } from "../rollout/inventory.ts";
import { planWaves } from "../rollout/plan.ts";
import type { InventoryTenant } from "../rollout/types.ts";
import type {
  AppEstate,
  DeployedVersion,
  DriftCounts,
  EstateProblem,
  EstateReport,
  ReloadSummary,
  TenantEstate,
  VersionGroup,
  VersionStatus,
} from "./types.ts";
import { PROBLEMS } from "./types.ts";

export interface EstateInput {
  /** Path of the tenant inventory YAML (the rollout's). */
  tenantsFile: string;
  /** The space the apps live in, by name or id. */
  space: string;
  /** App names (one or more). */
  apps: string[];
  /** Only these tenants (comma separated selectors, as the rollout's). */
  selector?: string;
  /** `i/n`: this job's share of the estate (the rollout's sharding). */
  shard?: string;
  /** Expected version per app: an artifact digest, a commit (7+ characters) or a source digest. */
  expected?: Record<string, string>;
  /** A reload that failed within this many hours is a problem (default 24). */
  reloadWindowHours?: number;
  /** Tenants read at the same time (default 20). */
  maxParallel?: number;
  env?: Record<string, string | undefined>;
  client?: QlikClientOptions;
  now?: () => Date;
}

export interface EstateDeps {
  logger?: Logger;
  /** The blueprint drift of one tenant, counts only (configure-tenant's drift, read only). */
  drift?: (client: QlikClient, tenant: InventoryTenant) => Promise<DriftCounts>;
}

const FAILED_RELOAD = new Set(["FAILED", "EXCEEDED_LIMIT"]);
/** Reloads read per app: the latest one and the failures within the window among these. */
const RELOADS_READ = 100;

const stripAlgorithm = (digest: string): string =>
  digest
    .trim()
    .replace(/^sha256:/i, "")
    .toLowerCase();

/** Whether a deployment record is the expected version (artifact digest, commit prefix or source digest). */
export function matchesVersion(record: DeploymentRecord, expected: string): boolean {
  const e = stripAlgorithm(expected);
  if (!e) return false;
  if (record.artifactDigest && stripAlgorithm(record.artifactDigest) === e) return true;
  if (record.commit && e.length >= 7 && record.commit.toLowerCase().startsWith(e)) return true;
  return stripAlgorithm(record.sourceDigest) === e;
}

/** The label tenants are grouped by: the artifact, else the commit, else the source files' digest. */
export function versionLabel(record: DeploymentRecord): string {
  if (record.artifactDigest) return `artifact ${stripAlgorithm(record.artifactDigest).slice(0, 12)}`;
  if (record.commit) return `commit ${record.commit.slice(0, 7)}`;
  return `files ${stripAlgorithm(record.sourceDigest).slice(0, 12)}`;
}

/**
 * `expected-version`: one value for every app, or `App name=value` items (one per app, any order).
 * Throws a ConfigError naming the input for an app that is not in `apps`.
 */
export function parseExpectedVersions(
  items: readonly string[] | undefined,
  apps: readonly string[],
  field = "expected-version",
): Record<string, string> {
  if (!items?.length) return {};
  if (items.length === 1 && !items[0].includes("=")) {
    return Object.fromEntries(apps.map((a) => [a, items[0].trim()]));
  }
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.lastIndexOf("=");
    const app = at > 0 ? item.slice(0, at).trim() : "";
    const value = at > 0 ? item.slice(at + 1).trim() : "";
    if (!app || !value) {
      throw new ConfigError(
        `Input '${field}': '${item}' is not '<app name>=<version>'; give one version for every app, or one such item per app.`,
        { field },
      );
    }
    if (!apps.includes(app)) {
      throw new ConfigError(
        `Input '${field}' names app '${app}', which is not in 'app-name' (${apps.map((a) => `'${a}'`).join(", ")}).`,
        { field },
      );
    }
    out[app] = value;
  }
  return out;
}

function deployedVersion(record: DeploymentRecord): DeployedVersion {
  return {
    label: versionLabel(record),
    sourceDigest: record.sourceDigest,
    ...(record.artifactDigest ? { artifactDigest: record.artifactDigest } : {}),
    ...(record.commit ? { commit: record.commit } : {}),
    ...(record.commitTime ? { commitTime: record.commitTime } : {}),
    ...(record.ref ? { ref: record.ref } : {}),
    ...(record.runUrl ? { runUrl: record.runUrl } : {}),
    deployedAt: record.deployedAt,
  };
}

async function readReloads(client: QlikClient, appId: string, since: number): Promise<ReloadSummary | null> {
  const res = await client.call(
    { tier: "read", method: "GET", resource: "/api/v1/reloads", operation: "list reloads" },
    (opts) => getReloads({ appId, limit: RELOADS_READ, sort: "-creationTime" }, opts),
  );
  const list = res.data.data ?? [];
  const latest = list[0];
  if (!latest) return null;
  const failedInWindow = list.filter(
    (r) => FAILED_RELOAD.has(r.status) && Date.parse(r.endTime ?? r.creationTime) >= since,
  ).length;
  const start = latest.startTime ? Date.parse(latest.startTime) : NaN;
  const end = latest.endTime ? Date.parse(latest.endTime) : NaN;
  return {
    id: latest.id,
    status: latest.status,
    time: latest.endTime ?? latest.creationTime,
    ...(Number.isFinite(end - start) ? { durationMs: end - start } : {}),
    failedInWindow,
  };
}

function accessOf(error: unknown): TenantEstate["access"] {
  return error instanceof QlikUnauthorizedError || error instanceof QlikForbiddenError
    ? "bad-credentials"
    : "unreachable";
}

function problemsOf(t: Omit<TenantEstate, "problems">): EstateProblem[] {
  const out = new Set<EstateProblem>();
  if (t.access !== "ok") out.add(t.access);
  for (const a of t.apps) {
    if (a.error) out.add("unreachable");
    else if (a.status === "other" || a.status === "unknown" || a.status === "missing") out.add("not-current");
    if (a.reload && (FAILED_RELOAD.has(a.reload.status) || a.reload.failedInWindow > 0)) {
      out.add("failed-reload");
    }
  }
  if (t.driftError || (t.drift && t.drift.differences + t.drift.interactiveAdmins > 0)) out.add("drift");
  return PROBLEMS.filter((p) => out.has(p));
}

/** Whether a tenant belongs in the not-current list: readable, and some app is not the expected version. */
function isNotCurrent(t: TenantEstate): boolean {
  return t.access === "ok" && t.apps.some((a) => ["other", "unknown", "missing"].includes(a.status));
}

const GROUP_ORDER: Record<VersionGroup["status"], number> = {
  current: 0,
  recorded: 1,
  other: 2,
  unknown: 3,
  missing: 4,
  unreadable: 5,
};

function versionGroups(apps: readonly string[], tenants: readonly TenantEstate[]): VersionGroup[] {
  const groups = new Map<string, VersionGroup>();
  for (const t of tenants) {
    for (const app of apps) {
      const a = t.apps.find((x) => x.app === app);
      const readable = t.access === "ok" && a && !a.error;
      const status: VersionGroup["status"] = readable ? a.status : "unreadable";
      const label = readable && a.version ? a.version.label : status;
      const key = `${app}\u0000${status}\u0000${label}`;
      const group = groups.get(key);
      if (group) group.tenants++;
      else {
        const v = readable ? a.version : undefined;
        groups.set(key, {
          app,
          label,
          status,
          ...(v?.commit ? { commit: v.commit } : {}),
          ...(v?.commitTime ? { commitTime: v.commitTime } : {}),
          ...(v?.artifactDigest ? { artifactDigest: v.artifactDigest } : {}),
          tenants: 1,
        });
      }
    }
  }
  return [...groups.values()].sort(
    (x, y) =>
      apps.indexOf(x.app) - apps.indexOf(y.app) ||
      GROUP_ORDER[x.status] - GROUP_ORDER[y.status] ||
      y.tenants - x.tenants ||
      (x.label < y.label ? -1 : x.label > y.label ? 1 : 0),
  );
}

function checkInput(input: EstateInput): void {
  if (!input.space?.trim()) throw new ConfigError("Input 'space' is required.", { field: "space" });
  if (!input.apps.length || input.apps.some((a) => !a.trim())) {
    throw new ConfigError("Input 'app-name' must name at least one app.", { field: "app-name" });
  }
  const p = input.maxParallel;
  if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > 1000)) {
    throw new ConfigError(`Input 'max-parallel' must be a whole number from 1 to 1000, got ${p}.`, {
      field: "max-parallel",
    });
  }
  const h = input.reloadWindowHours;
  if (h !== undefined && !(h > 0 && h <= 24 * 90)) {
    throw new ConfigError(`Input 'reload-window-hours' must be above 0 and at most 2160, got ${h}.`, {
      field: "reload-window-hours",
    });
  }
}

/** Reads the estate. Tenant failures are reported in the result, never thrown; bad input throws first. */
export async function readEstate(input: EstateInput, deps: EstateDeps = {}): Promise<EstateReport> {
  const logger = deps.logger ?? silentLogger;
  checkInput(input);
  const env = input.env ?? process.env;
  const now = input.now ?? (() => new Date());
  const inventory = loadInventory(input.tenantsFile, env);
  const plan = planWaves(inventory.tenants, { selector: input.selector, shard: input.shard });
  const tenants = plan.waves.flatMap((w) => w.tenants);
  const space = input.space.trim();
  const apps = input.apps.map((a) => a.trim());
  const expected = input.expected ?? {};
  const windowHours = input.reloadWindowHours ?? 24;
  const checkedAt = now();
  const since = checkedAt.getTime() - windowHours * 3_600_000;
  logger.info(
    `Reading ${plural(tenants.length, "tenant")} (${plural(apps.length, "app")} in space '${space}'), up to ${input.maxParallel ?? 20} at a time.`,
  );

  const readApp = async (
    client: QlikClient,
    spaceId: string | undefined,
    app: string,
  ): Promise<AppEstate> => {
    if (!spaceId) return { app, status: "missing" };
    let appId: string | undefined;
    try {
      appId = (await findAppsByName(client, spaceId, app))[0]?.appId;
      if (!appId) return { app, status: "missing" };
      // One after the other: both reuse the tenant's one kept-alive connection (in parallel the second
      // would open another, a TLS handshake on a real tenant, which costs more CPU than the wait).
      const record = await readDeploymentRecord(client, appId);
      const reload = await readReloads(client, appId, since);
      let status: VersionStatus = "unknown";
      if (record)
        status = expected[app] ? (matchesVersion(record, expected[app]) ? "current" : "other") : "recorded";
      return { app, appId, status, ...(record ? { version: deployedVersion(record) } : {}), reload };
    } catch (error) {
      return { app, ...(appId ? { appId } : {}), status: "unknown", error: describeError(error) };
    }
  };

  const readTenant = async (tenant: InventoryTenant): Promise<TenantEstate> => {
    const base = {
      name: tenant.name,
      url: tenant.url,
      ...(tenant.region ? { region: tenant.region } : {}),
      labels: tenant.labels,
    };
    const client = new QlikClient(resolveConnection(tenant, env), {
      ...TENANT_CONNECTIONS,
      ...input.client,
      logger: silentLogger,
    });
    try {
      let spaceId: string | undefined;
      try {
        spaceId = findSpace(await listSpaces(client), space)?.id;
      } catch (error) {
        const t = { ...base, access: accessOf(error), error: describeError(error), apps: [] };
        logger.warn(`${tenant.name}: ${t.error}`);
        return { ...t, problems: problemsOf(t) };
      }
      // Apps and drift one after the other, on the tenant's one connection (see readApp).
      const appStates: AppEstate[] = [];
      for (const app of apps) appStates.push(await readApp(client, spaceId, app));
      const drift = deps.drift
        ? await deps.drift(client, tenant).then(
            (counts) => ({ drift: counts }),
            (error: unknown) => ({ driftError: describeError(error) }),
          )
        : {};
      const t = { ...base, access: "ok" as const, apps: appStates, ...drift };
      // No line per healthy tenant: at a thousand tenants the log would be the report again.
      return { ...t, problems: problemsOf(t) };
    } finally {
      await client.close();
    }
  };

  const read = await mapLimit(tenants, input.maxParallel ?? 20, readTenant);
  return buildEstateReport(read, {
    checkedAt: checkedAt.toISOString(),
    space,
    apps,
    expected,
    reloadWindowHours: windowHours,
    ...(plan.shard ? { shard: `${plan.shard.index}/${plan.shard.count}` } : {}),
    excluded: plan.excluded.length,
  });
}

/** The report over tenants already read (also merges shards' tenants). */
export function buildEstateReport(
  tenants: readonly TenantEstate[],
  head: Pick<EstateReport, "checkedAt" | "space" | "apps" | "expected" | "reloadWindowHours" | "excluded"> &
    Partial<Pick<EstateReport, "shard">>,
): EstateReport {
  const problems = Object.fromEntries(PROBLEMS.map((p) => [p, 0])) as Record<EstateProblem, number>;
  let healthy = 0;
  for (const t of tenants) {
    for (const p of t.problems) problems[p]++;
    if (!t.problems.length) healthy++;
  }
  const byName = (a: TenantEstate, b: TenantEstate) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const sorted = [
    ...tenants.filter((t) => t.problems.length).sort(byName),
    ...tenants.filter((t) => !t.problems.length).sort(byName),
  ];
  return {
    version: 1,
    ...head,
    counts: { tenants: tenants.length, problems, healthy },
    versions: versionGroups(head.apps, sorted),
    tenants: sorted,
    notCurrent: sorted
      .filter(isNotCurrent)
      .map((t) => t.name)
      .sort(),
  };
}

/**
 * One report from the reports of shards (matrix jobs with `shard: i/n`): their tenants together, counted
 * again. Reports of another space, other apps or another expected version are refused.
 */
export function mergeEstateReports(reports: readonly EstateReport[], field = "merge-reports"): EstateReport {
  if (!reports.length) throw new ConfigError(`Input '${field}' names no reports.`, { field });
  const [first] = reports;
  const key = (r: EstateReport) => JSON.stringify([r.space, r.apps, r.expected, r.reloadWindowHours]);
  const other = reports.find((r) => key(r) !== key(first));
  if (other) {
    throw new ConfigError(
      `Input '${field}': the reports are of different reads (space '${first.space}' and '${other.space}', or other apps, expected versions or windows); merge the shards of one run.`,
      { field },
    );
  }
  const tenants = new Map<string, TenantEstate>();
  for (const r of reports) for (const t of r.tenants) if (!tenants.has(t.name)) tenants.set(t.name, t);
  return buildEstateReport([...tenants.values()], {
    checkedAt: reports.map((r) => r.checkedAt).sort()[0],
    space: first.space,
    apps: first.apps,
    expected: first.expected,
    reloadWindowHours: first.reloadWindowHours,
    excluded: first.excluded,
  });
}
