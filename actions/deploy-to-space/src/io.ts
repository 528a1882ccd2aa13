/** Input and output names of the deploy-to-space action (declared in action.yml). */
export const INPUTS = {
  tenantUrl: "tenant-url",
  apiKey: "api-key",
  clientId: "client-id",
  clientSecret: "client-secret",
  source: "source",
  sourceAppId: "source-app-id",
  space: "space",
  stagingSpace: "staging-space",
  appName: "app-name",
  parameters: "parameters",
  environment: "environment",
  reload: "reload",
  reloadTimeoutMinutes: "reload-timeout-minutes",
  prune: "prune",
  dryRun: "dry-run",
  rollbackOnFailure: "rollback-on-failure",
  rollback: "rollback",
  rollbackDir: "rollback-dir",
} as const;

export const OUTPUTS = {
  appId: "app-id",
  publishedAppId: "published-app-id",
  itemId: "item-id",
  appUrl: "app-url",
  changed: "changed",
  plan: "plan",
  reloadId: "reload-id",
  reloadStatus: "reload-status",
} as const;
