import { assertCanRead, type Ctx } from '../context.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { EventWakeups, ListResult } from '../ports.js';
import type { ChangeEvent, EventFilter } from './event.js';
import type { EventService } from './event.service.js';

/** How often a follower that reads nothing asks whether its tenant is still there. */
const TENANT_CHECK_MS = 4000;

/** Events read from the outbox at a time while catching up. */
const READ_BATCH = 100;

/** Following tenants' events: one per process, so that followers share their reads. */
export interface EventFollowing {
  /**
   * A tenant's events after `after`, first those already in the outbox, then each as it becomes
   * readable, for as long as the caller reads. `return()` ends it at once, even while it waits.
   * `tenantGone` is asked, now and then while nothing comes, whether the tenant was deleted.
   */
  follow(ctx: Ctx, filter: EventFilter, after: string | null, tenantGone?: () => Promise<boolean>): AsyncIterableIterator<ChangeEvent>;
}

/** One read of the outbox in progress, and the wake-up count when it started. */
interface Read {
  readonly startedAt: number;
  readonly result: Promise<ListResult<ChangeEvent>>;
}

/**
 * Followers of a tenant's events (docs/architecture.md#subscriptions). Every event comes from the
 * outbox in position order, so a follower sees what the feed shows, in the same order, in every
 * process. A commit wakes every follower of its tenant at once; those at the same position with
 * the same filter then share one read of the outbox instead of sending one each, so a tenant's
 * hundred subscribers cost the database what one does. A follower joins only a read that started
 * after it was last woken: one begun before may not see the commit that woke it.
 */
export function createEventFollowing(events: EventService, wakeups: EventWakeups): EventFollowing {
  const reads = new Map<string, Read>();
  let wakes = 0;

  const read = (ctx: Ctx, filter: EventFilter, after: string | null, wokeAt: number): Promise<ListResult<ChangeEvent>> => {
    const key = JSON.stringify([ctx.tenantId, filter.types ? [...new Set(filter.types)].sort() : null, filter.resourceId ?? null, filter.since?.getTime() ?? null, after]);
    const shared = reads.get(key);
    if (shared && shared.startedAt >= wokeAt) {
      assertCanRead(ctx);
      return shared.result;
    }
    const result = events.list(ctx, filter, { direction: 'forward', after, before: null, limit: READ_BATCH });
    const own: Read = { startedAt: wakes, result };
    reads.set(key, own);
    const done = () => {
      if (reads.get(key) === own) reads.delete(key);
    };
    result.then(done, done);
    return result;
  };

  return {
    follow(ctx, filter, after, tenantGone = async () => false) {
      let cursor = after;
      let lastLooked = Date.now();
      let buffered: ChangeEvent[] = [];
      let due = true; // read once at the start
      let wokeAt = ++wakes;
      let closed = false;
      let waiting: (() => void) | null = null;
      const wake = () => {
        due = true;
        wokeAt = ++wakes;
        waiting?.();
      };
      const unwatch = wakeups.watch(ctx.tenantId, wake);
      const close = () => {
        if (closed) return;
        closed = true;
        unwatch();
        waiting?.();
      };
      const done = (): IteratorResult<ChangeEvent> => ({ value: undefined, done: true });

      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        async next(): Promise<IteratorResult<ChangeEvent>> {
          while (!closed) {
            const next = buffered.shift();
            if (next) return { value: next, done: false };
            if (!due) await new Promise<void>((resolve) => (waiting = resolve));
            waiting = null;
            if (closed) break;
            due = false;
            try {
              const page = await read(ctx, filter, cursor, wokeAt);
              buffered = page.items.map((i) => i.node);
              if (page.items.length) cursor = page.items[page.items.length - 1]!.cursor;
              // More than a batch behind: read on without waiting for a wake-up.
              if (page.hasMore) due = true;
              // A deleted tenant's events are gone with it and no more come: a follower whose key
              // outlives the tenant (a platform key) learns so on a read that found nothing, at most
              // once a TENANT_CHECK_MS.
              if (page.items.length === 0 && Date.now() - lastLooked >= TENANT_CHECK_MS) {
                lastLooked = Date.now();
                if (await tenantGone()) {
                  close();
                  throw new NotFoundError('Tenant', ctx.tenantId);
                }
              }
            } catch (e) {
              // The database is away for a moment: the next wake-up (the poll at the latest) reads again.
              if (!(e instanceof UnavailableError)) {
                close();
                throw e;
              }
            }
          }
          return done();
        },
        async return(): Promise<IteratorResult<ChangeEvent>> {
          close();
          return done();
        },
      };
    },
  };
}
