import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { createEventRepository, formatPosition } from '../../../src/db/repositories/event.repository.js';
import { buildServices } from '../../../src/composition/services.js';
import { systemActor, type Ctx } from '../../../src/domain/context.js';
import type { NewChangeEvent } from '../../../src/domain/event/event.js';
import type { Services } from '../../../src/domain/services.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

let db: TestDatabase;
let services: Services;
let ctx: Ctx;
beforeAll(async () => {
  db = await createTestDatabase();
  services = buildServices(db.orm);
  const t = await services.tenants.create(systemActor, 'positions');
  ctx = { tenantId: t.id, actor: systemActor, requestId: null };
});
afterAll(async () => {
  await db.drop();
});

const event = (name: string): NewChangeEvent => ({
  id: uuidv7(), tenantId: ctx.tenantId, occurredAt: new Date(), actorType: 'system', actorId: null, requestId: null,
  type: 'user.updated', resourceType: 'User', resourceId: uuidv7(), changedAttributes: [], data: { name },
});

async function open(): Promise<EntityManager> {
  const em = db.orm.em.fork();
  await em.begin();
  return em;
}

const page = (after: string | null) => services.events.list(ctx, {}, { direction: 'forward', after, before: null, limit: 100 });
const names = (items: readonly { node: { data: Record<string, unknown> } }[]) => items.map((i) => i.node.data.name);

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('event positions', () => {
  it('never lets a reader following the feed skip an event that commits after a later-numbered one', async () => {
    const first = await until(() => page(null), () => true);
    expect(first.items).toEqual([]);

    // A writes first (its transaction gets the lower id), B writes second and commits first.
    const a = await open();
    await createEventRepository(a).append(event('A'));
    const b = await open();
    await createEventRepository(b).append(event('B'));
    await b.commit();

    // While A runs, B is committed but not readable: A could still commit before it.
    const whileOpen = await page(null);
    expect(names(whileOpen.items)).toEqual([]);
    expect(await services.events.listAfter(systemActor, null, 100)).toEqual([]);

    await a.commit();
    const after = await until(() => page(null), (p) => p.items.length >= 2);
    expect(names(after.items)).toEqual(['A', 'B']);
    const [pa, pb] = after.items.map((i) => i.cursor) as [string, string];
    expect(pa < pb).toBe(true);
    expect(names((await page(pa)).items)).toEqual(['B']);
    expect((await page(pb)).items).toEqual([]);
    expect((await services.events.listAfter(systemActor, pa, 100)).map((e) => e.data.name)).toEqual(['B']);
  });

  it('does not serialise writers: two transactions append events of one tenant at the same time', async () => {
    const a = await open();
    const b = await open();
    // Each append returns while the other transaction is still open: nothing waits on a lock.
    await createEventRepository(a).append(event('C'));
    await createEventRepository(b).append(event('D'));
    await createEventRepository(a).append(event('E'));
    await b.commit();
    await a.commit();
    const all = await until(() => page(null), (p) => p.items.length >= 5);
    expect(names(all.items)).toEqual(['A', 'B', 'C', 'E', 'D']);
  });

  it('orders positions as numbers where their digits grow (99, 100, 101), in the feed and in fan-out', async () => {
    const t = await services.tenants.create(systemActor, 'positions by number');
    const own: Ctx = { tenantId: t.id, actor: systemActor, requestId: null };
    const em = db.orm.em.fork();
    // The next seq that gains a digit two events from now (99, 100, 101 on a fresh table).
    const [{ last }] = await em.getConnection().execute<{ last: string }[]>('select coalesce(max(seq), 0)::text as last from change_events');
    const boundary = 10n ** BigInt(String(BigInt(last) + 2n).length);
    await em.getConnection().execute("select setval(pg_get_serial_sequence('change_events', 'seq'), ?)", [String(boundary - 2n)]);
    // One transaction, so one xid: the three events differ in seq only.
    const w = await open();
    for (const name of ['first', 'second', 'third']) await createEventRepository(w).append({ ...event(name), tenantId: own.tenantId });
    await w.commit();

    const forward = await until(() => services.events.list(own, {}, { direction: 'forward', after: null, before: null, limit: 10 }), (p) => p.items.length === 3);
    expect(names(forward.items)).toEqual(['first', 'second', 'third']);
    const backward = await services.events.list(own, {}, { direction: 'backward', after: null, before: null, limit: 2 });
    expect(names(backward.items)).toEqual(['second', 'third']);
    const rest = await services.events.list(own, {}, { direction: 'forward', after: forward.items[0]!.cursor, before: null, limit: 1 });
    expect(names(rest.items)).toEqual(['second']);

    // Fan-out reads every tenant's events after a position, in the same order.
    const [x] = await em.getConnection().execute<{ xid: string }[]>('select xid::text as xid from change_events where seq = ?', [String(boundary - 1n)]);
    const before = formatPosition(x!.xid, String(boundary - 2n));
    const after = await createEventRepository(em).listAfter(before, 10);
    expect(after.slice(0, 3).map((e) => e.data.name)).toEqual(['first', 'second', 'third']);
  });

  it('pages backward from the newest and refuses a position it did not issue', async () => {
    const last2 = await services.events.list(ctx, {}, { direction: 'backward', after: null, before: null, limit: 2 });
    expect(names(last2.items)).toEqual(['E', 'D']);
    expect(last2.hasMore).toBe(true);
    const before = await services.events.list(ctx, {}, { direction: 'backward', after: null, before: last2.items[0]!.cursor, limit: 10 });
    expect(names(before.items)).toEqual(['A', 'B', 'C']);
    await expect(page('12; drop table change_events')).rejects.toThrow(/position/);
  });

  it('rolls back with its transaction, savepoints included', async () => {
    const a = await open();
    await createEventRepository(a).append(event('gone'));
    await a.rollback();
    const all = await until(() => page(null), () => true);
    expect(names(all.items)).not.toContain('gone');
  });

  it('prunes events older than the retention in batches', async () => {
    const t = await services.tenants.create(systemActor, 'prune');
    const old: NewChangeEvent = { ...event('old'), tenantId: t.id, occurredAt: new Date(Date.now() - 40 * 86_400_000) };
    const em = db.orm.em.fork();
    await em.transactional(async (tx) => {
      const repo = createEventRepository(tx);
      for (let i = 0; i < 5; i++) await repo.append({ ...old, id: uuidv7() });
      await repo.append({ ...event('new'), tenantId: t.id });
    });
    expect(await services.events.prune(30, 2)).toBe(5);
    const left = await until(
      () => services.events.list({ ...ctx, tenantId: t.id }, {}, { direction: 'forward', after: null, before: null, limit: 10 }),
      (p) => p.items.length >= 1,
    );
    expect(names(left.items)).toEqual(['new']);
  });
});
