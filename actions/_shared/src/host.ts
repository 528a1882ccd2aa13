// What an operation gets from a GitHub runner: the workspace, RUNNER_TEMP, the run's variables and
// event, artifact storage, GITHUB_ENV for later steps, the runner's log and masking.
import * as core from "@actions/core";
import { tmpdir } from "node:os";
import { ConfigError, type OperationHost } from "@qlik-cicd/common";
import { canUploadArtifacts, downloadArtifact, uploadArtifact } from "./artifacts.ts";
import { readCiRun } from "./event.ts";
import { actionsLogger } from "./logger.ts";

/** The GitHub parts of a host, given by the actions that talk to GitHub (see github-host.ts). */
export type GitHubCapabilities<GitHub> = Pick<OperationHost<GitHub>, "github" | "commentOnPullRequest">;

function noGitHub(): never {
  // A programming error: the action's main.ts must pass withGitHub for an operation that uses GitHub.
  throw new Error("This action was bundled without a GitHub client.");
}

export function actionHost<GitHub = never>(
  github?: GitHubCapabilities<GitHub>,
  env: NodeJS.ProcessEnv = process.env,
): OperationHost<GitHub> {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const tempDir = env.RUNNER_TEMP || tmpdir();
  return {
    kind: "action",
    logger: actionsLogger,
    notice: (message) => core.notice(message),
    workspace,
    // Inputs can come from workflow expressions: paths stay inside the checkout and the job's temp folder.
    paths: { workspace, confine: true, alsoInside: env.RUNNER_TEMP ? [env.RUNNER_TEMP] : [] },
    tempDir,
    stateDir: workspace,
    env,
    run: readCiRun(env),
    github: github?.github ?? noGitHub,
    commentOnPullRequest: github?.commentOnPullRequest ?? (async () => undefined),
    canUploadArtifacts: canUploadArtifacts(env),
    uploadArtifact,
    downloadArtifact: (request, directory) => downloadArtifact(request, directory, env),
    exportVariable(name, value) {
      core.setSecret(value);
      if (!env.GITHUB_ENV) {
        throw new ConfigError(
          `Cannot hand ${name} to later steps: GITHUB_ENV is not set (this is not a GitHub Actions job).`,
          { field: "exportVariable" },
        );
      }
      core.exportVariable(name, value);
    },
  };
}
