// `qlik-cicd webhook-relay`: serves the tenant package's webhook relay (signed Qlik webhook deliveries
// → GitHub repository_dispatch events) until SIGTERM/SIGINT. Prints one JSON line ({"url": …}) on stdout.
import { parseArgs } from "node:util";
import { secrets, type Logger } from "@qlik-cicd/common";
import { UsageError } from "./args.ts";

export const WEBHOOK_RELAY_HELP = `qlik-cicd webhook-relay: forward signed Qlik webhook deliveries to GitHub as repository_dispatch events.

Usage: qlik-cicd webhook-relay --repository <owner/repo> [options]

Options:
  --repository <owner/repo>  Repository that receives the events (or GITHUB_REPOSITORY).
  --secret <value>           The Qlik webhook's signing secret (prefer QLIK_WEBHOOK_SECRET).
  --github-token <value>     Token with contents: write on the repository (prefer GITHUB_TOKEN).
  --github-api-url <url>     GitHub API base (or GITHUB_API_URL; default https://api.github.com).
  --event-types <list>       Qlik event types to forward, comma-separated (default: all).
  --host <address>           Address to listen on (default 127.0.0.1; 0.0.0.0 to accept from outside).
  --port <n>                 Port to listen on (or PORT; default 8080; 0 = any free port).

Prints one JSON line with the relay's URL on stdout, logs on stderr, and serves until SIGTERM/SIGINT.
`;

const VALUE_FLAGS = ["repository", "secret", "github-token", "github-api-url", "event-types", "host", "port"];

export function parseRelayArgs(argv: string[]): Record<string, string> | "help" {
  const options: NonNullable<Parameters<typeof parseArgs>[0]>["options"] = {
    help: { type: "boolean", short: "h" },
  };
  for (const flag of VALUE_FLAGS) options[flag] = { type: "string" };
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string> = {};
  for (const token of tokens) {
    if (token.kind === "option" && token.name === "help") return "help";
    if (token.kind === "positional" || (token.kind === "option" && !VALUE_FLAGS.includes(token.name))) {
      const shown = token.kind === "positional" ? token.value : token.rawName;
      throw new UsageError(
        `Unknown option '${shown}' for webhook-relay; see 'qlik-cicd webhook-relay --help'.`,
      );
    }
    if (token.kind !== "option") continue;
    // A value that is the next option means the value is missing.
    const value = token.inlineValue || !token.value?.startsWith("--") ? token.value : undefined;
    if (!value) throw new UsageError(`Option '--${token.name}' of webhook-relay needs a value.`);
    values[token.name] = value;
  }
  return values;
}

function stderrLogger(): Logger {
  const line = (prefix: string) => (message: string) =>
    void process.stderr.write(`${prefix}${secrets.redact(message)}\n`);
  return { debug: () => {}, info: line(""), warn: line("warning: "), error: line("error: ") };
}

/** Starts the relay; resolves once it listens. Throws UsageError for missing or bad settings. */
export async function startRelayCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<"help" | "running"> {
  const flags = parseRelayArgs(argv);
  if (flags === "help") {
    process.stdout.write(WEBHOOK_RELAY_HELP);
    return "help";
  }
  const secret = flags.secret ?? env.QLIK_WEBHOOK_SECRET;
  const token = flags["github-token"] ?? env.GITHUB_TOKEN;
  const repository = flags.repository ?? env.GITHUB_REPOSITORY;
  secrets.register(secret);
  secrets.register(token);
  if (!secret) throw new UsageError("Set the webhook's signing secret with --secret or QLIK_WEBHOOK_SECRET.");
  if (!token) throw new UsageError("Set a GitHub token with --github-token or GITHUB_TOKEN.");
  const [owner, repo, extra] = (repository ?? "").split("/");
  if (!owner || !repo || extra !== undefined) {
    throw new UsageError("Set the target repository as owner/repo with --repository or GITHUB_REPOSITORY.");
  }
  const portText = flags.port ?? env.PORT ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Option '--port' must be a whole number from 0 to 65535, got '${portText}'.`);
  }
  const { startWebhookRelay } = await import("@qlik-cicd/tenant");
  // The CLI is an adapter like the actions: its GitHub client comes from the same factory.
  const { createGitHubClient } = await import("../../../actions/_shared/src/github.ts");
  const logger = stderrLogger();
  const client = createGitHubClient({ token, apiUrl: flags["github-api-url"] ?? env.GITHUB_API_URL, logger });
  const relay = await startWebhookRelay({
    secret,
    github: { client, owner, repo },
    eventTypes: flags["event-types"]
      ?.split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    host: flags.host ?? "127.0.0.1",
    port,
    logger,
  });
  process.stdout.write(`${JSON.stringify({ url: relay.url, repository: `${owner}/${repo}` })}\n`);
  process.stderr.write(`Relaying Qlik webhooks at ${relay.url} to ${owner}/${repo}.\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return "running";
}
