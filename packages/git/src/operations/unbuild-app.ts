// unbuild-app: read an app from the tenant into files, write them into the workspace, and optionally
// commit, push or propose them as one pull request per app.
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { appSlug, unbuildApp, writeAppTree, type AppTree } from "@qlik-cicd/app-files";
import { ConfigError, defineOperation, resolveWorkspacePath, type OperationHost } from "@qlik-cicd/common";
import { resolveApp, type AppChoice } from "@qlik-cicd/delivery";
import { upsertPullRequest, type GitHubClient } from "@qlik-cicd/github";
import {
  CONNECTION_INPUTS,
  readConnection,
  withQlikClient,
  type ConnectionInput,
} from "@qlik-cicd/qlik-client";
import { Git } from "../git.ts";
import { renderUnbuildSummary } from "../unbuild-summary.ts";
import {
  COMMIT_MODES,
  defaultBaseBranch,
  unbuildToWorkspace,
  type CommitMode,
  type UnbuildToWorkspaceResult,
} from "../unbuild-to-workspace.ts";

export interface UnbuildAppOptions {
  connection: ConnectionInput;
  app: AppChoice;
  workspace: string;
  /** The folder for the app, relative to the workspace (default `apps/<slug>`). */
  path?: string;
  commit: CommitMode;
  branch?: string;
  base?: string;
  message?: string;
  token?: string;
  upload: boolean;
  repository?: { owner: string; repo: string };
  tempDir: string;
}

export interface UnbuildAppResult {
  app: { id: string; title: string };
  tenant: string;
  commit: CommitMode;
  result: UnbuildToWorkspaceResult;
}

function appChoice(inputs: { string(name: string): string | undefined }): AppChoice {
  const appId = inputs.string("app-id");
  const appName = inputs.string("app-name");
  const space = inputs.string("space");
  if (appId) return { appId };
  if (!appName) {
    throw new ConfigError("Set 'app-id', or 'app-name' and 'space', to choose the app to unbuild.", {
      field: "app-id",
    });
  }
  if (!space) {
    throw new ConfigError(`Input 'space' is required with 'app-name' ('${appName}'): name the app's space.`, {
      field: "space",
    });
  }
  return { appName, space };
}

/** Uploads exactly the app's files, from a private copy (the pull-request mode writes no workspace files). */
async function uploadAppFiles(
  host: OperationHost<GitHubClient>,
  tree: AppTree,
  slug: string,
  result: UnbuildToWorkspaceResult,
  tempDir: string,
): Promise<void> {
  const name = `qlik-app-${slug}`;
  if (!host.canUploadArtifacts) {
    host.notice(
      `upload-artifact: no artifact storage on this runner (ACTIONS_RUNTIME_TOKEN is not set); '${name}' was not uploaded.`,
    );
    return;
  }
  const dir = await mkdtemp(join(tempDir, "qlik-artifact-"));
  try {
    await writeAppTree(dir, tree);
    const files = [...tree.fileTexts().keys()].map((rel) => join(dir, ...rel.split("/")));
    await host.uploadArtifact(name, files, dir);
    host.logger.info(`Uploaded ${files.length} files of ${result.path} as artifact '${name}'.`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const unbuildAppOperation = defineOperation({
  name: "unbuild-app",
  inputs: {
    ...CONNECTION_INPUTS,
    "app-id": {},
    "app-name": {},
    space: {},
    path: {},
    commit: { default: "none" },
    branch: {},
    base: {},
    "commit-message": {},
    "github-token": {},
    "upload-artifact": { default: "false" },
  },
  outputNames: ["path", "changed", "diff", "pull-request-url", "commit-sha", "app-id"],

  // Every input is checked before the tenant is contacted or a file is written.
  options(inputs, host: OperationHost<GitHubClient>): UnbuildAppOptions {
    const token = inputs.secret("github-token");
    const commit = inputs.choice("commit", COMMIT_MODES) ?? "none";
    const app = appChoice(inputs);
    // The files go into the checked-out repository, so `path` stays inside the workspace wherever this
    // runs (unbuildToWorkspace checks it again); an escape fails here, before the tenant is contacted.
    const path = inputs.string("path");
    if (path) resolveWorkspacePath(host.workspace, path, { field: "path", kind: "folder" });
    if (commit !== "none" && !token) {
      throw new ConfigError(`Input 'github-token' is required with commit: ${commit}.`, {
        field: "github-token",
        hint: "Pass a GitHub App or personal token with contents: write and pull-requests: write.",
      });
    }
    if (commit === "pull-request" && !host.run.repository) {
      throw new ConfigError(
        "GITHUB_REPOSITORY is not set (owner/name): it is needed to open the pull request.",
        {
          field: "GITHUB_REPOSITORY",
        },
      );
    }
    const branch = inputs.string("branch");
    const base = inputs.string("base");
    const message = inputs.string("commit-message");
    return {
      connection: readConnection(inputs, host.env),
      app,
      workspace: host.workspace,
      ...(path ? { path } : {}),
      commit,
      ...(branch ? { branch } : {}),
      ...(base ? { base } : {}),
      ...(message ? { message } : {}),
      ...(token ? { token } : {}),
      upload: inputs.boolean("upload-artifact") ?? false,
      ...(host.run.repository ? { repository: host.run.repository } : {}),
      tempDir: host.tempDir,
    };
  },

  async run(options, host: OperationHost<GitHubClient>): Promise<UnbuildAppResult> {
    const { commit, token } = options;
    const git = new Git({ cwd: options.workspace, logger: host.logger });
    if (commit !== "none" && !(await git.isRepository())) {
      throw new ConfigError(
        `The workspace ${options.workspace} is not a git repository, so commit '${commit}' cannot be used.`,
        {
          field: "commit",
          hint: "Check out the repository with actions/checkout first, or set commit: none.",
        },
      );
    }
    return withQlikClient(options.connection, { logger: host.logger }, async (client) => {
      const app = await resolveApp(client, options.app);
      host.logger.info(`Unbuilding '${app.title}' (${app.id}) from ${client.tenantName}.`);
      // The whole app is read into memory first: a failure here leaves no file touched.
      const tree = await client.withApp(app.id, (doc) => unbuildApp(doc, { logger: host.logger }));
      const slug = appSlug(app.title);
      const pullRequest = commit === "pull-request";
      const base = pullRequest
        ? (options.base ?? (await defaultBaseBranch(git, host.run, token)))
        : options.base;
      const github = pullRequest && token ? host.github(token) : undefined;
      const repo = options.repository;
      const result = await unbuildToWorkspace({
        workspace: options.workspace,
        path: options.path ?? `apps/${slug}`,
        tree,
        appTitle: app.title,
        appId: app.id,
        commit,
        branch: options.branch ?? (pullRequest ? `qlik/unbuild/${slug}` : undefined),
        base,
        message: options.message,
        token,
        logger: host.logger,
        tempDir: options.tempDir,
        openPullRequest:
          github && repo ? (request) => upsertPullRequest(github, { ...repo, ...request }) : undefined,
      });
      if (options.upload) await uploadAppFiles(host, tree, slug, result, options.tempDir);
      return { app, tenant: client.tenantName, commit, result };
    });
  },

  outputs: ({ app, result }) => ({
    path: result.path,
    changed: result.changed,
    diff: result.diff,
    "pull-request-url": result.pullRequest?.url ?? "",
    "commit-sha": result.commit ?? "",
    "app-id": app.id,
  }),
  summary: (result) => renderUnbuildSummary(result),
});
