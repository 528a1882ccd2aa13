export * from "./statuses.ts";
export type { SameUnion } from "./type-check.ts";
export { assertSameUnion } from "./type-check.ts";
export * from "./system-variables.ts";
export * from "./object-types.ts";
