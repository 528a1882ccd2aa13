import { ConfigError, type ArtifactDownloadRequest, type Logger } from "@qlik-cicd/common";
import { runRepository } from "./event.ts";
import { actionsLogger } from "./logger.ts";

type Uploader = (name: string, files: string[], rootDirectory: string) => Promise<number | undefined>;

/** True on a runner that can store artifacts (the runtime token is only given to real jobs). */
export function canUploadArtifacts(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}

/**
 * Uploads files as one artifact through the shared uploader bundle beside this action's bundle
 * (actions/<name>/dist/index.js → actions/_shared/dist/artifact-upload.js). Without artifact storage
 * (a terminal, a runner without a runtime token) it says where the files stay and returns false.
 */
export async function uploadArtifact(
  name: string,
  files: string[],
  rootDirectory: string,
  logger: Logger = actionsLogger,
): Promise<boolean> {
  if (!canUploadArtifacts()) {
    logger.info(`Not on a GitHub-hosted job with artifact storage; '${name}' stays at ${rootDirectory}.`);
    return false;
  }
  const modulePath = new URL("../../_shared/dist/artifact-upload.js", import.meta.url).href;
  const { uploadFiles } = (await import(modulePath)) as { uploadFiles: Uploader };
  await uploadFiles(name, files, rootDirectory);
  return true;
}

type Downloader = (
  name: string,
  directory: string,
  findBy?: { workflowRunId: number; repositoryOwner: string; repositoryName: string; token: string },
) => Promise<void>;

/**
 * Downloads a workflow artifact (of this run, or of run `runId` of this repository with a token that has
 * `actions: read`) into `directory`, through the same shared bundle as uploads.
 */
export async function downloadArtifact(
  request: ArtifactDownloadRequest,
  directory: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (!canUploadArtifacts(env)) {
    throw new ConfigError(
      `Artifact '${request.name}' cannot be downloaded here: this is not a GitHub Actions job with artifact storage; give a path instead.`,
      { field: "artifact" },
    );
  }
  let findBy: Parameters<Downloader>[2];
  if (request.runId) {
    const repository = runRepository(env);
    const runId = Number(request.runId);
    if (!Number.isInteger(runId) || runId <= 0) {
      throw new ConfigError(
        `Input 'artifact-run-id' must be a workflow run id (a number), got '${request.runId}'.`,
        {
          field: "artifact-run-id",
        },
      );
    }
    if (!repository || !request.token) {
      throw new ConfigError(
        "Input 'artifact-run-id' needs 'github-token' (with 'actions: read') and GITHUB_REPOSITORY to read another run's artifacts.",
        { field: "github-token" },
      );
    }
    findBy = {
      workflowRunId: runId,
      repositoryOwner: repository.owner,
      repositoryName: repository.repo,
      token: request.token,
    };
  }
  const modulePath = new URL("../../_shared/dist/artifact-upload.js", import.meta.url).href;
  const { downloadFiles } = (await import(modulePath)) as { downloadFiles: Downloader };
  await downloadFiles(request.name, directory, findBy);
}
