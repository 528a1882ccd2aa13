/**
 * The Qlik endpoints this project calls without @qlik/api, because @qlik/api (2.19) has no function for
 * them. Every other Qlik call goes through `QlikClient.call` with @qlik/api's typed functions; this is
 * the only module that sends raw requests, each typed here and sent through the client (`fetch`), so it
 * gets the same rate limiter, retries, typed errors and audit as every other call.
 *
 *  - `POST {tenant}/oauth/token` (client credentials) — @qlik/api asks for tokens only inside its own
 *    `oauth2` host config, whose cache is keyed without the host and ignores `expires_in`
 *    (token-cache.ts); the client asks for its tokens itself.
 *  - `POST /api/v1/automations/{id}/actions/execute` (header `X-Execution-Token`) — the trigger URL of an
 *    automation in triggered run mode, documented on Qlik Help, in neither the automations OpenAPI nor
 *    @qlik/api (test/contracts/qlik/exceptions.ts records the same).
 */
import type { FetchSpec, QlikClient } from "./client.ts";
import { isRetryableStatus } from "./retry.ts";

/** The OAuth token endpoint's answer (the fields the client reads). */
export interface OAuthTokenAnswer {
  access_token?: string;
  /** Lifetime in seconds. */
  expires_in?: number;
  token_type?: string;
}

/** `POST /oauth/token` with the client-credentials grant (the client sends it; not rate limited or audited). */
export function clientCredentialsTokenRequest(
  tenantUrl: string,
  credentials: { clientId: string; clientSecret: string; scope?: string },
): FetchSpec {
  return {
    tier: "write",
    method: "POST",
    resource: "/oauth/token",
    idempotent: true, // issuing a token changes nothing on the tenant
    url: `${tenantUrl}/oauth/token`,
    body: {
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      grant_type: "client_credentials",
      ...(credentials.scope && { scope: credentials.scope }),
    },
  };
}

export interface ExecuteAutomationRequest {
  automationId: string;
  /** The automation's execution token (a secret the caller has registered). */
  executionToken: string;
  /** The JSON payload the automation receives. */
  inputs: unknown;
  /** Start the run and answer at once (`X-Execution-Async`) instead of waiting for its end. */
  async: boolean;
  /** How long a synchronous run may take; past it the call fails with a QlikTimeoutError. */
  timeoutMs: number;
}

export interface ExecuteAutomationAnswer {
  /** HTTP status: 200 when the run finished (or started, async); ≥ 400 with Qlik's error body otherwise. */
  status: number;
  /** `X-Automation-Run-Id`, or the id in an asynchronous answer ("" when neither says). */
  runId: string;
  /** The automation's output (synchronous), `{ id, status }` (asynchronous), or Qlik's error body. */
  body: unknown;
}

/**
 * Triggers an automation through its trigger URL. The execution token alone authorises it, so the
 * client's own credentials are not sent. Answers the client would not retry (4xx, a failed run's 500)
 * are returned for the caller to explain; a 429/502/503 is retried like any change request that was
 * not acted upon.
 */
export async function executeAutomation(
  client: QlikClient,
  request: ExecuteAutomationRequest,
): Promise<ExecuteAutomationAnswer> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-execution-token": request.executionToken,
  };
  if (request.async) headers["x-execution-async"] = "true";
  const res = await client.fetch({
    tier: "write",
    method: "POST",
    resource: "/api/v1/automations/{id}/actions/execute",
    operation: "execute automation",
    url: `/api/v1/automations/${encodeURIComponent(request.automationId)}/actions/execute`,
    headers,
    body: JSON.stringify(request.inputs ?? {}),
    credentials: false,
    answers: (status) => !isRetryableStatus(status, false),
    timeoutMs: request.timeoutMs,
  });
  const body: unknown = res.data;
  const runId =
    res.headers.get("x-automation-run-id") ?? String((body as { id?: unknown } | undefined)?.id ?? "");
  return { status: res.status, runId, body };
}
