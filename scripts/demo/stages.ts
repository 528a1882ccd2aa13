/** The demo's stages, in order (the terminal numbers them). */
export const STAGES = [
  "Start the simulator",
  "Baseline: put the current version into production",
  "Unbuild the development app into files",
  "Pull request: change the files",
  "Validate the pull request: lint and semantic diff",
  "Deploy to test",
  "Evaluate test against the production baseline",
  "Approval",
  "Deploy to acceptance",
  "Deploy to production (republish)",
  "Post-deploy check of production",
  "Estate: the current version on every customer tenant",
  "Canary rollout of the change (one customer tenant fails)",
  "Fix the failing tenant and resume the rollout",
  "Estate view: which version every customer tenant runs, and its health",
  "Write the report",
] as const;
