import { CicdError, secrets } from "@qlik-cicd/common";

export type QlikErrorKind =
  | "unauthorized"
  | "forbidden"
  | "notFound"
  | "conflict"
  | "rateLimited"
  | "timeout"
  | "unreachable"
  | "server"
  | "badRequest"
  | "network";

/**
 * How the client's request retries ended (the two layers are described in @qlik-cicd/common retry.ts):
 *  - `exhausted`: the failure was worth repeating and the client repeated it until its attempts or its
 *    deadline ran out — running the operation again at once would repeat the same retries;
 *  - `unsafe`: the request may have reached the tenant and repeating it could apply a change twice, so it
 *    was sent once; only reading the tenant's state shows whether it took effect.
 */
export type RequestRetries = "exhausted" | "unsafe";

export interface QlikApiErrorInit {
  kind: QlikErrorKind;
  tenant: string;
  method: string;
  resource: string;
  status?: number;
  code?: string;
  attempts?: number;
  retries?: RequestRetries;
  hint?: string;
  cause?: unknown;
}

/**
 * A failed call to a tenant. The message is one sentence naming tenant, method and resource; `hint`
 * says what to do. Messages are passed through the secret registry so no registered value survives.
 */
export class QlikApiError extends CicdError {
  readonly kind: QlikErrorKind;
  readonly status: number | undefined;
  readonly tenant: string;
  readonly method: string;
  readonly resource: string;
  /** Qlik's error code from the response body (e.g. `HTTP-409`) or the network error code (e.g. `ECONNREFUSED`). */
  readonly code: string | undefined;
  /** How many times the call was sent before giving up. */
  readonly attempts: number;
  /** How the client's retries ended, when that matters to a caller deciding to run an operation again. */
  retries: RequestRetries | undefined;
  constructor(message: string, init: QlikApiErrorInit) {
    super(secrets.redact(message), {
      hint: init.hint === undefined ? undefined : secrets.redact(init.hint),
      cause: init.cause,
    });
    this.kind = init.kind;
    this.status = init.status;
    this.tenant = init.tenant;
    this.method = init.method;
    this.resource = init.resource;
    this.code = init.code;
    this.attempts = init.attempts ?? 1;
    this.retries = init.retries;
  }
}

export class QlikUnauthorizedError extends QlikApiError {}
export class QlikForbiddenError extends QlikApiError {}
export class QlikNotFoundError extends QlikApiError {}
export class QlikConflictError extends QlikApiError {}
export class QlikRateLimitedError extends QlikApiError {}
export class QlikTimeoutError extends QlikApiError {}
export class QlikUnreachableError extends QlikApiError {}
export class QlikServerError extends QlikApiError {}

/** What the caller authenticated as, for the 401 sentence. Never a secret. */
export type Principal = { kind: "apiKey" } | { kind: "oauth"; clientId: string };

export interface HttpFailure {
  status: number;
  /** Qlik's `errors[0].code` / `title`, if the body had one. */
  qlikCode?: string;
  qlikTitle?: string;
}

export interface ErrorContext {
  tenant: string;
  method: string;
  resource: string;
  principal: Principal;
  attempts: number;
  cause?: unknown;
}

function who(principal: Principal): string {
  return principal.kind === "apiKey" ? "the API key" : `the OAuth client '${principal.clientId}'`;
}

function where(ctx: ErrorContext): string {
  return `${ctx.method} ${ctx.resource}`;
}

function after(ctx: ErrorContext): string {
  return ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : "";
}

