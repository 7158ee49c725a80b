import type { Ctx } from '../../src/domain/context.js';
import type { ChangeEvent } from '../../src/domain/event/event.js';
import type { Services } from '../../src/domain/services.js';

/**
 * A tenant's events once at least `atLeast` are readable. An event is readable when every
 * transaction older than its own has ended, which on a database other test files share can lag
 * the commit by a moment.
 */
export async function eventsOf(services: Services, ctx: Ctx, atLeast = 1, timeoutMs = 15_000): Promise<ChangeEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await services.events.list(ctx, {}, { direction: 'forward', after: null, before: null, limit: 1000 });
    const events = page.items.map((i) => i.node);
    if (events.length >= atLeast || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The types of events, in order. */
export const typesOf = (events: readonly ChangeEvent[]): string[] => events.map((e) => e.type);
