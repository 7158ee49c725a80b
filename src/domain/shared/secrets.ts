import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Credentials: 256 random bits, shown once, stored only as SHA-256 (docs/architecture.md#credentials). The prefix
 * says what a leaked string is, so secret scanners and people can recognise it.
 */
export function newSecret(prefix: 'roster_scim' | 'roster_key'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Runs on every authenticated request: the one-shot digest, not a Hash object. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time equality of two hex digests of the same length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
