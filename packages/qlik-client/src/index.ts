export { QlikClient } from "./client.ts";
export type {
  CallOptions,
  CallSpec,
  CallTier,
  FetchResult,
  FetchSpec,
  HttpMethod,
  QlikClientOptions,
} from "./client.ts";
export { allPages } from "./pages.ts";
export type { Page } from "./pages.ts";
export { executeAutomation } from "./raw-endpoints.ts";
export type { ExecuteAutomationAnswer, ExecuteAutomationRequest } from "./raw-endpoints.ts";
export { connectionFromEnv, normaliseTenantUrl, validateConnection } from "./connection.ts";
export type { NormalisedTenant, QlikConnectionOptions } from "./connection.ts";
export {
  QlikApiError,
  QlikConflictError,
  QlikForbiddenError,
  QlikNotFoundError,
  QlikRateLimitedError,
  QlikServerError,
  QlikTimeoutError,
  QlikUnauthorizedError,
  QlikUnreachableError,
} from "./errors.ts";
export type { QlikErrorKind, RequestRetries } from "./errors.ts";
export { defaultTierRates, rateLimiters } from "./rate-limiter.ts";
export type { TierRates } from "./rate-limiter.ts";
// The retry policy and clock live in @qlik-cicd/common (one policy for the project); re-exported here.
export { backoffDelay, defaultRetryPolicy, parseRetryAfter, systemClock } from "@qlik-cicd/common";
export type { Clock, RetryPolicy } from "@qlik-cicd/common";
export { tokenCache } from "./token-cache.ts";
export { defaultTransportOptions } from "./transport.ts";
export type { HostConfig } from "@qlik/api/auth";
export type { Doc } from "@qlik/api/qix";
export {
  CONNECTION_INPUTS,
  readConnection,
  withQlikClient,
  type ConnectionInput,
} from "./connection-inputs.ts";
