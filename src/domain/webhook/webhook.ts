import { randomBytes } from 'node:crypto';
import { InvalidValueError } from '../errors.js';
import { characterProblem } from '../shared/validate.js';

/**
 * Webhook endpoints and their deliveries (docs/architecture.md#webhooks): an admin registers a URL
 * and the event types it wants; every matching change event is POSTed to it, signed as the
 * Standard Webhooks specification says, in the order of the feed, retried until it is taken.
 */

export interface WebhookEndpoint {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  /** The event types delivered to it, each one of the feed's types. */
  readonly events: readonly string[];
  readonly description: string | null;
  readonly enabled: boolean;
  /** Why it is disabled: an admin did it, or its deliveries failed for the whole retry period. */
  readonly disabledReason: 'manual' | 'failing' | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When the signing secret was last replaced; null if never. */
  readonly secretRotatedAt: Date | null;
  /**
   * Until when deliveries are also signed with the secret the last rotation replaced, so that
   * receivers can switch over; null when they are not (never rotated, no overlap, or it ended).
   */
  readonly previousSecretExpiresAt: Date | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event on its way to one endpoint, with what its attempts so far gave. */
export interface WebhookDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly endpointId: string;
  /** The event delivered; also the `webhook-id` header, the same on every attempt. */
  readonly eventId: string;
  readonly eventType: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** The HTTP status of the last answer; null when there was none (refused, timed out) or no attempt yet. */
  readonly lastStatusCode: number | null;
  /** Why the last attempt failed, in a few words (never the response body). */
  readonly lastError: string | null;
  readonly lastAttemptAt: Date | null;
  /** When the next attempt is due; null once delivered or given up. */
  readonly nextAttemptAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly createdAt: Date;
}

/** The Standard Webhooks secret prefix; the rest is the base64 of the key's bytes. */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes (the specification asks for 24 to 64), base64, prefixed. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** How long a rotation keeps signing with the replaced secret too, unless it says otherwise: 24 hours. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;
/** The longest overlap a rotation may ask for: 7 days. */
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 86_400;

/** The overlap a rotation asks for, in seconds: the default when left out, 0 for none. */
export function normaliseSecretOverlap(value: unknown): number {
  if (value === null || value === undefined) return DEFAULT_SECRET_OVERLAP_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SECRET_OVERLAP_SECONDS) {
    throw new InvalidValueError(`"overlapSeconds" must be a whole number of seconds from 0 to ${MAX_SECRET_OVERLAP_SECONDS}`, 'overlapSeconds');
  }
  return value;
}

export const MAX_URL_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 1000;

/** The event types an endpoint subscribes to: at least one, each known, each once. */
export function normaliseEventTypes(value: unknown, known: readonly string[]): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidValueError('"events" must name at least one event type', 'events');
  const out: string[] = [];
  for (const t of value) {
    if (typeof t !== 'string' || !known.includes(t)) {
      throw new InvalidValueError(`"events" holds an unknown event type; known types: ${known.join(', ')}`, 'events');
    }
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

export function normaliseDescription(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new InvalidValueError('"description" must be a string', 'description');
  const v = value.trim();
  if (v.length > MAX_DESCRIPTION_LENGTH) throw new InvalidValueError(`"description" is longer than ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
  const problem = characterProblem(v);
  if (problem) throw new InvalidValueError(`"description" ${problem}`, 'description');
  return v === '' ? null : v;
}

/** An endpoint as events and GraphQL show it: never its secret. */
export function endpointData(e: WebhookEndpoint): Readonly<Record<string, unknown>> {
  return {
    id: e.id,
    tenantId: e.tenantId,
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}
