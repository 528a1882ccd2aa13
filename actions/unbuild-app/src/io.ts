/** Input and output names of the unbuild-app action (declared in action.yml). */
export const INPUTS = {
  tenantUrl: "tenant-url",
  apiKey: "api-key",
  clientId: "client-id",
  clientSecret: "client-secret",
  appId: "app-id",
  appName: "app-name",
  space: "space",
  path: "path",
  commit: "commit",
  branch: "branch",
  base: "base",
  commitMessage: "commit-message",
  githubToken: "github-token",
  uploadArtifact: "upload-artifact",
} as const;

export const OUTPUTS = {
  path: "path",
  changed: "changed",
  diff: "diff",
  pullRequestUrl: "pull-request-url",
  commitSha: "commit-sha",
  appId: "app-id",
} as const;
