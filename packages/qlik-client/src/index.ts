export { QlikClient } from "./client.ts";
export type { CallSpec, CallTier, FetchResult, FetchSpec, HttpMethod, QlikClientOptions } from "./client.ts";
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
export type { QlikErrorKind } from "./errors.ts";
export { defaultTierRates, rateLimiters } from "./rate-limiter.ts";
export type { TierRates } from "./rate-limiter.ts";
export { backoffDelay, defaultRetryPolicy, parseRetryAfter, systemClock } from "./retry.ts";
export type { Clock, RetryPolicy } from "./retry.ts";
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
