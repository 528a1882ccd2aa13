import * as core from "@actions/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAppInfo } from "@qlik/api/apps";
import { appSlug, unbuildApp, writeAppTree, type AppTree } from "@qlik-cicd/app-files";
import { ConfigError, secrets } from "@qlik-cicd/common";
import { findAppsByName, findSpace, listSpaces, spaceNotFound } from "@qlik-cicd/delivery";
import {
  COMMIT_MODES,
  Git,
  resolveWorkspacePath,
  unbuildToWorkspace,
  type CommitMode,
  type UnbuildToWorkspaceResult,
} from "@qlik-cicd/git";
import { upsertPullRequest } from "@qlik-cicd/github";
import { QlikClient, QlikNotFoundError } from "@qlik-cicd/qlik-client";
import {
  actionsLogger,
  canUploadArtifacts,
  defaultBranchOfRun,
  readBooleanInput,
  readConnectionInputs,
  readEnumInput,
  readInput,
  readRunEvent,
  readSecretInput,
  runAction,
  uploadArtifact,
  writeOutput,
} from "../../_shared/src/index.ts";
import { createGitHubClient } from "../../_shared/src/github.ts";
import { INPUTS, OUTPUTS } from "./io.ts";
import { renderUnbuildSummary } from "./summary.ts";

interface AppChoice {
  appId?: string;
  appName?: string;
  space?: string;
}

function readAppChoice(): AppChoice {
  const appId = readInput(INPUTS.appId);
  const appName = readInput(INPUTS.appName);
  const space = readInput(INPUTS.space);
  if (appId) return { appId };
  if (!appName) {
    throw new ConfigError("Set 'app-id', or 'app-name' and 'space', to choose the app to unbuild.", {
      field: INPUTS.appId,
    });
  }
  if (!space) {
    throw new ConfigError(`Input 'space' is required with 'app-name' ('${appName}'): name the app's space.`, {
      field: INPUTS.space,
    });
  }
  return { appName, space };
}

/** The app's id and title, by id or by name in a space. */
async function resolveApp(client: QlikClient, choice: AppChoice): Promise<{ id: string; title: string }> {
  if (choice.appId) {
    try {
      const res = await client.call(
        { tier: "read", method: "GET", resource: `/api/v1/apps/${choice.appId}`, operation: "read app" },
        (opts) => getAppInfo(choice.appId as string, opts),
      );
      return { id: choice.appId, title: res.data.attributes?.name ?? choice.appId };
    } catch (error) {
      if (error instanceof QlikNotFoundError) {
        throw new ConfigError(
          `App '${choice.appId}' in 'app-id' was not found on tenant ${client.tenantName}.`,
          { field: INPUTS.appId, hint: "Check the id, and that these credentials can see the app's space." },
        );
      }
      throw error;
    }
  }
  const spaces = await listSpaces(client);
  const space = findSpace(spaces, choice.space as string);
  if (!space) throw spaceNotFound(choice.space as string, client.tenantName, spaces, INPUTS.space);
  const apps = await findAppsByName(client, space.id, choice.appName as string);
  if (apps.length === 0) {
    throw new ConfigError(`App '${choice.appName}' in 'app-name' was not found in space '${space.name}'.`, {
      field: INPUTS.appName,
    });
  }
  if (apps.length > 1) {
    throw new ConfigError(
      `${apps.length} apps are named '${choice.appName}' in space '${space.name}': set 'app-id' to pick one (${apps
        .map((a) => a.appId)
        .join(", ")}).`,
      { field: INPUTS.appName },
    );
  }
  return { id: apps[0].appId, title: apps[0].name };
}

/** The base branch of the pull request when 'base' is not set. */
async function defaultBase(git: Git, token: string | undefined): Promise<string> {
  const fromEvent = defaultBranchOfRun(readRunEvent());
  if (fromEvent) return fromEvent;
  if (process.env.GITHUB_REF_NAME && (process.env.GITHUB_REF ?? "refs/heads/").startsWith("refs/heads/")) {
    return process.env.GITHUB_REF_NAME;
  }
  const remoteHead = await git.remoteDefaultBranch("origin", token).catch(() => undefined);
  if (remoteHead) return remoteHead;
  throw new ConfigError("Could not tell the repository's default branch: set 'base'.", {
    field: INPUTS.base,
  });
}

