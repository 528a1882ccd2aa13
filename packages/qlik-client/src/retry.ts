/**
 * What the request layer (see @qlik-cicd/common retry.ts for the policy and the two layers) considers worth
 * another try: which network failures may have reached the tenant, and which statuses mean "not done, try
 * again". The waits themselves follow the project's one policy (`withRetries`, `backoffDelay`).
 */
import type { NetworkFailure } from "./errors.ts";

/** Codes where the request certainly did not reach the server: any call may be sent again. */
const NOT_SENT: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "DNS lookup failed",
  ENETUNREACH: "network unreachable",
  EHOSTUNREACH: "host unreachable",
  EADDRNOTAVAIL: "address not available",
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
  // fetch refuses some ports outright (e.g. 1, 25, 6000), before opening any connection.
  FETCH_BAD_PORT: "the port is one that fetch refuses to use; choose another port",
};

/** Codes where the request may have been received and acted upon: only idempotent calls are repeated. */
const MAYBE_SENT: Record<string, string> = {
  ECONNRESET: "connection reset",
  EPIPE: "connection closed while sending",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CLOSED: "connection closed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "no response headers before the timeout",
  UND_ERR_BODY_TIMEOUT: "response body stalled past the timeout",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "response cut short",
  RESPONSE_TERMINATED: "the response was cut off",
};

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);
/** Permanent: retrying a host name that does not exist only delays the message. */
const PERMANENT = new Set(["ENOTFOUND", "FETCH_BAD_PORT"]);

/** Messages undici/fetch produce, for errors where only the text survived (e.g. @qlik/api's InvokeFetchError). */
const MESSAGE_PATTERNS: [RegExp, string][] = [
  [/connect timeout error/i, "UND_ERR_CONNECT_TIMEOUT"],
  [/headers timeout error/i, "UND_ERR_HEADERS_TIMEOUT"],
  [/body timeout error/i, "UND_ERR_BODY_TIMEOUT"],
  [/other side closed/i, "UND_ERR_SOCKET"],
  [/socket hang up/i, "ECONNRESET"],
  [/\bterminated\b/i, "RESPONSE_TERMINATED"],
  [/\bbad port\b/i, "FETCH_BAD_PORT"],
];

export interface ClassifiedNetworkError extends NetworkFailure {
  /** The request may have reached the server. */
  maybeSent: boolean;
  /** Worth another attempt (given the idempotency rules). */
  transient: boolean;
}

/** Finds the network error code in an error, its cause chain, or its message; undefined if it is not a network error. */
export function classifyNetworkError(error: unknown): ClassifiedNetworkError | undefined {
  const codes: string[] = [];
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    if (typeof current === "object") {
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string") codes.push(code);
      const message = (current as { message?: unknown }).message;
      if (typeof message === "string") texts.push(message);
      const nested = (current as { errors?: unknown }).errors;
      if (Array.isArray(nested)) for (const e of nested) if (typeof e?.code === "string") codes.push(e.code);
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  for (const text of texts) {
    for (const match of text.matchAll(/\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/g)) codes.push(match[1]);
    for (const [pattern, code] of MESSAGE_PATTERNS) if (pattern.test(text)) codes.push(code);
  }
  const code = codes.find((c) => c in NOT_SENT) ?? codes.find((c) => c in MAYBE_SENT);
  if (!code) return undefined;
  const notSent = code in NOT_SENT;
  return {
    code,
    words: notSent ? NOT_SENT[code] : MAYBE_SENT[code],
    kind: TIMEOUT_CODES.has(code) ? "timeout" : notSent ? "unreachable" : "network",
    maybeSent: !notSent,
    transient: !PERMANENT.has(code),
  };
}

/** Which HTTP statuses are worth another attempt, given whether a repeat is harmless. */
export function isRetryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429 || status === 502 || status === 503) return true;
  // A gateway timeout means the upstream may still have done the work: repeat only what is idempotent.
  if (status === 504) return idempotent;
  return false;
}