/** Builds the typed error for an HTTP status ≥ 400 (or 3xx that should not happen). */
export function errorForStatus(failure: HttpFailure, ctx: ErrorContext): QlikApiError {
  const { status } = failure;
  const detail = failure.qlikTitle ? ` (${failure.qlikTitle.replace(/[.\s]+$/, "")})` : "";
  const base = {
    tenant: ctx.tenant,
    method: ctx.method,
    resource: ctx.resource,
    status,
    code: failure.qlikCode,
    attempts: ctx.attempts,
    cause: ctx.cause,
  };
  switch (status) {
    case 401:
      return new QlikUnauthorizedError(
        `${capitalise(who(ctx.principal))} was rejected by tenant ${ctx.tenant} (401 on ${where(ctx)}).`,
        {
          ...base,
          kind: "unauthorized",
          hint:
            ctx.principal.kind === "apiKey"
              ? "Check that the API key belongs to this tenant, has not expired and was not revoked."
              : "Check the client id and secret, and that the OAuth client exists on this tenant and is allowed the client-credentials grant.",
        },
      );
    case 403:
      return new QlikForbiddenError(
        `Tenant ${ctx.tenant} refused ${where(ctx)}: ${who(ctx.principal)} lacks permission${detail}.`,
        {
          ...base,
          kind: "forbidden",
          hint: "Grant the user behind the credentials the role or space permission this operation needs (right after a publish, access can take a minute or two).",
        },
      );
    case 404:
      return new QlikNotFoundError(
        `Tenant ${ctx.tenant} has no ${ctx.resource} (404 on ${ctx.method})${detail}.`,
        {
          ...base,
          kind: "notFound",
          hint: "Check the id or name, and that it exists on this tenant and is visible to these credentials.",
        },
      );
    case 409:
      return new QlikConflictError(`Tenant ${ctx.tenant} reported a conflict for ${where(ctx)}${detail}.`, {
        ...base,
        kind: "conflict",
        hint: "The resource already exists or was changed at the same time; re-read it and retry, or choose another name.",
      });
    case 429:
      return new QlikRateLimitedError(`Tenant ${ctx.tenant} kept rate-limiting ${where(ctx)}${after(ctx)}.`, {
        ...base,
        kind: "rateLimited",
        hint: "Lower the parallelism or the configured rate limits, or run again later.",
      });
    default:
      if (status >= 500) {
        return new QlikServerError(
          `Tenant ${ctx.tenant} failed with ${status} on ${where(ctx)}${after(ctx)}${detail}.`,
          {
            ...base,
            kind: "server",
            hint: "This is a server-side problem; run again later and check the Qlik Cloud status page if it persists.",
          },
        );
      }
      return new QlikApiError(`Tenant ${ctx.tenant} rejected ${where(ctx)} with ${status}${detail}.`, {
        ...base,
        kind: "badRequest",
        hint: "Check the values sent for this resource.",
      });
  }
}

export interface NetworkFailure {
  /** ECONNREFUSED, ENOTFOUND, UND_ERR_HEADERS_TIMEOUT, ... */
  code: string;
  kind: "unreachable" | "timeout" | "network";
  /** Human words for the code, e.g. `connection refused`. */
  words: string;
}

export function errorForNetwork(failure: NetworkFailure, ctx: ErrorContext): QlikApiError {
  const base = {
    tenant: ctx.tenant,
    method: ctx.method,
    resource: ctx.resource,
    code: failure.code,
    attempts: ctx.attempts,
    cause: ctx.cause,
  };
  if (failure.kind === "unreachable") {
    return new QlikUnreachableError(
      `Cannot reach tenant ${ctx.tenant} for ${where(ctx)} (${failure.words})${after(ctx)}.`,
      {
        ...base,
        kind: "unreachable",
        hint: "Check the tenant URL, DNS, firewall and the HTTPS_PROXY/NO_PROXY settings.",
      },
    );
  }
  if (failure.kind === "timeout") {
    return new QlikTimeoutError(
      `Tenant ${ctx.tenant} did not answer ${where(ctx)} in time (${failure.words})${after(ctx)}.`,
      {
        ...base,
        kind: "timeout",
        hint: "The tenant or the network is slow; run again, or raise the client's timeouts.",
      },
    );
  }
  return new QlikApiError(
    `The connection to tenant ${ctx.tenant} failed during ${where(ctx)} (${failure.words})${after(ctx)}.`,
    {
      ...base,
      kind: "network",
      hint: "Run again; if the call changes something, check first whether it already took effect.",
    },
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
