export * from "./catalog.ts";
export * from "./args.ts";
export * from "./help.ts";
export * from "./run.ts";
export * from "./workflow-commands.ts";
export { main, cli, toDotenv, EXTRA_COMMANDS, type CliOutcome } from "./cli.ts";
export * from "./dispatch.ts";
export { parseRelayArgs, startRelayCommand, WEBHOOK_RELAY_HELP } from "./webhook-relay.ts";
