import type { ListResult } from '../ports.js';
import type { WebhookDelivery, WebhookEndpoint } from './webhook.js';

/** Webhook endpoints of a tenant; every method but `locate` takes the tenant first. */
export interface WebhookEndpointRepository {
  /** The enabled endpoints of these tenants (fan-out matches events to them). */
  enabledIn(tenantIds: readonly string[]): Promise<WebhookEndpoint[]>;
  /** Which tenant holds the endpoint with this id (ids are unique across tenants). */
  locate(id: string): Promise<string | null>;
  get(tenantId: string, id: string, opts?: { forUpdate?: boolean }): Promise<WebhookEndpoint | null>;
  list(tenantId: string): Promise<WebhookEndpoint[]>;
  insert(e: WebhookEndpoint, secret: string): Promise<void>;
  update(e: WebhookEndpoint): Promise<void>;
  /**
   * Replaces the signing secret. The one replaced is kept, and signs too, until `previousUntil`;
   * with null it is dropped at once (so is any secret an earlier rotation kept).
   */
  setSecret(tenantId: string, id: string, secret: string, at: Date, previousUntil: Date | null): Promise<boolean>;
  /** Drops replaced secrets whose overlap has ended; returns how many. */
  forgetExpiredSecrets(): Promise<number>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** One event for one endpoint: what every delivery carries. */
interface DeliveryOfEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly endpointId: string;
  /** The event delivered; also the `webhook-id` header, the same on every attempt. */
  readonly eventId: string;
  readonly eventType: string;
  /** The body, `{type, timestamp, data}`, as fan-out made it. */
  readonly payload: unknown;
}

/** A delivery as fan-out queues it. */
export interface NewDelivery extends DeliveryOfEvent {
  readonly createdAt: Date;
}

/** A delivery taken from the queue for one attempt, with what the attempt needs. */
export interface ClaimedDelivery extends DeliveryOfEvent {
  readonly url: string;
  readonly secret: string;
  /** The secret the last rotation replaced, while its overlap lasts: the attempt is signed with both. */
  readonly previousSecret: string | null;
  /** Attempts so far, this one included. */
  readonly attempts: number;
  readonly firstAttemptAt: Date;
  /** Proves the claim is still this process's when the outcome is written. */
  readonly leaseToken: string;
}

export interface AttemptOutcome {
  readonly statusCode: number | null;
  readonly error: string | null;
}

/**
 * The delivery queue in PostgreSQL. Reads and writes here span tenants (the dispatcher serves
 * every tenant); each row is still addressed by its tenant and id.
 */
export interface WebhookDeliveryRepository {
  locate(id: string): Promise<string | null>;
  get(tenantId: string, id: string): Promise<WebhookDelivery | null>;
  /** An endpoint's deliveries, newest first. */
  list(tenantId: string, endpointId: string, page: { cursor: string | null; limit: number }): Promise<ListResult<WebhookDelivery>>;
  /**
   * Takes the fan-out for this transaction (`taken` is false when another process is fanning out
   * now) and answers the position fan-out has reached (null: nothing fanned out yet), and whether
   * any tenant has an enabled endpoint.
   */
  beginFanOut(): Promise<{ readonly taken: boolean; readonly position: string | null; readonly endpoints: boolean }>;
  /** Queues deliveries, in the order given (each endpoint's deliveries go out in this order). */
  enqueue(deliveries: readonly NewDelivery[]): Promise<void>;
  /** Records how far fan-out has come. */
  endFanOut(position: string): Promise<void>;
  /** A new delivery of the same event to the same endpoint, queued behind the endpoint's others. */
  redeliver(tenantId: string, deliveryId: string, newId: string, at: Date): Promise<WebhookDelivery | null>;
  /**
   * Up to `limit` due deliveries, each the head of its enabled endpoint's queue and not leased,
   * leased for `leaseMs` (FOR UPDATE SKIP LOCKED: two processes never take the same one); only
   * of one endpoint when `endpointId` is given.
   */
  claim(limit: number, leaseMs: number, endpointId?: string): Promise<ClaimedDelivery[]>;
  /** Records a taken attempt; false when the lease was lost meanwhile. */
  succeed(d: ClaimedDelivery, o: AttemptOutcome): Promise<boolean>;
  /** Records a failed attempt and when to try again. */
  retry(d: ClaimedDelivery, o: AttemptOutcome, delayMs: number): Promise<boolean>;
  /** Records the last failed attempt and gives the delivery up. */
  giveUp(d: ClaimedDelivery, o: AttemptOutcome): Promise<boolean>;
  /** Gives up every pending delivery of an endpoint (it was disabled for failing). */
  failPending(tenantId: string, endpointId: string, reason: string): Promise<number>;
  /**
   * Deletes up to `limit` deliveries, of every tenant, that were delivered or given up and whose
   * last activity (delivery, last attempt, or queuing when never attempted) is before `before`;
   * a pending delivery is never deleted. Returns how many went.
   */
  prune(before: Date, limit: number): Promise<number>;
}
