import { createHmac, timingSafeEqual } from "node:crypto";

/** Qlik's webhook signature: hex HMAC-SHA256 of the raw body with the webhook's secret. */
export function signQlikWebhook(secret: string, rawBody: Uint8Array | string): string {
  return createHmac("sha256", secret).update(rawBody).digest("hex");
}

/**
 * Constant-time check of a `Qlik-Signature` header against the raw body. Lengths are compared first (the
 * expected length is public: 64 hex digits) so timingSafeEqual only ever sees equal-length buffers.
 */
export function verifyQlikSignature(
  secret: string,
  rawBody: Uint8Array,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const given = Buffer.from(header.trim().toLowerCase(), "utf8");
  const expected = Buffer.from(signQlikWebhook(secret, rawBody), "utf8");
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
