/** Input and output names of the evaluate-app action (declared in action.yml). */
export const INPUTS = {
  tenantUrl: "tenant-url",
  apiKey: "api-key",
  clientId: "client-id",
  clientSecret: "client-secret",
  appId: "app-id",
  space: "space",
  appName: "app-name",
  source: "source",
  scratchSpace: "scratch-space",
  baseline: "baseline",
  baselineSpace: "baseline-space",
  baselineMaxAgeHours: "baseline-max-age-hours",
  passes: "passes",
  timeoutMinutes: "timeout-minutes",
  maxRegressionPercent: "max-regression-percent",
  minRegressionMs: "min-regression-ms",
  maxObjectMs: "max-object-ms",
  maxAppOpenMs: "max-app-open-ms",
  maxMemoryRegressionPercent: "max-memory-regression-percent",
  failOnErrors: "fail-on-errors",
  reportPath: "report-path",
  uploadArtifact: "upload-artifact",
  githubToken: "github-token",
} as const;

export const OUTPUTS = {
  evaluationId: "evaluation-id",
  baselineEvaluationId: "baseline-evaluation-id",
  verdict: "verdict",
  report: "report",
} as const;
