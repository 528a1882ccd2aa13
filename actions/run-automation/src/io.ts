/** Input and output names of the run-automation action (declared in action.yml). */
export const INPUTS = {
  tenantUrl: "tenant-url",
  apiKey: "api-key",
  clientId: "client-id",
  clientSecret: "client-secret",
  automationId: "automation-id",
  mode: "mode",
  inputs: "inputs",
  executionToken: "execution-token",
  wait: "wait",
  timeoutMinutes: "timeout-minutes",
  pollIntervalSeconds: "poll-interval-seconds",
} as const;

export const OUTPUTS = {
  runId: "run-id",
  status: "status",
  result: "result",
} as const;
