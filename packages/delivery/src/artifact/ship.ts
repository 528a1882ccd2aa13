/**
 * shipArtifact: puts one tested app export into a managed space. Import into the staging space (a new
 * app every time; the staging app it supersedes is deleted), the target's own parameters only when they
 * differ from what the app has, the deployment record naming the artifact, then publish — or republish
 * over the published copy, so the consumers' app keeps its id while the source app id changes with
 * every import — reload, and verify: the published app's deployment record names this artifact's
 * digest. A target already running the artifact (same digest, same parameters, last reload succeeded)
 * costs four reads and no QIX session.
 */
import { ConfigError, silentLogger, type Logger } from "@qlik-cicd/common";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import {
  appUrl,
  findAppItem,
  findAppsByName,
  findAppsByNameIn,
  singleApp,
  type AppItem,
} from "../deploy/apps.ts";
import { DeployFailedError, DeployVerificationError } from "../deploy/deploy-app.ts";
import {
  newDeploymentRecord,
  readDeploymentRecord,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "../deploy/deployment-record.ts";
import { loadParametersFile, resolveParameters, type ResolvedParameters } from "../deploy/parameters.ts";
import { publishToSpace, reloadPublished, republishOver, retryWhileForbidden } from "../deploy/publish.ts";
import { lastReload, reloadApp } from "../deploy/reload.ts";
import {
  createSharedSpace,
  findSpace,
  findStagingSpace,
  listSpaces,
  spaceNotFound,
} from "../deploy/spaces.ts";
import type {
  DeployPlan,
  DeployResult,
  DeployStep,
  ProvenanceInput,
  ReloadOutcome,
  SpaceRef,
} from "../deploy/types.ts";
import { deleteAppIfPresent, exportAppFile, importAppFile } from "./app-file.ts";
import { makeArtifact, shortDigest, type AppArtifact, type ArtifactStore } from "./artifact-file.ts";
import { applyTenantParameters, hasParameters, parametersDigest } from "./tenant-parameters.ts";

export interface ShipOptions {
  /** The managed target space (name or id). */
  space: string;
  /** Shared space that holds the staging app; default `<space>-staging`. */
  stagingSpace?: string;
  /** Default: the manifest's app name. */
  appName?: string;
  /** Parameters file; its section for `environment` (default the space's name) is applied. */
  parameters?: string;
  environment?: string;
  env?: Record<string, string | undefined>;
  /** Secret the parameters digest is keyed with (the tenant's credential). */
  parametersKey?: string;
  reload?: boolean;
  reloadTimeoutMinutes?: number;
  reloadPollIntervalMs?: number;
  publishAccessTimeoutMs?: number;
  provenance?: ProvenanceInput;
  dryRun?: boolean;
  /** Ship the previous artifact back when the reload or verification fails (needs the store). */
  rollbackOnFailure?: boolean;
  /** Files larger than this are uploaded to temp-contents first. */
  uploadThresholdBytes?: number;
  /** Look up the published app's item id for the result (one more read; default true). */
  lookupItem?: boolean;
}

export interface ShipDeps {
  logger?: Logger;
  /** Keeps shipped and replaced artifacts so a rollback can ship them again. */
  store?: ArtifactStore;
  /** Parameters already resolved by the caller (a rollout resolves each tenant's once); null: none. */
  resolvedParameters?: ResolvedParameters | null;
  /** Where `resolvedParameters` came from, for messages (e.g. the inventory and tenant). */
  parametersLabel?: string;
  /**
   * Called once the version being replaced is known and kept, before anything changes on the target
   * (a rollout records it, so a tenant that fails half way can still be rolled back).
   */
  beforeChange?: (info: { previousArtifactDigest?: string }) => Promise<void>;
}

export interface ShipResult extends DeployResult {
  artifactDigest: string;
  /** The artifact the consumers' app ran before (when it names one). */
  previousArtifactDigest?: string;
  /** Whether the artifact was imported in this run (false: a staging app already held it). */
  imported: boolean;
  /** Whether the target's parameters were set over QIX in this run. */
  parametersApplied: boolean;
  /** When the version the target runs was deployed (its record's time), when nothing had to change. */
  runningSince?: string;
}

const DEFAULT_PUBLISH_ACCESS_MS = 150_000;

interface Target {
  space: SpaceRef;
  stagingName: string;
  staging?: SpaceRef;
  published?: AppItem;
  record?: DeploymentRecord;
  /** The apps named like the target in the staging space. */
  stagingApps: AppItem[];
}

async function readTarget(
  client: QlikClient,
  options: ShipOptions,
  appName: string,
  accessMs: number,
  logger: Logger,
): Promise<Target> {
  const spaces = await listSpaces(client);
  const wanted = options.space.trim();
  const space = findSpace(spaces, wanted);
  if (!space) throw spaceNotFound(wanted, client.tenantName, spaces);
  if (space.type !== "managed") {
    throw new ConfigError(
      `Space '${space.name}' is a ${space.type} space; an artifact is shipped to a managed space (a shared space's app would get a new id with every import): deploy from files there instead.`,
      { field: "space" },
    );
  }
  const { name: stagingName, space: staging } = findStagingSpace(spaces, space, options.stagingSpace);
  // One items query finds the published copy and the staging apps.
  const named = await findAppsByNameIn(client, staging ? [space.id, staging.id] : [space.id], appName);
  const published = singleApp(named.get(space.id) ?? [], space.name, appName);
  const record = published
    ? await retryWhileForbidden(() => readDeploymentRecord(client, published.appId), {
        timeoutMs: accessMs,
        logger,
        what: `app ${published.appId}`,
      })
    : undefined;
  return {
    space,
    stagingName,
    ...(staging ? { staging } : {}),
    ...(published ? { published } : {}),
    ...(record ? { record } : {}),
    stagingApps: staging ? (named.get(staging.id) ?? []) : [],
  };
}

function planSteps(
  target: Target,
  appName: string,
  reuse: boolean,
  params: boolean,
  reload: boolean,
): DeployStep[] {
  const steps: DeployStep[] = [];
  if (!target.staging)
    steps.push({ kind: "create-space", description: `Create shared staging space '${target.stagingName}'` });
  if (!reuse) {
    steps.push({
      kind: "import",
      description: `Import the artifact into '${target.stagingName}' as '${appName}' and delete the staging app it supersedes`,
    });
  }
  if (params)
    steps.push({ kind: "apply-parameters", description: "Set this target's parameters on the staging app" });
  steps.push(
    target.published
      ? {
          kind: "republish",
          description: `Republish over '${appName}' (${target.published.appId}) in managed space '${target.space.name}', keeping its id`,
        }
      : { kind: "publish", description: `Publish '${appName}' to managed space '${target.space.name}'` },
  );
  if (reload)
    steps.push({ kind: "reload", description: `Reload '${appName}' in space '${target.space.name}'` });
  steps.push({
    kind: "verify",
    description: "Read the published app's deployment record: it must name this artifact",
  });
  return steps;
}

/**
 * Whether staging app `app` is the one the consumers' app was last published from, not changed since,
 * with a record naming an artifact: then it holds that artifact, and its record is the published one
 * (a record travels with the publish), so reading it again is not needed. An import always makes a new
 * app and the record's artifact is never rewritten, so only a later change of the app (a save, a build
 * from files) could make them differ; the app's modified time must be before the publish time (both
 * the tenant's clock). When an attribute is missing, the record is read.
 */
function publishedUnchanged(target: Target, app: AppItem): boolean {
  const published = target.published?.attributes;
  const modified = Date.parse(app.attributes?.modifiedDate ?? "");
  const publishedAt = Date.parse(published?.publishTime ?? "");
  return !!target.record?.artifactDigest && published?.originAppId === app.appId && modified < publishedAt;
}

/** Reads the published app's record until it names `digest` (or fails verification). */
async function verifyRecord(
  client: QlikClient,
  appId: string,
  digest: string,
  accessMs: number,
  logger: Logger,
): Promise<void> {
  const record = await retryWhileForbidden(() => readDeploymentRecord(client, appId), {
    timeoutMs: accessMs,
    logger,
    what: `app ${appId}`,
  });
  if (record?.artifactDigest !== digest) {
    throw new DeployVerificationError(
      `Verification failed: app ${appId} does not run artifact ${shortDigest(digest)} after the deploy (its record names ${record?.artifactDigest ? shortDigest(record.artifactDigest) : "no artifact"}).`,
      [],
      { hint: "Run the deploy again; if it fails the same way, check who else publishes to this app." },
    );
  }
  logger.info(`Verified: app ${appId} runs artifact ${shortDigest(digest)}.`);
}

/**
 * Keeps the version the consumers' app runs before it is replaced, when it was deployed from files
 * (its record names no artifact): the staging app it was published from is exported into the store.
 * Returns that version's digest, or undefined when it cannot be kept.
 */
async function keepFilesVersion(
  client: QlikClient,
  store: ArtifactStore,
  record: DeploymentRecord,
  stagingApps: readonly { app: AppItem; record?: DeploymentRecord }[],
  appName: string,
  logger: Logger,
): Promise<string | undefined> {
  const source = stagingApps.find((s) => s.record?.sourceDigest === record.sourceDigest);
  if (!source) return undefined;
  try {
    const bytes = await exportAppFile(client, source.app.appId);
    const previous = makeArtifact(bytes, {
      appName,
      sourceDigest: record.sourceDigest,
      ...(record.commit ? { commit: record.commit } : {}),
      ...(record.commitTime ? { commitTime: record.commitTime } : {}),
      createdAt: record.deployedAt,
    });
    store.save(previous);
    logger.info(
      `Kept the replaced version (deployed from files) as artifact ${shortDigest(previous.manifest.artifactDigest)}.`,
    );
    return previous.manifest.artifactDigest;
  } catch (error) {
    logger.warn(`Could not keep the replaced version for rollback: ${(error as Error).message}`);
    return undefined;
  }
}

/** Ships `artifact` to one managed space of the tenant `client` talks to. */
export async function shipArtifact(
  client: QlikClient,
  artifact: AppArtifact,
  options: ShipOptions,
  deps: ShipDeps = {},
): Promise<ShipResult> {
  const logger = deps.logger ?? silentLogger;
  if (!options.space?.trim())
    throw new ConfigError("Input 'space' is required: the target space's name or id.", { field: "space" });
  const digest = artifact.manifest.artifactDigest;
  const appName = options.appName?.trim() || artifact.manifest.appName;
  const reload = options.reload ?? true;
  const accessMs = options.publishAccessTimeoutMs ?? DEFAULT_PUBLISH_ACCESS_MS;
  const parametersFile = options.parameters ? loadParametersFile(options.parameters) : undefined;

  const target = await readTarget(client, options, appName, accessMs, logger);
  const environment = options.environment ?? target.space.name;
  const params =
    deps.resolvedParameters !== undefined
      ? (deps.resolvedParameters ?? undefined)
      : parametersFile
        ? resolveParameters(parametersFile, environment, options.env ?? process.env, {
            required: options.environment !== undefined,
          })
        : undefined;
  const paramsDigest = parametersDigest(params, options.parametersKey ?? "");
  const record = target.record;
  const running = record?.artifactDigest === digest && record.parametersDigest === paramsDigest;
  let last: ReloadOutcome | undefined;
  if (running && reload && target.published) last = await lastReload(client, target.published.appId);
  const resumeReload = running && reload && last?.status !== "SUCCEEDED";

  const publishedId = target.published?.appId ?? "";
  const planBase: DeployPlan = {
    tenant: client.tenantName,
    appName,
    mode: "managed",
    space: target.space,
    stagingSpace: target.staging ?? { id: "", name: target.stagingName, type: "shared" },
    ...(params ? { environment } : {}),
    changes: [],
    steps: [],
    changed: !running || resumeReload,
    dryRun: options.dryRun ?? false,
    rollback: false,
  };
  const base: ShipResult = {
    appId: "",
    ...(publishedId ? { publishedAppId: publishedId } : {}),
    itemId: target.published?.itemId ?? "",
    appUrl: appUrl(client.tenantUrl, publishedId),
    changed: planBase.changed,
    plan: planBase,
    verified: running && !resumeReload,
    artifactDigest: digest,
    ...(record?.artifactDigest && record.artifactDigest !== digest
      ? { previousArtifactDigest: record.artifactDigest }
      : running && record?.previous?.artifactDigest
        ? { previousArtifactDigest: record.previous.artifactDigest }
        : {}),
    ...(running && record ? { runningSince: record.deployedAt } : {}),
    imported: false,
    parametersApplied: false,
  };

  if (running && !resumeReload) {
    logger.info(
      `'${appName}' in '${target.space.name}' already runs artifact ${shortDigest(digest)}: nothing to do.`,
    );
    return base;
  }
  if (running) {
    planBase.steps = [
      {
        kind: "reload",
        description: `Reload '${appName}' in space '${target.space.name}' (its last reload did not succeed)`,
      },
      {
        kind: "verify",
        description: "Read the published app's deployment record: it must name this artifact",
      },
    ];
    if (options.dryRun) return { ...base, verified: false };
    const result: ShipResult = { ...base, verified: false };
    result.reload = await reloadApp(client, publishedId, {
      timeoutMs: (options.reloadTimeoutMinutes ?? 30) * 60_000,
      pollIntervalMs: options.reloadPollIntervalMs,
      logger,
    });
    await verifyRecord(client, publishedId, digest, accessMs, logger);
    return { ...result, verified: true };
  }

  // The staging apps named like the target: one may already hold this artifact (an earlier attempt).
  // The one the consumers' app was published from, unchanged since, holds the published record.
  const stagingApps = target.staging
    ? await Promise.all(
        target.stagingApps.map(async (app) => {
          const r = publishedUnchanged(target, app)
            ? record
            : await readDeploymentRecord(client, app.appId).catch(() => undefined);
          return { app, ...(r ? { record: r } : {}) };
        }),
      )
    : [];
  // A staging app that already holds this artifact is used again, unless it carries parameters this
  // target no longer has (those are only ever set, never taken away: a fresh import has none).
  const reuse = stagingApps.find(
    (s) =>
      s.record?.artifactDigest === digest &&
      (hasParameters(params) || s.record.parametersDigest === undefined),
  );
  const needParams = hasParameters(params) && reuse?.record?.parametersDigest !== paramsDigest;
  planBase.steps = planSteps(target, appName, !!reuse, needParams, reload);
  if (options.dryRun) {
    logger.info(`Dry run: ${planBase.steps.length} steps would run.`);
    return { ...base, verified: false };
  }

  // Keep what consumers have now, so a rollback (now or in a later run) can ship it again.
  let previousDigest = record?.artifactDigest;
  if (deps.store) {
    deps.store.save(artifact);
    if (record && !previousDigest)
      previousDigest = await keepFilesVersion(client, deps.store, record, stagingApps, appName, logger);
  }

  await deps.beforeChange?.({ ...(previousDigest ? { previousArtifactDigest: previousDigest } : {}) });
  const stagingSpace = target.staging ?? (await createSharedSpace(client, target.stagingName));
  let staging: AppItem;
  let recovered = false;
  if (reuse) {
    staging = reuse.app;
    logger.info(
      `Staging app ${staging.appId} already holds artifact ${shortDigest(digest)}; not importing again.`,
    );
  } else {
    const imported = await importAppFile(client, {
      bytes: artifact.bytes,
      spaceId: stagingSpace.id,
      name: appName,
      before: stagingApps.map((s) => s.app),
      ...(options.uploadThresholdBytes !== undefined ? { thresholdBytes: options.uploadThresholdBytes } : {}),
      logger,
    });
    recovered = imported.recovered === true;
    staging = {
      appId: imported.appId,
      itemId: imported.itemId,
      name: imported.name,
      spaceId: imported.spaceId,
    };
    logger.info(`Imported artifact ${shortDigest(digest)} into '${stagingSpace.name}' as ${staging.appId}.`);
  }
  // One staging app per target: the ones the import superseded go (an app a lost answer created too).
  for (const s of stagingApps)
    if (s.app.appId !== staging.appId) await deleteAppIfPresent(client, s.app.appId);
  // An import whose answer was lost may have been applied more than once: list again only then.
  const leftovers = recovered
    ? (await findAppsByName(client, stagingSpace.id, appName)).filter(
        (a) => a.appId !== staging.appId && !stagingApps.some((s) => s.app.appId === a.appId),
      )
    : [];
  for (const a of leftovers) await deleteAppIfPresent(client, a.appId);

  if (needParams && params) {
    await client.withApp(staging.appId, (doc) =>
      applyTenantParameters(client, staging.appId, doc, params, {
        file: options.parameters ?? deps.parametersLabel ?? "parameters",
        logger,
      }),
    );
  }
  const provenance = options.provenance ?? {};
  // The commit (and its time) the artifact was built from, when its manifest names one.
  const origin = artifact.manifest.commit
    ? { commit: artifact.manifest.commit, commitTime: artifact.manifest.commitTime }
    : { commit: provenance.commit, commitTime: provenance.commitTime };
  const newRecord = newDeploymentRecord(
    {
      appName,
      sourceDigest: artifact.manifest.sourceDigest,
      artifactDigest: digest,
      ...(paramsDigest ? { parametersDigest: paramsDigest } : {}),
    },
    { ...provenance, ...origin },
    record,
    previousDigest,
  );
  // Written before publishing so the published copy carries it; it is also what verification reads.
  await writeDeploymentRecord(client, staging.appId, newRecord, { likelyAbsent: !reuse });

  let deployedId: string;
  if (target.published) {
    deployedId = await republishOver(client, staging.appId, target.published.appId, appName);
    logger.info(`Republished over '${appName}' (${deployedId}) in '${target.space.name}'.`);
  } else {
    deployedId = await publishToSpace(client, staging.appId, target.space.id, appName, logger);
    logger.info(`Published '${appName}' to '${target.space.name}' as ${deployedId}.`);
  }
  const item =
    (options.lookupItem ?? true)
      ? await retryWhileForbidden(() => findAppItem(client, deployedId), {
          timeoutMs: accessMs,
          logger,
          what: `app ${deployedId}`,
        })
      : undefined;
  const result: ShipResult = {
    ...base,
    appId: staging.appId,
    publishedAppId: deployedId,
    itemId: item?.itemId ?? target.published?.itemId ?? "",
    appUrl: appUrl(client.tenantUrl, deployedId),
    changed: true,
    verified: false,
    imported: !reuse,
    parametersApplied: needParams,
    ...(previousDigest ? { previousArtifactDigest: previousDigest } : {}),
  };
  try {
    if (reload) {
      result.reload = await reloadPublished(client, deployedId, options, accessMs, logger);
    }
    await verifyRecord(client, deployedId, digest, accessMs, logger);
    result.verified = true;
    return result;
  } catch (error) {
    const failedReload = (error as { reload?: ReloadOutcome }).reload;
    if (failedReload) result.reload = failedReload;
    if (!options.rollbackOnFailure) throw error;
    const previous = previousDigest ? deps.store?.load(previousDigest) : undefined;
    if (!previous) {
      throw new DeployFailedError(
        `${(error as Error).message} There is no previous artifact to roll back to${previousDigest ? ` (${shortDigest(previousDigest)} is not kept in the rollback store)` : ""}.`,
        { cause: error, ...(result.reload ? { reload: result.reload } : {}), rolledBack: false },
      );
    }
    logger.warn(
      `Deploy failed; shipping the previous artifact ${shortDigest(previousDigest as string)} back.`,
    );
    try {
      await shipArtifact(client, previous, { ...options, rollbackOnFailure: false }, deps);
    } catch (rollbackError) {
      throw new DeployFailedError(
        `${(error as Error).message} Rolling back also failed: ${(rollbackError as Error).message}`,
        { cause: error, ...(result.reload ? { reload: result.reload } : {}), rolledBack: false },
      );
    }
    throw new DeployFailedError(
      `${(error as Error).message} Rolled back '${appName}' to the previous artifact.`,
      {
        cause: error,
        ...(result.reload ? { reload: result.reload } : {}),
        rolledBack: true,
      },
    );
  }
}

/**
 * Ships the artifact the consumers' app ran before the current one (its record's `previous`), from the
 * store; `to` names the digest to go back to when the caller knows it (a rollout's state). Fails with
 * one sentence when there is none or when the store no longer has it.
 */
export async function rollbackArtifact(
  client: QlikClient,
  store: ArtifactStore,
  options: ShipOptions & { to?: string },
  deps: Omit<ShipDeps, "store"> = {},
): Promise<ShipResult> {
  let to = options.to;
  const appName = options.appName?.trim() ?? "";
  if (!to) {
    if (!appName)
      throw new ConfigError("Set 'app-name' to say which app to roll back.", { field: "app-name" });
    const target = await readTarget(
      client,
      options,
      appName,
      options.publishAccessTimeoutMs ?? DEFAULT_PUBLISH_ACCESS_MS,
      deps.logger ?? silentLogger,
    );
    to = target.record?.previous?.artifactDigest;
    if (!to) {
      throw new ConfigError(
        `App '${appName}' in space '${target.space.name}' records no previous artifact to roll back to (first deploy, or the version before was never kept); deploy the earlier version from its commit instead.`,
        { field: "rollback" },
      );
    }
  }
  const previous = store.load(to);
  if (!previous) {
    throw new ConfigError(
      `The previous artifact ${shortDigest(to)} of '${appName || "the app"}' is not in the rollback store '${store.dir}'; restore that folder from the run that shipped it, or deploy the earlier version from its commit.`,
      { field: "rollback-dir" },
    );
  }
  const result = await shipArtifact(
    client,
    previous,
    { ...options, rollbackOnFailure: false },
    { ...deps, store },
  );
  return { ...result, rolledBack: true };
}
