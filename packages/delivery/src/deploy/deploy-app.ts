/**
 * deployApp: one app into one space, converging. Shared space → built in place. Managed space → built
 * into a staging app (kept between runs in a shared staging space), made public, then published the
 * first time and republished over the same copy afterwards, so the consumers' app keeps its id.
 * Every run plans first (that is the dry run), changes only what differs, reloads, verifies by reading
 * the target back, and can roll back to the version it replaced.
 */
import { existsSync } from "node:fs";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import { requireAppFolder } from "@qlik-cicd/app-files";
import { CicdError, ConfigError, silentLogger, type Logger } from "@qlik-cicd/common";
import { applyParameters, type ConnectionCredentials } from "./apply-parameters.ts";
import {
  appUrl,
  createAppInSpace,
  findAppsByName,
  findPublishedCopies,
  findAppItem,
  singleApp,
  type AppItem,
} from "./apps.ts";
import { applyConnectionCredentials } from "./connection-credentials.ts";
import {
  AppTree,
  bookmarksNeedingData,
  buildInto,
  compareContent,
  diffMarkdown,
  emptyTreeLike,
  readAppTree,
  standingBookmarkWarnings,
  titleOfTree,
  treeDigest,
  unbuildFromTenant,
  withTitle,
} from "./content.ts";
import { makeContentPublic } from "./make-public.ts";
import { loadParametersFile, resolveParameters } from "./parameters.ts";
import {
  newDeploymentRecord,
  readDeploymentRecord,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "./deployment-record.ts";
import { writeProvenanceInDoc } from "./provenance.ts";
import { publishToSpace, reloadPublished, republishOver, retryWhileForbidden } from "./publish.ts";
import { lastReload } from "./reload.ts";
import { MemoryRollbackStore, rollbackKey, type RollbackStore } from "./rollback-store.ts";
import { createSharedSpace, findSpace, findStagingSpace, listSpaces, spaceNotFound } from "./spaces.ts";
import type {
  DeployChange,
  DeployDeps,
  DeployOptions,
  DeployPlan,
  DeployResult,
  DeployStep,
  ReloadOutcome,
  RollbackSnapshot,
  SpaceRef,
} from "./types.ts";

/** The deployed app does not match the source after the deploy (never reported as success). */
export class DeployVerificationError extends CicdError {
  readonly differences: DeployChange[];
  constructor(message: string, differences: DeployChange[], options?: { hint?: string }) {
    super(message, options);
    this.differences = differences;
  }
}

/** A deploy that failed after changing the tenant (and was rolled back, or could not be). */
export class DeployFailedError extends CicdError {
  readonly reload: ReloadOutcome | undefined;
  readonly rolledBack: boolean;
  constructor(message: string, options: { cause: unknown; reload?: ReloadOutcome; rolledBack: boolean }) {
    super(message, { cause: options.cause });
    this.reload = options.reload;
    this.rolledBack = options.rolledBack;
  }
}

const DEFAULT_PUBLISH_ACCESS_MS = 150_000;

interface Context {
  client: QlikClient;
  options: DeployOptions;
  logger: Logger;
  store: RollbackStore;
  tenant: string;
  prune: boolean;
  publishAccessMs: number;
  sourceTree?: AppTree;
}

/** What the tenant holds for this target right now (all read fresh). */
interface TargetState {
  mode: "shared" | "managed";
  space: SpaceRef;
  stagingSpace?: SpaceRef;
  /** Whether the staging space must be created. */
  stagingMissing: boolean;
  /** The app that is built: target app (shared) or staging app (managed). */
  buildApp?: AppItem;
  /** Managed: the published copy consumers use. */
  published?: AppItem;
  buildCurrent?: AppTree;
  publishedCurrent?: AppTree;
  /** The consumers' app's most recent reload (to finish a deploy whose reload failed). */
  lastReload?: ReloadOutcome;
  /** The deployment record the consumers' app carries (the version it runs), if any. */
  record?: DeploymentRecord;
}

function validate(options: DeployOptions): void {
  if (!options.space?.trim())
    throw new ConfigError("Input 'space' is required: the target space's name or id.", { field: "space" });
  if (!options.rollback) {
    if (options.source && options.sourceAppId) {
      throw new ConfigError("Set either 'source' (a folder of app files) or 'source-app-id', not both.", {
        field: "source",
      });
    }
    if (options.source && !existsSync(options.source)) {
      throw new ConfigError(`Input 'source': the folder '${options.source}' does not exist.`, {
        field: "source",
      });
    }
    if (!options.source && !options.sourceAppId) {
      throw new ConfigError(
        "Set 'source' (a folder of unbuilt app files) or 'source-app-id' (an app to deploy).",
        {
          field: "source",
        },
      );
    }
  }
  const t = options.reloadTimeoutMinutes;
  if (t !== undefined && (!Number.isFinite(t) || t <= 0)) {
    throw new ConfigError(`'reload-timeout-minutes' must be a positive number, got '${t}'.`, {
      field: "reload-timeout-minutes",
    });
  }
}

async function readSource(ctx: Context): Promise<AppTree> {
  const { options, client } = ctx;
  if (options.source) return ctx.sourceTree ?? readAppTree(options.source);
  const appId = options.sourceAppId as string;
  ctx.logger.info(`Reading source app ${appId} over QIX.`);
  return unbuildFromTenant(client, appId);
}

async function readTarget(ctx: Context, appName: string): Promise<TargetState> {
  const { client, options } = ctx;
  const spaces = await listSpaces(client);
  const space = findSpace(spaces, options.space.trim());
  if (!space) throw spaceNotFound(options.space.trim(), ctx.tenant, spaces);
  if (space.type !== "shared" && space.type !== "managed") {
    throw new ConfigError(
      `Space '${space.name}' is a ${space.type} space; deploy to a shared or managed space.`,
      {
        field: "space",
      },
    );
  }
  const state: TargetState = { mode: space.type, space, stagingMissing: false };
  if (space.type === "managed") {
    const { name: stagingName, space: staging } = findStagingSpace(spaces, space, options.stagingSpace);
    if (staging) state.stagingSpace = staging;
    else {
      state.stagingSpace = { id: "", name: stagingName, type: "shared" };
      state.stagingMissing = true;
    }
    if (staging)
      state.buildApp = singleApp(await findAppsByName(client, staging.id, appName), staging.name, appName);
    if (state.buildApp) {
      const copies = (await findPublishedCopies(client, state.buildApp.appId)).filter(
        (c) => c.spaceId === space.id,
      );
      state.published = copies[0];
    }
    // Adopt an existing copy by name (e.g. the staging app was lost) so its id is kept.
    state.published ??= singleApp(await findAppsByName(client, space.id, appName), space.name, appName);
  } else {
    state.buildApp = singleApp(await findAppsByName(client, space.id, appName), space.name, appName);
  }
  if (state.buildApp) state.buildCurrent = await unbuildFromTenant(client, state.buildApp.appId);
  if (state.published) {
    const id = state.published.appId;
    state.publishedCurrent = await retryWhileForbidden(() => unbuildFromTenant(client, id), {
      timeoutMs: ctx.publishAccessMs,
      logger: ctx.logger,
      what: `published app ${id}`,
    });
  }
  const consumerApp = state.mode === "managed" ? state.published : state.buildApp;
  if (consumerApp && (options.reload ?? true)) state.lastReload = await lastReload(client, consumerApp.appId);
  if (consumerApp) {
    const id = consumerApp.appId;
    state.record = await retryWhileForbidden(() => readDeploymentRecord(client, id), {
      timeoutMs: ctx.publishAccessMs,
      logger: ctx.logger,
      what: `app ${id}`,
    });
  }
  return state;
}

function planSteps(
  state: TargetState,
  appName: string,
  needBuild: boolean,
  needPublish: boolean,
  opts: {
    reload: boolean;
    snapshot: boolean;
    restore: boolean;
    resumeReload: boolean;
    /** Titles of bookmarks the build creates with selections (they need the app's data). */
    selectingBookmarks: string[];
  },
): DeployStep[] {
  const steps: DeployStep[] = [];
  const buildSpace = state.mode === "managed" ? (state.stagingSpace as SpaceRef) : state.space;
  if (state.stagingMissing && (needBuild || needPublish)) {
    steps.push({ kind: "create-space", description: `Create shared staging space '${buildSpace.name}'` });
  }
  if (!state.buildApp) {
    const what = state.mode === "managed" ? "staging app" : "app";
    steps.push({
      kind: "create-app",
      description: `Create ${what} '${appName}' in space '${buildSpace.name}'`,
    });
  }
  const consumerApp = state.mode === "managed" ? state.published : state.buildApp;
  if (opts.snapshot && consumerApp && (needBuild || needPublish)) {
    steps.push({
      kind: "snapshot",
      description: `Keep the current version of '${appName}' (${consumerApp.appId}) for rollback`,
    });
  }
  if (needBuild) {
    steps.push({
      kind: opts.restore ? "restore" : "build",
      description: `${opts.restore ? "Restore the stored version into" : "Build the changes into"} '${appName}' in space '${buildSpace.name}'`,
    });
    const n = opts.selectingBookmarks.length;
    if (n > 0 && opts.reload) {
      steps.push({
        kind: "reload-for-bookmarks",
        description: `Reload '${appName}' in space '${buildSpace.name}' before creating ${n} bookmark${n === 1 ? "" : "s"} with selections (${opts.selectingBookmarks.map((t) => `'${t}'`).join(", ")}), so the values they select exist`,
      });
    }
  }
  if (state.mode === "managed" && needPublish) {
    steps.push({
      kind: "make-public",
      description: "Make sheets, master items and bookmarks public in the staging app",
    });
    if (state.published) {
      steps.push({
        kind: "republish",
        description: `Republish over '${appName}' (${state.published.appId}) in managed space '${state.space.name}', keeping its id`,
      });
    } else {
      steps.push({
        kind: "publish",
        description: `Publish '${appName}' to managed space '${state.space.name}'`,
      });
    }
  }
  if (!needBuild && !needPublish && opts.resumeReload) {
    steps.push({
      kind: "reload",
      description: `Reload '${appName}' in space '${state.space.name}' (its last reload did not succeed)`,
    });
    steps.push({ kind: "verify", description: "Read the deployed app back and compare it with the source" });
  }
  if (needBuild || needPublish) {
    if (opts.reload)
      steps.push({ kind: "reload", description: `Reload '${appName}' in space '${state.space.name}'` });
    steps.push({
      kind: "write-provenance",
      description: "Record the commit and run in the app's attributes",
    });
    steps.push({ kind: "verify", description: "Read the deployed app back and compare it with the source" });
  }
  return steps;
}

async function verify(ctx: Context, appId: string, desired: AppTree): Promise<void> {
  const actual = await retryWhileForbidden(() => unbuildFromTenant(ctx.client, appId), {
    timeoutMs: ctx.publishAccessMs,
    logger: ctx.logger,
    what: `app ${appId}`,
  });
  const changes = compareContent(actual, desired, ctx.prune);
  if (changes.length) {
    const list = changes
      .slice(0, 10)
      .map((c) => `${c.change} ${c.kind} '${c.name}'`)
      .join(", ");
    throw new DeployVerificationError(
      `Verification failed: app ${appId} does not match the source after the deploy (${changes.length} difference${changes.length === 1 ? "" : "s"}: ${list}).`,
      changes,
      {
        hint: "The deploy is not complete. A run that was interrupted can be run again; if the same differences come back, the tenant does not keep those items as the files write them: check them in the source files, or roll back.",
      },
    );
  }
  ctx.logger.info(`Verified: app ${appId} matches the source.`);
}

interface ConvergeInput {
  appName: string;
  desired: AppTree;
  credentials: ReadonlyMap<string, ConnectionCredentials>;
  environment?: string;
  state: TargetState;
  /** Keep the replaced version for rollback (deploys: yes; restores: no). */
  snapshot: boolean;
  restore: boolean;
}

interface Applied {
  buildAppId: string;
  /** The app consumers use: the published copy (managed) or the built app (shared). */
  deployedId: string;
  publishedAppId?: string;
  /** What bookmarks could not get (values the data lacks, …). */
  warnings: string[];
}

/** Creates what is missing, builds, makes public and publishes/republishes. */
async function applyContent(ctx: Context, input: ConvergeInput, needBuild: boolean): Promise<Applied> {
  const { client, logger } = ctx;
  const { appName, desired, credentials, state } = input;
  // Build target.
  let buildSpace = state.mode === "managed" ? (state.stagingSpace as SpaceRef) : state.space;
  if (state.mode === "managed" && state.stagingMissing) {
    buildSpace = await createSharedSpace(client, buildSpace.name);
    logger.info(`Created staging space '${buildSpace.name}' (${buildSpace.id}).`);
  }
  let buildApp = state.buildApp;
  if (!buildApp) {
    buildApp = await createAppInSpace(client, buildSpace.id, appName, logger);
    logger.info(`Created app '${appName}' (${buildApp.appId}) in space '${buildSpace.name}'.`);
  }
  const buildAppId = buildApp.appId;
  const managed = state.mode === "managed";
  // Build, credentials, provenance and (managed) making content public all work on the build app:
  // one QIX session for all of them instead of one each, saved once at the end.
  const warnings: string[] = [];
  if (needBuild || managed) {
    await client.withApp(buildAppId, async (doc) => {
      let openedHandles: ReadonlyMap<string, unknown> | undefined;
      if (needBuild) {
        // Credentials go on the connections before the build reloads for bookmarks (the reload needs them).
        let credentialsSet = false;
        const setCredentials = async () => {
          credentialsSet = true;
          await client.qixMutation(
            buildAppId,
            "ModifyConnection",
            () => applyConnectionCredentials(doc, credentials, logger),
            "set connection credentials",
          );
        };
        const built = await buildInto(doc, desired, {
          prune: ctx.prune,
          logger,
          save: false,
          reloadForBookmarks: ctx.options.reload ?? true,
          beforeBookmarks: setCredentials,
        });
        openedHandles = built.openedHandles;
        warnings.push(...built.warnings.map((w) => w.message));
        if (!credentialsSet) await setCredentials();
        logger.info(`Built '${appName}' (${buildAppId}).`);
        // Recorded before publishing so the published copy carries it. A record, not content: failing
        // to write it is reported but does not fail the deploy.
        await writeProvenanceInDoc(
          client,
          buildAppId,
          doc,
          {
            ...(ctx.options.provenance ?? {}),
            digest: treeDigest(desired),
            deployedAt: new Date().toISOString(),
          },
          { save: false },
        ).catch((error: unknown) =>
          logger.warn(
            `Could not record the commit and run on app ${buildAppId}: ${(error as Error).message}`,
          ),
        );
      }
      let madePublic = 0;
      if (managed) {
        madePublic = await client.qixMutation(
          buildAppId,
          "Publish",
          () => makeContentPublic(doc, logger, { ...(openedHandles ? { openedHandles } : {}), save: false }),
          "make content public",
        );
      }
      if (needBuild || madePublic > 0) {
        await client.qixMutation(buildAppId, "DoSave", () => doc.doSave(), "save app");
      }
    });
  }
  if (needBuild) await recordDeployment(ctx, buildAppId, input);

  let deployedId = buildAppId;
  let publishedAppId: string | undefined;
  if (managed) {
    if (state.published) {
      publishedAppId = await republishOver(client, buildAppId, state.published.appId, appName);
      logger.info(`Republished over '${appName}' (${publishedAppId}) in '${state.space.name}'.`);
    } else {
      publishedAppId = await publishToSpace(client, buildAppId, state.space.id, appName, logger);
      logger.info(`Published '${appName}' to '${state.space.name}' as ${publishedAppId}.`);
    }
    // Right after a publish the copy can answer 403 for a while; every call that follows on it
    // (item lookup, reload, verification) waits that out itself.
    deployedId = publishedAppId;
  }
  return { buildAppId, deployedId, ...(publishedAppId ? { publishedAppId } : {}), warnings };
}

/**
 * Writes the deployment record into the built app (before a publish, so the published copy carries
 * it): which version it now holds and which it replaced. A record, not content: failing to write it is
 * reported but does not fail the deploy.
 */
async function recordDeployment(ctx: Context, appId: string, input: ConvergeInput): Promise<void> {
  const provenance = ctx.options.provenance ?? {};
  const record = newDeploymentRecord(
    { appName: input.appName, sourceDigest: treeDigest(input.desired) },
    provenance,
    input.state.record,
  );
  await writeDeploymentRecord(ctx.client, appId, record).catch((error: unknown) =>
    ctx.logger.warn(`Could not write the deployment record of app ${appId}: ${(error as Error).message}`),
  );
}

async function converge(ctx: Context, input: ConvergeInput): Promise<DeployResult> {
  const { client, options, logger } = ctx;
  const { appName, desired, credentials, state } = input;
  const reload = options.reload ?? true;
  const dryRun = options.dryRun ?? false;

  const empty = emptyTreeLike(desired);
  const buildDiff = compareContent(state.buildCurrent ?? empty, desired, ctx.prune);
  const consumerCurrent = state.mode === "managed" ? state.publishedCurrent : state.buildCurrent;
  const consumerDiff = compareContent(consumerCurrent ?? empty, desired, ctx.prune);
  const needBuild = !state.buildApp || buildDiff.length > 0;
  const needPublish = state.mode === "managed" && (!state.published || needBuild || consumerDiff.length > 0);
  // A previous run that changed the content but whose reload failed is finished now, not reported green.
  const resumeReload =
    reload && !needBuild && !needPublish && !!state.lastReload && state.lastReload.status !== "SUCCEEDED";
  const changed = needBuild || needPublish || resumeReload;
  const selectingBookmarks = needBuild
    ? bookmarksNeedingData(state.buildCurrent ?? empty, desired, ctx.prune)
    : [];
  const steps = planSteps(state, appName, needBuild, needPublish, {
    reload,
    snapshot: input.snapshot,
    restore: input.restore,
    resumeReload,
    selectingBookmarks,
  });
  // Bookmarks already up to date but lacking values their data does not hold: said on every run.
  const standing = standingBookmarkWarnings(consumerCurrent, desired);
  const planned = [...standing];
  if (!reload && selectingBookmarks.length > 0) {
    planned.push(
      `Reload is off: bookmarks with selections (${selectingBookmarks.map((t) => `'${t}'`).join(", ")}) are created on the data the app holds now, without a reload; values it lacks are left out of them.`,
    );
  }

  const plan: DeployPlan = {
    tenant: ctx.tenant,
    appName,
    mode: state.mode,
    space: state.space,
    ...(state.stagingSpace ? { stagingSpace: state.stagingSpace } : {}),
    ...(input.environment ? { environment: input.environment } : {}),
    changes: consumerDiff,
    steps: changed ? steps : [],
    changed,
    dryRun,
    rollback: input.restore,
  };
  if (consumerDiff.length) {
    const md = diffMarkdown(consumerCurrent ?? empty, desired);
    if (md) plan.diffMarkdown = md;
  }
  const consumerApp = state.mode === "managed" ? state.published : state.buildApp;
  const base: DeployResult = {
    appId: state.buildApp?.appId ?? "",
    ...(state.published ? { publishedAppId: state.published.appId } : {}),
    itemId: consumerApp?.itemId ?? "",
    appUrl: appUrl(client.tenantUrl, consumerApp?.appId ?? ""),
    changed,
    plan,
    verified: !changed,
  };
  if (dryRun || !changed) {
    for (const w of planned) logger.warn(w);
    if (planned.length) base.warnings = planned;
  }
  if (dryRun) {
    logger.info(
      changed ? `Dry run: ${plan.steps.length} steps would run.` : "Dry run: nothing would change.",
    );
    return { ...base, verified: false };
  }
  if (!changed) {
    logger.info(`'${appName}' in '${state.space.name}' already matches the source: nothing to do.`);
    return base;
  }

  const contentChanges = needBuild || needPublish;
  // Keep what consumers have now, before anything changes.
  const key = rollbackKey(ctx.tenant, state.space.id, appName);
  let snapshot: RollbackSnapshot | undefined;
  // What the store held before this run: put back when this run fails and is rolled back, so the
  // store keeps pointing at the last good version before the current one.
  let previousEntry: RollbackSnapshot | undefined;
  if (input.snapshot && contentChanges && consumerApp && consumerCurrent) {
    previousEntry = await ctx.store.load(key);
    snapshot = {
      tenant: ctx.tenant,
      spaceId: state.space.id,
      appName,
      appId: consumerApp.appId,
      takenAt: new Date().toISOString(),
      content: structuredClone(consumerCurrent.content) as RollbackSnapshot["content"],
    };
    await ctx.store.save(key, snapshot);
    logger.info(`Kept the current version of '${appName}' (${consumerApp.appId}) for rollback.`);
  } else if (input.snapshot) {
    snapshot = await ctx.store.load(key);
  }

  const applied = contentChanges
    ? await applyContent(ctx, input, needBuild)
    : {
        buildAppId: state.buildApp?.appId ?? "",
        deployedId: consumerApp?.appId ?? "",
        publishedAppId: state.published?.appId,
        warnings: [],
      };
  const { buildAppId, deployedId, publishedAppId } = applied;
  // A build reports its bookmarks itself; without one, what stands is said here.
  const warnings = needBuild ? applied.warnings : standing;
  if (!needBuild) for (const w of standing) logger.warn(w);
  const deployedItem =
    (await retryWhileForbidden(() => findAppItem(client, deployedId), {
      timeoutMs: ctx.publishAccessMs,
      logger,
      what: `app ${deployedId}`,
    })) ?? undefined;

  const result: DeployResult = {
    appId: buildAppId,
    ...(publishedAppId ? { publishedAppId } : {}),
    itemId: deployedItem?.itemId ?? "",
    appUrl: appUrl(client.tenantUrl, deployedId),
    changed: true,
    plan,
    verified: false,
    ...(warnings.length ? { warnings } : {}),
  };

  try {
    if (reload) {
      result.reload = await reloadPublished(client, deployedId, options, ctx.publishAccessMs, logger);
    }
    await verify(ctx, deployedId, desired);
    result.verified = true;
    return result;
  } catch (error) {
    const failedReload = (error as { reload?: ReloadOutcome }).reload;
    if (failedReload) result.reload = failedReload;
    if (!options.rollbackOnFailure || input.restore) throw error;
    if (!snapshot) {
      throw new DeployFailedError(
        `${(error as Error).message} There is no previous version to roll back to (first deploy).`,
        { cause: error, reload: result.reload, rolledBack: false },
      );
    }
    logger.warn(`Deploy failed; rolling back '${appName}' to the version from ${snapshot.takenAt}.`);
    try {
      await restoreSnapshot(ctx, snapshot, credentials);
    } catch (rollbackError) {
      throw new DeployFailedError(
        `${(error as Error).message} Rolling back also failed: ${(rollbackError as Error).message}`,
        { cause: error, reload: result.reload, rolledBack: false },
      );
    }
    if (previousEntry) await ctx.store.save(key, previousEntry);
    throw new DeployFailedError(
      `${(error as Error).message} Rolled back '${appName}' to the previous version.`,
      {
        cause: error,
        reload: result.reload,
        rolledBack: true,
      },
    );
  }
}

async function restoreSnapshot(
  ctx: Context,
  snapshot: RollbackSnapshot,
  credentials: ReadonlyMap<string, ConnectionCredentials>,
): Promise<DeployResult> {
  const tree = new AppTree(snapshot.content);
  const state = await readTarget(ctx, snapshot.appName);
  return converge(
    { ...ctx, options: { ...ctx.options, dryRun: false, rollbackOnFailure: false } },
    { appName: snapshot.appName, desired: tree, credentials, state, snapshot: false, restore: true },
  );
}

/**
 * Deploys one app into one space. See DeployOptions for the inputs; the result carries the plan, the
 * ids, the reload and whether the target was verified. Throws ConfigError for bad input (nothing is
 * changed then), ReloadFailedError / DeployVerificationError when the deployed app is not good.
 */
export async function deployApp(
  client: QlikClient,
  options: DeployOptions,
  deps: DeployDeps = {},
): Promise<DeployResult> {
  validate(options);
  // A folder without app files would deploy an empty app (or "nothing to change"): refused, dry run too.
  if (options.source && !options.rollback && !deps.sourceTree)
    await requireAppFolder(options.source, "source");
  const logger = deps.logger ?? silentLogger;
  const ctx: Context = {
    client,
    options,
    logger,
    store: deps.rollbackStore ?? new MemoryRollbackStore(),
    tenant: client.tenantName,
    prune: options.prune ?? true,
    publishAccessMs: options.publishAccessTimeoutMs ?? DEFAULT_PUBLISH_ACCESS_MS,
    ...(deps.sourceTree ? { sourceTree: deps.sourceTree } : {}),
  };
  const env = options.env ?? process.env;

  // Parameters are checked before anything is read from the tenant, so bad input fails fast.
  const parameters = options.parameters ? loadParametersFile(options.parameters) : undefined;

  if (options.rollback) {
    const spaces = await listSpaces(client);
    const space = findSpace(spaces, options.space.trim());
    if (!space) throw spaceNotFound(options.space.trim(), ctx.tenant, spaces);
    if (!options.appName) {
      throw new ConfigError("Set 'app-name' to say which app to roll back.", { field: "app-name" });
    }
    const snapshot = await ctx.store.load(rollbackKey(ctx.tenant, space.id, options.appName));
    if (!snapshot) {
      throw new ConfigError(
        `No stored version of '${options.appName}' in space '${space.name}' to roll back to; rollback needs the store a previous deploy wrote.`,
        { field: "rollback" },
      );
    }
    const environment = options.environment ?? space.name;
    const resolved = parameters
      ? resolveParameters(parameters, environment, env, { required: options.environment !== undefined })
      : undefined;
    const { credentials } = applyParameters(
      new AppTree(snapshot.content),
      resolved ? { ...resolved, variables: {} } : undefined,
      options.parameters,
    );
    const state = await readTarget(ctx, snapshot.appName);
    return {
      ...(await converge(ctx, {
        appName: snapshot.appName,
        desired: new AppTree(snapshot.content),
        credentials,
        environment,
        state,
        snapshot: false,
        restore: true,
      })),
      rolledBack: !options.dryRun,
    };
  }

  const source = await readSource(ctx);
  const appName = options.appName?.trim() || titleOfTree(source);
  if (!appName) {
    throw new ConfigError("The source has no app title (app-properties.json qTitle); set 'app-name'.", {
      field: "app-name",
    });
  }
  // Resolve the environment against the space's real name (a space id resolves to its name).
  const state = await readTarget(ctx, appName);
  const environment = options.environment ?? state.space.name;
  const resolved = parameters
    ? resolveParameters(parameters, environment, env, { required: options.environment !== undefined })
    : undefined;
  if (resolved && !resolved.matched) {
    logger.info(
      `Parameters file '${options.parameters}' has no section for environment '${environment}'; only defaults apply.`,
    );
  }
  const { tree, credentials } = applyParameters(source, resolved, options.parameters);
  const desired = withTitle(tree, appName);
  return converge(ctx, {
    appName,
    desired,
    credentials,
    ...(parameters ? { environment } : {}),
    state,
    snapshot: true,
    restore: false,
  });
}
