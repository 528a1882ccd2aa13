/** Input and output names of the validate-app action (declared in action.yml). */
export const INPUTS = {
  path: "path",
  base: "base",
  config: "config",
  failOn: "fail-on",
  githubToken: "github-token",
} as const;

export const OUTPUTS = {
  errors: "errors",
  warnings: "warnings",
  diff: "diff",
  apps: "apps",
} as const;
