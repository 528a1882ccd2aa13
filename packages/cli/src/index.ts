export * from "./catalog.ts";
export * from "./args.ts";
export * from "./help.ts";
export * from "./run.ts";
export * from "./operations.ts";
export * from "./terminal-text.ts";
export { main, cli, renderFindings, toDotenv, EXTRA_COMMANDS, type CliOutcome } from "./cli.ts";
export { parseRelayArgs, startRelayCommand, WEBHOOK_RELAY_HELP } from "./webhook-relay.ts";
