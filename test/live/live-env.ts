// What the live suite is pointed at, from QLIK_LIVE_* variables (see the README, "Running the
// end-to-end checks against a real tenant"). Nothing here is printed: credentials are registered as
// secrets before anything can be logged.
import { randomBytes } from "node:crypto";
import { secrets, type Logger } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";

const env = process.env;

const tenantUrl = env.QLIK_LIVE_TENANT_URL?.trim() || undefined;
const credentials = env.QLIK_LIVE_API_KEY
  ? { apiKey: env.QLIK_LIVE_API_KEY }
  : env.QLIK_LIVE_CLIENT_ID && env.QLIK_LIVE_CLIENT_SECRET
    ? { clientId: env.QLIK_LIVE_CLIENT_ID, clientSecret: env.QLIK_LIVE_CLIENT_SECRET }
    : undefined;
for (const value of [env.QLIK_LIVE_API_KEY, env.QLIK_LIVE_CLIENT_SECRET]) secrets.register(value);

/** A tenant and credentials are set. */
export const live = Boolean(tenantUrl && credentials);
/** The checks that create, change and delete things in a scratch space are wanted too. */
export const writeEnabled = live && /^(1|true|yes)$/i.test(env.QLIK_LIVE_WRITE?.trim() ?? "");

/** Names this run's apps (and its default scratch space) so concurrent runs never meet. */
export const runId =
  env.QLIK_LIVE_RUN_ID?.trim() ||
  (env.GITHUB_RUN_ID
    ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? "1"}`
    : randomBytes(4).toString("hex"));

/** The shared space the writing checks work in; created (and deleted afterwards) when missing. */
export const scratchSpaceName = env.QLIK_LIVE_SCRATCH_SPACE?.trim() || `ci-live-${runId}`;

/** Longest wait for one reload or evaluation on the tenant. */
export const stepTimeoutMinutes = Number(env.QLIK_LIVE_TIMEOUT_MINUTES ?? "") || 10;

export function connect(): QlikClient {
  return new QlikClient({ tenantUrl: tenantUrl!, ...credentials! });
}

/** Progress on stderr with QLIK_LIVE_VERBOSE=1 (secrets masked), silent otherwise. */
export const liveLogger: Logger = (() => {
  const verbose = /^(1|true|yes)$/i.test(env.QLIK_LIVE_VERBOSE?.trim() ?? "");
  const write = (level: string) => (message: string) => {
    if (verbose) process.stderr.write(`[live ${level}] ${secrets.redact(message)}\n`);
  };
  return { debug: () => {}, info: write("info"), warn: write("warn"), error: write("error") };
})();
