// deploy-to-space: build unbuilt app files (or another app) into a space, publish to a managed space,
// reload and verify; or roll back to the version a previous deploy kept.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigError,
  defineOperation,
  describeError,
  type CiRun,
  type InputReader,
  type OperationHost,
} from "@qlik-cicd/common";
import {
  CONNECTION_INPUTS,
  readConnection,
  withQlikClient,
  type ConnectionInput,
} from "@qlik-cicd/qlik-client";
import {
  ARTIFACT_APP_FILE,
  ARTIFACT_MANIFEST_FILE,
  ArtifactStore,
  readArtifact,
  type AppArtifact,
} from "../artifact/artifact-file.ts";
import { buildArtifact } from "../artifact/build.ts";
import { rollbackArtifact, shipArtifact } from "../artifact/ship.ts";
import { deployApp } from "../deploy/deploy-app.ts";
import { renderDeployMarkdown } from "../deploy/render.ts";
import { DirectoryRollbackStore } from "../deploy/rollback-store.ts";
import type { DeployOptions, DeployResult, ProvenanceInput, ReloadOutcome } from "../deploy/types.ts";

/** Which commit, run and ref a deployment came from, as its provenance records it. */
export function provenanceOf(run: CiRun): ProvenanceInput {
  return {
    ...(run.sha ? { commit: run.sha } : {}),
    ...(run.sha && run.commitTime ? { commitTime: run.commitTime } : {}),
    ...(run.runUrl ? { runUrl: run.runUrl } : {}),
    ...(run.ref ? { ref: run.ref } : {}),
  };
}

/** Where the artifact to deploy comes from: a path, or a workflow artifact downloaded by name. */
export type ArtifactSource = { path: string } | { name: string; runId?: string; token?: string };

export interface DeployToSpaceOptions {
  connection: ConnectionInput;
  deploy: DeployOptions;
  rollbackDir: string;
  /** False when 'rollback-dir' was not given: the store is this run's temporary folder. */
  rollbackDirGiven: boolean;
  /** Deploy this artifact instead of building from files. */
  artifact?: ArtifactSource;
  /** Build from files, then write the artifact here (and upload it when `uploadArtifact` names it). */
  artifactOutput?: string;
  uploadArtifact?: string;
}

export type DeployToSpaceResult = DeployResult & { artifactDigest?: string };

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `artifact`: a folder or file in the workspace when it exists; otherwise, when it reads as a name,
 * a workflow artifact to download (of this run, or of `artifact-run-id`).
 */
function readArtifactSource(inputs: InputReader): ArtifactSource | undefined {
  const value = inputs.string("artifact");
  if (!value) {
    if (inputs.string("artifact-run-id")) {
      throw new ConfigError("Input 'artifact-run-id' needs 'artifact': the name of that run's artifact.", {
        field: "artifact-run-id",
      });
    }
    return undefined;
  }
  const path = inputs.path("artifact") as string;
  const runId = inputs.string("artifact-run-id");
  if (existsSync(path) && !runId) return { path };
  if (!ARTIFACT_NAME.test(value)) {
    throw new ConfigError(
      `Input 'artifact': '${value}' does not exist; give the folder an artifact was written to, or the name of a workflow artifact.`,
      { field: "artifact" },
    );
  }
  const token = inputs.secret("github-token");
  return { name: value, ...(runId ? { runId } : {}), ...(token ? { token } : {}) };
}

async function loadArtifact(source: ArtifactSource, host: OperationHost): Promise<AppArtifact> {
  if ("path" in source) return readArtifact(source.path);
  if (!host.downloadArtifact) {
    throw new ConfigError(
      `Artifact '${source.name}' is not a path in the workspace, and ${host.kind === "cli" ? "a terminal" : "this host"} cannot download workflow artifacts; download it first and give its folder.`,
      { field: "artifact" },
    );
  }
  const dir = join(host.tempDir, "qlik-app-artifact", source.name);
  await host.downloadArtifact(
    {
      name: source.name,
      ...(source.runId ? { runId: source.runId } : {}),
      ...(source.token ? { token: source.token } : {}),
    },
    dir,
  );
  return readArtifact(dir);
}

