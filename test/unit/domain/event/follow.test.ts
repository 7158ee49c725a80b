import { systemActor } from '../../../../src/domain/context.js';
import type { ChangeEvent } from '../../../../src/domain/event/event.js';
import { createEventFollowing } from '../../../../src/domain/event/event.follow.js';
import type { EventService } from '../../../../src/domain/event/event.service.js';
import type { EventWakeups, ListResult } from '../../../../src/domain/ports.js';

const nextTurn = () => new Promise((r) => setImmediate(r));
const T1 = '018f0000-0000-7000-8000-000000000001';
const T2 = '018f0000-0000-7000-8000-000000000002';
const ctx = (tenantId: string) => ({ tenantId, actor: systemActor, requestId: null });

/** An outbox of positions `1`, `2`, … whose reads finish when told to, and wake-ups woken by hand. */
function outbox() {
  const positions: string[] = [];
  const reads: { tenantId: string; after: string | null; finish(): void }[] = [];
  const list = (c: { tenantId: string }, _filter: unknown, page: { after: string | null }): Promise<ListResult<ChangeEvent>> => {
    // What is in the outbox when the read starts is what it answers.
    const seen = positions.filter((p) => page.after === null || Number(p) > Number(page.after));
    return new Promise((resolve) => {
      reads.push({
        tenantId: c.tenantId,
        after: page.after,
        finish: () => resolve({ items: seen.map((p) => ({ cursor: p, node: { id: p } as unknown as ChangeEvent })), hasMore: false } as unknown as ListResult<ChangeEvent>),
      });
    });
  };
  const watchers = new Map<string, Set<() => void>>();
  const wakeups: EventWakeups = {
    watch(tenantId, wake) {
      const set = watchers.get(tenantId) ?? new Set();
      watchers.set(tenantId, set.add(wake));
      return () => set.delete(wake);
    },
  };
  const wake = (tenantId: string) => watchers.get(tenantId)?.forEach((w) => w());
  const following = createEventFollowing({ list } as unknown as EventService, wakeups);
  const finishAll = async () => {
    await nextTurn();
    for (const r of reads.splice(0)) r.finish();
    await nextTurn();
  };
  return { positions, reads, wake, following, finishAll };
}

describe('following a tenant\'s events', () => {
  it('sends one read for the followers of a tenant woken together at the same position, and one for each other tenant', async () => {
    const o = outbox();
    const a = [1, 2, 3].map(() => o.following.follow(ctx(T1), {}, null));
    const other = o.following.follow(ctx(T2), {}, null);
    const nexts = [...a, other].map((f) => f.next());
    await nextTurn();
    // Their first reads: the three of T1 began together.
    expect(o.reads.map((r) => r.tenantId)).toEqual([T1, T2]);
    await o.finishAll();
    o.positions.push('1');
    o.wake(T1);
    o.wake(T2);
    await nextTurn();
    expect(o.reads.map((r) => r.tenantId)).toEqual([T1, T2]);
    await o.finishAll();
    expect((await Promise.all(nexts)).map((r) => (r.value as { id: string }).id)).toEqual(['1', '1', '1', '1']);
    for (const f of [...a, other]) await f.return!();
  });

  it('never gives a woken follower a read that started before it was woken, which may not see the commit that woke it', async () => {
    const o = outbox();
    const early = o.following.follow(ctx(T1), {}, null);
    const earlyNext = early.next();
    await nextTurn();
    expect(o.reads).toHaveLength(1); // early's read is on its way, before anything committed
    const late = o.following.follow(ctx(T1), {}, null);
    o.positions.push('1');
    o.wake(T1);
    const lateNext = late.next();
    await nextTurn();
    // late reads on its own; the read begun before the commit is not shared with it.
    expect(o.reads).toHaveLength(2);
    for (const r of o.reads.splice(0)) r.finish();
    await nextTurn();
    expect(((await lateNext).value as { id: string }).id).toBe('1');
    // early's first read found nothing; it was woken meanwhile, so it reads again and sees the event.
    await o.finishAll();
    expect(((await earlyNext).value as { id: string }).id).toBe('1');
    await early.return!();
    await late.return!();
  });
});
