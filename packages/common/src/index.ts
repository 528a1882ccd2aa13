export * from "./logger.ts";
export * from "./secrets.ts";
export * from "./errors.ts";
export * from "./canonical-json.ts";
export * from "./concurrency.ts";
export * from "./digest.ts";
export * from "./mutation-events.ts";
export * from "./audit-trail.ts";