/** The store a rollback finds artifacts in (only when a previous run kept one there). */
function keptArtifacts(dir: string): boolean {
  const folder = join(dir, "artifacts");
  return existsSync(folder) && readdirSync(folder).length > 0;
}

function reloadOutputs(reload: ReloadOutcome | undefined): Record<string, unknown> {
  return { "reload-id": reload?.id ?? "", "reload-status": reload?.status ?? "" };
}

export const deployToSpaceOperation = defineOperation({
  name: "deploy-to-space",
  inputs: {
    ...CONNECTION_INPUTS,
    source: {},
    "source-app-id": {},
    space: { required: true },
    "staging-space": {},
    "app-name": {},
    parameters: {},
    environment: {},
    reload: { default: "true" },
    "reload-timeout-minutes": { default: "30" },
    prune: { default: "true" },
    "dry-run": { default: "false" },
    "rollback-on-failure": { default: "false" },
    rollback: { default: "false" },
    "rollback-dir": {},
    artifact: {},
    "artifact-run-id": {},
    "github-token": {},
    "artifact-output": {},
    "upload-artifact": {},
  },
  outputNames: [
    "artifact-digest",
    "app-id",
    "published-app-id",
    "item-id",
    "app-url",
    "changed",
    "plan",
    "reload-id",
    "reload-status",
  ],

  options(inputs, host): DeployToSpaceOptions {
    const connection = readConnection(inputs, host.env);
    const rollbackDir = inputs.path("rollback-dir");
    const artifact = readArtifactSource(inputs);
    const artifactOutput = inputs.path("artifact-output");
    const uploadArtifact = inputs.string("upload-artifact");
    if (artifact && (inputs.string("source") || inputs.string("source-app-id"))) {
      throw new ConfigError("Set either 'artifact' or 'source' / 'source-app-id', not both.", {
        field: "artifact",
      });
    }
    if ((artifactOutput || uploadArtifact) && !inputs.string("source")) {
      throw new ConfigError(
        `Input '${artifactOutput ? "artifact-output" : "upload-artifact"}' needs 'source': an artifact is built from a folder of app files.`,
        { field: artifactOutput ? "artifact-output" : "upload-artifact" },
      );
    }
    if (uploadArtifact && !ARTIFACT_NAME.test(uploadArtifact)) {
      throw new ConfigError(
        `Input 'upload-artifact' must be an artifact name (letters, digits, '.', '_', '-'), got '${uploadArtifact}'.`,
        {
          field: "upload-artifact",
        },
      );
    }
    return {
      ...(artifact ? { artifact } : {}),
      ...(artifactOutput || uploadArtifact
        ? {
            artifactOutput:
              artifactOutput ?? join(host.tempDir, "qlik-app-artifact", uploadArtifact as string),
          }
        : {}),
      ...(uploadArtifact ? { uploadArtifact } : {}),
      connection,
      deploy: {
        source: inputs.path("source"),
        sourceAppId: inputs.string("source-app-id"),
        space: inputs.required("space"),
        stagingSpace: inputs.string("staging-space"),
        appName: inputs.string("app-name"),
        parameters: inputs.path("parameters"),
        environment: inputs.string("environment"),
        reload: inputs.boolean("reload"),
        reloadTimeoutMinutes: inputs.number("reload-timeout-minutes", { min: 1, max: 1440 }),
        prune: inputs.boolean("prune"),
        dryRun: inputs.boolean("dry-run"),
        rollbackOnFailure: inputs.boolean("rollback-on-failure"),
        rollback: inputs.boolean("rollback"),
        provenance: provenanceOf(host.run),
        env: host.env,
      },
      rollbackDir: rollbackDir ?? join(host.tempDir, "qlik-cicd-rollback"),
      rollbackDirGiven: rollbackDir !== undefined,
    };
  },

  async run(options, host): Promise<DeployToSpaceResult> {
    // Load and verify a given artifact before the tenant is contacted: a damaged one changes nothing.
    const artifact = options.artifact ? await loadArtifact(options.artifact, host) : undefined;
    const parametersKey = options.connection.apiKey ?? options.connection.clientSecret ?? "";
    const d = options.deploy;
    const shipOptions = {
      space: d.space,
      ...(d.stagingSpace ? { stagingSpace: d.stagingSpace } : {}),
      ...(d.appName ? { appName: d.appName } : {}),
      ...(d.parameters ? { parameters: d.parameters } : {}),
      ...(d.environment ? { environment: d.environment } : {}),
      ...(d.env ? { env: d.env } : {}),
      parametersKey,
      ...(d.reload !== undefined ? { reload: d.reload } : {}),
      ...(d.reloadTimeoutMinutes !== undefined ? { reloadTimeoutMinutes: d.reloadTimeoutMinutes } : {}),
      ...(d.provenance ? { provenance: d.provenance } : {}),
      ...(d.dryRun !== undefined ? { dryRun: d.dryRun } : {}),
      ...(d.rollbackOnFailure !== undefined ? { rollbackOnFailure: d.rollbackOnFailure } : {}),
    };
    const store = new ArtifactStore(options.rollbackDir);
    return withQlikClient(options.connection, { logger: host.logger }, async (client) => {
      try {
        if (artifact) {
          host.logger.info(
            `Deploying artifact ${artifact.manifest.artifactDigest} ('${artifact.manifest.appName}', built from ${artifact.manifest.commit ?? "an unknown commit"}).`,
          );
          return await shipArtifact(client, artifact, shipOptions, { logger: host.logger, store });
        }
        if (d.rollback && keptArtifacts(options.rollbackDir)) {
          return await rollbackArtifact(client, store, shipOptions, { logger: host.logger });
        }
        if (options.artifactOutput && !d.dryRun) {
          const built = await buildArtifact(
            client,
            { ...d, source: d.source as string },
            {
              logger: host.logger,
              rollbackStore: new DirectoryRollbackStore(options.rollbackDir),
              outDir: options.artifactOutput,
            },
          );
          if (options.uploadArtifact) {
            await host.uploadArtifact(
              options.uploadArtifact,
              [
                join(options.artifactOutput, ARTIFACT_APP_FILE),
                join(options.artifactOutput, ARTIFACT_MANIFEST_FILE),
              ],
              options.artifactOutput,
            );
          }
          return { ...built.deploy, artifactDigest: built.artifact.manifest.artifactDigest };
        }
        return await deployApp(client, d, {
          logger: host.logger,
          rollbackStore: new DirectoryRollbackStore(options.rollbackDir),
        });
      } catch (error) {
        if (
          error instanceof ConfigError &&
          (error.field === "rollback" || error.field === "rollback-dir") &&
          !options.rollbackDirGiven
        ) {
          throw new ConfigError(error.message, {
            field: "rollback-dir",
            hint: "Without 'rollback-dir' each run keeps replaced versions in its own temporary folder: give the deploy and the rollback the same 'rollback-dir' (on GitHub, restore it with actions/cache or an artifact).",
          });
        }
        throw error;
      }
    });
  },

  outputs: (result) => ({
    "artifact-digest": result.artifactDigest ?? "",
    "app-id": result.appId,
    "published-app-id": result.publishedAppId ?? "",
    "item-id": result.itemId,
    "app-url": result.appUrl,
    changed: result.changed,
    plan: result.plan,
    ...reloadOutputs(result.reload),
  }),
  summary: (result) => renderDeployMarkdown(result),

  failed(error) {
    const reload = (error as { reload?: ReloadOutcome }).reload;
    const lines = [
      `### Deploy failed${reload ? `: reload ${reload.status}` : ""}`,
      "",
      describeError(error),
      "",
      ...(reload?.log ? ["Reload log (error lines):", "", "```", reload.log, "```", ""] : []),
    ];
    return { ...(reload ? { outputs: reloadOutputs(reload) } : {}), summary: lines.join("\n") };
  },
});
