import type { ChangeEvent } from '../event/event.js';
import type { Store } from '../ports.js';
import type { NewDelivery } from './webhook.ports.js';
import type { WebhookEndpoint } from './webhook.js';

/** The body of every delivery of an event: `{type, timestamp, data}` (docs/architecture.md#webhooks). */
export function webhookPayload(e: ChangeEvent): { type: string; timestamp: string; data: unknown } {
  return { type: e.type, timestamp: e.occurredAt.toISOString(), data: e.data };
}

/** What a fan-out did, and what it saw. */
export interface FanOutResult {
  /** Events moved past. */
  readonly moved: number;
  /** Deliveries queued. */
  readonly queued: number;
  /** A whole batch was moved: there may be more. */
  readonly more: boolean;
  /** Whether any tenant had an enabled endpoint when it began. */
  readonly endpoints: boolean;
}

/**
 * Moves the next `batch` change events of the outbox (every tenant, in feed order) into the
 * delivery queue: one delivery per event and enabled endpoint of its tenant subscribed to its
 * type and registered by the time it happened. One transaction: the deliveries and the new
 * position land together, so a crash repeats a batch whole or not at all.
 */
export async function fanOut(deps: { store: Store; newId: () => string }, batch: number): Promise<FanOutResult> {
  return deps.store.write(async (r) => {
    const begun = await r.webhookDeliveries.beginFanOut();
    const { endpoints } = begun;
    if (!begun.taken) return { moved: 0, queued: 0, more: false, endpoints };
    // Events of tenants without an enabled endpoint come as positions only: passed, not read.
    const seen = await r.events.listForFanOut(begun.position, batch);
    if (seen.length === 0) return { moved: 0, queued: 0, more: false, endpoints };
    const events = seen.flatMap((s) => (s.event ? [s.event] : []));
    const enabled = events.length > 0 ? await r.webhookEndpoints.enabledIn([...new Set(events.map((e) => e.tenantId))]) : [];
    const byTenant = new Map<string, WebhookEndpoint[]>();
    for (const ep of enabled) byTenant.set(ep.tenantId, [...(byTenant.get(ep.tenantId) ?? []), ep]);
    const deliveries: NewDelivery[] = [];
    for (const e of events) {
      for (const ep of byTenant.get(e.tenantId) ?? []) {
        if (!ep.events.includes(e.type) || ep.createdAt > e.occurredAt) continue;
        deliveries.push({ id: deps.newId(), tenantId: e.tenantId, endpointId: ep.id, eventId: e.id, eventType: e.type, payload: webhookPayload(e), createdAt: new Date() });
      }
    }
    if (deliveries.length > 0) await r.webhookDeliveries.enqueue(deliveries);
    await r.webhookDeliveries.endFanOut(seen[seen.length - 1]!.position);
    return { moved: seen.length, queued: deliveries.length, more: seen.length === batch, endpoints };
  });
}
