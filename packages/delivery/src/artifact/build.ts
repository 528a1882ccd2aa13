/**
 * Building an artifact: the version is built from files as every deploy builds (converging build,
 * content made public), then the built app is exported without data, and the file plus its manifest is
 * the artifact. `buildArtifact` is the deploy-to-space path (the deploy runs as today, then its build
 * app — the staging app of a managed target — is exported); `buildArtifactOnce` builds into a scratch
 * app of its own, exports it and deletes it (a rollout that was given files, on its first tenant).
 */
import type { Doc } from "@qlik/api/qix";
import { readAppTree, treeDigest } from "@qlik-cicd/app-files";
import { ConfigError, silentLogger, type Logger } from "@qlik-cicd/common";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import { deployApp } from "../deploy/deploy-app.ts";
import { deleteDeploymentRecord } from "../deploy/deployment-record.ts";
import { makeContentPublic } from "../deploy/make-public.ts";
import { createSharedSpace, findSpace, listSpaces } from "../deploy/spaces.ts";
import type { DeployDeps, DeployOptions, DeployResult } from "../deploy/types.ts";
import { titleOfTree } from "../deploy/content.ts";
import { deleteAppIfPresent, exportAppFile } from "./app-file.ts";
import { makeArtifact, shortDigest, writeArtifact, type AppArtifact } from "./artifact-file.ts";

export interface BuiltArtifact {
  deploy: DeployResult;
  artifact: AppArtifact;
}

/**
 * Deploys from files (deployApp, exactly as without an artifact), then exports the app that was built
 * and writes the artifact into `outDir` when given. The export is taken from the staging app of a
 * managed target (Qlik does not export apps in managed spaces), whose content the deploy made public.
 */
export async function buildArtifact(
  client: QlikClient,
  options: DeployOptions & { source: string },
  deps: DeployDeps & { outDir?: string } = {},
): Promise<BuiltArtifact> {
  const logger = deps.logger ?? silentLogger;
  const tree = deps.sourceTree ?? (await readAppTree(options.source));
  const deploy = await deployApp(client, options, { ...deps, sourceTree: tree });
  const appName = deploy.plan.appName;
  const bytes = await exportAppFile(client, deploy.appId);
  let artifact = makeArtifact(bytes, {
    appName,
    sourceDigest: treeDigest(tree),
    ...(options.provenance?.commit ? { commit: options.provenance.commit } : {}),
    ...(options.provenance?.commitTime ? { commitTime: options.provenance.commitTime } : {}),
  });
  if (deps.outDir) artifact = writeArtifact(deps.outDir, artifact);
  logger.info(
    `Exported '${appName}' (${deploy.appId}) as artifact ${shortDigest(artifact.manifest.artifactDigest)} (${bytes.length} bytes).`,
  );
  return { deploy, artifact };
}

/**
 * Builds the files once into a scratch app `<app name> (build)` in the shared space `space` (created if
 * missing), makes its content public, exports it and deletes the scratch app. Nothing consumers use is
 * touched: the rollout ships the result to every tenant, the first one included.
 */
export async function buildArtifactOnce(
  client: QlikClient,
  options: {
    source: string;
    /** A shared space to build in (a rollout uses the target's staging space). */
    space: string;
    appName?: string;
    prune?: boolean;
    commit?: string;
    commitTime?: string;
    outDir?: string;
  },
  logger: Logger = silentLogger,
): Promise<AppArtifact> {
  const tree = await readAppTree(options.source);
  const appName = options.appName?.trim() || titleOfTree(tree);
  if (!appName) {
    throw new ConfigError("The source has no app title (app-properties.json qTitle); set 'app-name'.", {
      field: "app-name",
    });
  }
  if (!findSpace(await listSpaces(client), options.space)) await createSharedSpace(client, options.space);
  const scratchName = `${appName} (build)`;
  const built = await deployApp(
    client,
    {
      source: options.source,
      space: options.space,
      appName: scratchName,
      reload: false,
      prune: options.prune ?? true,
    },
    { logger, sourceTree: tree },
  );
  const appId = built.appId;
  try {
    await client.withApp(appId, async (doc: Doc) => {
      await client.qixMutation(
        appId,
        "Publish",
        () => makeContentPublic(doc, logger, { save: false }),
        "make content public",
      );
      // The scratch app carries its own name; the artifact carries the app's.
      await client.qixMutation(
        appId,
        "SetAppProperties",
        async () => {
          const props = await doc.getAppProperties();
          await doc.setAppProperties({ ...props, qTitle: appName });
        },
        "set app title",
      );
      await client.qixMutation(appId, "DoSave", () => doc.doSave(), "save app");
    });
    // The scratch app's own record is not the artifact's: each ship writes the target's (at once, as
    // nothing is there to replace).
    await deleteDeploymentRecord(client, appId);
    const bytes = await exportAppFile(client, appId);
    let artifact = makeArtifact(bytes, {
      appName,
      sourceDigest: treeDigest(tree),
      ...(options.commit ? { commit: options.commit } : {}),
      ...(options.commitTime ? { commitTime: options.commitTime } : {}),
    });
    if (options.outDir) artifact = writeArtifact(options.outDir, artifact);
    logger.info(
      `Built '${appName}' once as artifact ${shortDigest(artifact.manifest.artifactDigest)} (${bytes.length} bytes).`,
    );
    return artifact;
  } finally {
    await deleteAppIfPresent(client, appId).catch((error: unknown) =>
      logger.warn(`Could not delete the scratch build app ${appId}: ${(error as Error).message}`),
    );
  }
}
