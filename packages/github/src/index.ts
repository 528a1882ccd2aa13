export * from "./client.ts";
export * from "./commits.ts";
export * from "./conditional.ts";
export * from "./errors.ts";
export * from "./link.ts";
export * from "./operations.ts";
