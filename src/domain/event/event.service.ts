import { assertCanRead, isPlatformAdmin, type Actor, type Ctx } from '../context.js';
import { ForbiddenError, InvalidValueError } from '../errors.js';
import type { EventRepository, ListResult } from '../ports.js';
import { pruneInBatches, type ServiceDeps } from '../shared/service-kit.js';
import { isEventType, type ChangeEvent, type EventFilter } from './event.js';

export type EventPage = Parameters<EventRepository['list']>[2];

export type EventService = ReturnType<typeof createEventService>;

/** Reading the change events outbox (docs/architecture.md#change-events); services write it. */
export function createEventService(deps: ServiceDeps) {
  return {
    /** A tenant's events in position order, from any position: the feed. */
    async list(ctx: Ctx, filter: EventFilter, page: EventPage): Promise<ListResult<ChangeEvent>> {
      assertCanRead(ctx);
      const unknown = filter.types?.find((t) => !isEventType(t));
      if (unknown !== undefined) throw new InvalidValueError(`"${String(unknown)}" is not an event type`, 'types');
      return deps.store.read((r) => r.events.list(ctx.tenantId, filter, page));
    },

    /** Every tenant's events after a position, for dispatchers running as the platform. */
    async listAfter(actor: Actor, after: string | null, limit: number): Promise<ChangeEvent[]> {
      if (!isPlatformAdmin(actor)) throw new ForbiddenError('Only the platform reads every tenant\'s events');
      return deps.store.read((r) => r.events.listAfter(after, limit));
    },

    /** Deletes events older than the retention, `batch` at a time; returns how many went (docs/architecture.md#change-events). */
    async prune(retentionDays: number, batch = 1000): Promise<number> {
      return pruneInBatches(deps, retentionDays, batch, (r, before, n) => r.events.prune(before, n));
    },
  };
}
