export * from "./statuses.ts";
export type { SameUnion } from "./type-check.ts";
export { assertSameUnion } from "./type-check.ts";
export * from "./system-variables.ts";
export * from "./object-types.ts";
export * from "./automation-runs.ts";
export * from "./evaluation-statuses.ts";
export * from "./tenant-settings.ts";
export * from "./webhooks.ts";
