export * from "./options.ts";
export * from "./record.ts";
export * from "./evidence.ts";
export * from "./keywords.ts";
export * from "./eligibility.ts";
export * from "./deployed-commits.ts";
export * from "./gate.ts";
export * from "./operations/index.ts";
