export {
  buildEstateReport,
  matchesVersion,
  mergeEstateReports,
  parseExpectedVersions,
  readEstate,
  versionLabel,
  type EstateDeps,
  type EstateInput,
} from "./read.ts";
export { renderEstateHtml } from "./html.ts";
export { PROBLEM_TEXT, renderEstateMarkdown, renderNotCurrent } from "./render.ts";
export { PROBLEMS } from "./types.ts";
export type {
  AppEstate,
  DeployedVersion,
  DriftCounts,
  EstateProblem,
  EstateReport,
  ReloadSummary,
  TenantEstate,
  VersionGroup,
  VersionStatus,
} from "./types.ts";
