export {
  authEnv,
  basicAuthHeader,
  DEFAULT_AUTHOR,
  Git,
  GitError,
  type FileState,
  type GitIdentity,
  type GitOptions,
  type PushOptions,
  type ReadTreeResult,
  type RunOptions,
  type RunResult,
  type StatusEntry,
} from "./git.ts";
export {
  COMMIT_MODES,
  defaultCommitMessage,
  pullRequestBody,
  unbuildToWorkspace,
  type CommitMode,
  type PullRequestInfo,
  type PullRequestRequest,
  type UnbuildToWorkspaceOptions,
  type UnbuildToWorkspaceResult,
} from "./unbuild-to-workspace.ts";
export {
  FAIL_ON,
  changedApps,
  findAppFolders,
  renderValidationMarkdown,
  validateApps,
  validationFailure,
  type AppValidation,
  type FailOn,
  type ValidateAppsOptions,
  type ValidateAppsResult,
} from "./validate-apps.ts";
/** Where app folders are told from other folders (kept here for existing imports). */
export { isAppFolder } from "@qlik-cicd/app-files";
export { defaultBaseBranch } from "./unbuild-to-workspace.ts";
export { renderUnbuildSummary } from "./unbuild-summary.ts";
export * from "./operations/index.ts";
