export * from "./run-operation.ts";
export * from "./run-action.ts";
export * from "./logger.ts";
export * from "./audit.ts";
export * from "./artifacts.ts";
export * from "./run-context.ts";
export * from "./event.ts";
export * from "./host.ts";
export * from "./inputs.ts";
// github.ts, github-host.ts and pull-request-comment.ts are imported by path, so actions that never
// talk to GitHub do not bundle Octokit.
