/** Input and output names of the configure-tenant action (declared in action.yml). */
export const INPUTS = {
  tenantUrl: "tenant-url",
  apiKey: "api-key",
  clientId: "client-id",
  clientSecret: "client-secret",
  blueprint: "blueprint",
  mode: "mode",
  dryRun: "dry-run",
  pruneUsers: "prune-users",
  driftReportDir: "drift-report-dir",
  failOnDrift: "fail-on-drift",
  githubToken: "github-token",
} as const;

export const OUTPUTS = {
  changed: "changed",
  plan: "plan",
  drift: "drift",
  driftReport: "drift-report",
} as const;