function repository(): { owner: string; repo: string } {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo) {
    throw new ConfigError(
      "GITHUB_REPOSITORY is not set (owner/name): it is needed to open the pull request.",
      {
        field: "GITHUB_REPOSITORY",
      },
    );
  }
  return { owner, repo };
}

async function uploadFiles(tree: AppTree, slug: string, result: UnbuildToWorkspaceResult): Promise<void> {
  const name = `qlik-app-${slug}`;
  if (!canUploadArtifacts()) {
    core.notice(
      `upload-artifact: no artifact storage on this runner (ACTIONS_RUNTIME_TOKEN is not set); '${name}' was not uploaded.`,
    );
    return;
  }
  // Upload exactly the app's files: from a private copy, so the pull-request mode (which does not
  // write into the workspace) and the other modes behave the same.
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), "qlik-artifact-"));
  try {
    await writeAppTree(dir, tree);
    const files = [...tree.fileTexts().keys()].map((rel) => join(dir, ...rel.split("/")));
    await uploadArtifact(name, files, dir);
    core.info(`Uploaded ${files.length} files of ${result.path} as artifact '${name}'.`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await runAction("unbuild-app", async () => {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    // Every input is checked before the tenant is contacted or a file is written.
    const token = readSecretInput(INPUTS.githubToken);
    const commit = readEnumInput<CommitMode>(INPUTS.commit, COMMIT_MODES, "none");
    const choice = readAppChoice();
    const pathInput = readInput(INPUTS.path);
    if (pathInput) resolveWorkspacePath(workspace, pathInput, INPUTS.path);
    const branchInput = readInput(INPUTS.branch);
    const baseInput = readInput(INPUTS.base);
    const message = readInput(INPUTS.commitMessage);
    const upload = readBooleanInput(INPUTS.uploadArtifact, false);
    if (commit !== "none" && !token) {
      throw new ConfigError(`Input 'github-token' is required with commit: ${commit}.`, {
        field: INPUTS.githubToken,
        hint: "Pass a GitHub App or personal token with contents: write and pull-requests: write.",
      });
    }
    const repo = commit === "pull-request" ? repository() : undefined;
    const git = new Git({ cwd: workspace, logger: actionsLogger });
    if (commit !== "none" && !(await git.isRepository())) {
      throw new ConfigError(
        `The workspace ${workspace} is not a git repository, so commit '${commit}' cannot be used.`,
        {
          field: INPUTS.commit,
          hint: "Check out the repository with actions/checkout first, or set commit: none.",
        },
      );
    }
    const connection = readConnectionInputs();

    const client = new QlikClient(connection, { logger: actionsLogger });
    try {
      const app = await resolveApp(client, choice);
      core.info(`Unbuilding '${app.title}' (${app.id}) from ${client.tenantName}.`);
      // The whole app is read into memory first: a failure here leaves no file touched.
      const tree = await client.withApp(app.id, (doc) => unbuildApp(doc, { logger: actionsLogger }));
      const slug = appSlug(app.title);
      const base = commit === "pull-request" ? (baseInput ?? (await defaultBase(git, token))) : baseInput;
      const branch = branchInput ?? (commit === "pull-request" ? `qlik/unbuild/${slug}` : undefined);
      const github =
        commit === "pull-request" ? createGitHubClient({ token, logger: actionsLogger }) : undefined;

      const result = await unbuildToWorkspace({
        workspace,
        path: pathInput ?? `apps/${slug}`,
        tree,
        appTitle: app.title,
        appId: app.id,
        commit,
        branch,
        base,
        message,
        token,
        logger: actionsLogger,
        tempDir: process.env.RUNNER_TEMP || undefined,
        openPullRequest:
          github && repo ? (request) => upsertPullRequest(github, { ...repo, ...request }) : undefined,
      });

      writeOutput(OUTPUTS.path, result.path);
      writeOutput(OUTPUTS.changed, result.changed);
      writeOutput(OUTPUTS.diff, result.diff);
      writeOutput(OUTPUTS.pullRequestUrl, result.pullRequest?.url ?? "");
      writeOutput(OUTPUTS.commitSha, result.commit ?? "");
      writeOutput(OUTPUTS.appId, app.id);
      await core.summary
        .addRaw(secrets.redact(renderUnbuildSummary({ app, tenant: client.tenantName, commit, result })))
        .write();
      if (upload) await uploadFiles(tree, slug, result);
    } finally {
      await client.close();
    }
  });
}
