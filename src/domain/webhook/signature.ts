import { createHmac } from 'node:crypto';
import { SECRET_PREFIX } from './webhook.js';

/**
 * Standard Webhooks signing (docs/architecture.md#webhooks): the signature is `v1,` and the base64
 * HMAC-SHA256 of `${id}.${timestamp}.${body}`, keyed by the secret's base64-decoded bytes.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;
}

/**
 * The headers of one delivery attempt; the body is sent exactly as signed. With several secrets
 * (the current one and, during a rotation's overlap, the one it replaced) `webhook-signature`
 * holds one signature per secret, space-separated, as the specification allows: a receiver
 * holding either verifies.
 */
export function webhookHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestampSeconds, body)).join(' '),
  };
}
