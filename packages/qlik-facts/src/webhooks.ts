// Webhook secrets: Qlik signs each delivery with HMAC-SHA256 of the raw body under the webhook's secret
// and takes secrets of 32 to 64 characters (webhooks OpenAPI, WebhookBase.secret minLength/maxLength;
// @qlik/api's types carry no length, so this is held against the description in the contract tests).

export const WEBHOOK_SECRET_MIN_LENGTH = 32;
export const WEBHOOK_SECRET_MAX_LENGTH = 64;

/** Whether Qlik takes this webhook secret. */
export function isValidWebhookSecret(secret: string): boolean {
  return secret.length >= WEBHOOK_SECRET_MIN_LENGTH && secret.length <= WEBHOOK_SECRET_MAX_LENGTH;
}
