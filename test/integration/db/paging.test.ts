import type { Ctx } from '../../../src/domain/context.js';
import type { ListQuery, SortSpec } from '../../../src/domain/ports.js';
import { createUserRepository } from '../../../src/db/repositories/user.repository.js';
import { query } from '../../../src/db/sql.js';
import { profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

let h: Harness;
let ctx: Ctx;
const N = 23;

beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
  for (let i = 0; i < N; i++) {
    // Mixed case and repeated titles exercise the case-insensitive sort and the id tie-breaker.
    await h.services.users.create(ctx, profile(`${i % 2 ? 'U' : 'u'}ser${String(i).padStart(2, '0')}@example.com`, { title: i % 3 === 0 ? null : `T${i % 4}` }));
  }
});
afterAll(async () => {
  await h.close();
});

async function walk(sort: SortSpec | null, direction: 'forward' | 'backward', limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const q: ListQuery = { filter: null, sort, page: { mode: 'keyset', direction, cursor, limit }, withTotal: false };
    const page = await h.services.users.list(ctx, q);
    const names = page.items.map((i) => i.node.userName);
    if (direction === 'forward') seen.push(...names);
    else seen.unshift(...names);
    if (!page.hasMore) return seen;
    cursor = (direction === 'forward' ? page.items.at(-1) : page.items[0])!.cursor;
  }
  throw new Error('paging did not end');
}

describe('keyset pagination', () => {
  const expectedBy = async (orderSql: string) =>
    (await query<{ user_name: string }>(h.db.orm.em.fork(), `select user_name from users where tenant_id = ? order by ${orderSql}`, [ctx.tenantId])).map(
      (r) => r.user_name,
    );

  it.each<[SortSpec | null, string]>([
    [null, 'id'],
    [{ field: 'userName', direction: 'asc' }, 'lower(user_name), id'],
    [{ field: 'userName', direction: 'desc' }, 'lower(user_name) desc, id desc'],
    [{ field: 'title', direction: 'asc' }, `coalesce(lower(title), ''), id`],
    [{ field: 'title', direction: 'desc' }, `coalesce(lower(title), '') desc, id desc`],
    [{ field: 'createdAt', direction: 'desc' }, 'created_at desc, id desc'],
  ])('visits every user exactly once, forward and backward, sorted by %j', async (sort, orderSql) => {
    const expected = await expectedBy(orderSql);
    expect(expected).toHaveLength(N);
    expect(await walk(sort, 'forward', 5)).toEqual(expected);
    expect(await walk(sort, 'backward', 4)).toEqual(expected);
  });

  it('counts all matches only when asked', async () => {
    const base: ListQuery = { filter: null, sort: null, page: { mode: 'offset', offset: 20, limit: 10 }, withTotal: true };
    const page = await h.services.users.list(ctx, base);
    expect(page.total).toBe(N);
    expect(page.items).toHaveLength(3);
    expect(page.hasMore).toBe(false);
    expect((await h.services.users.list(ctx, { ...base, withTotal: false })).total).toBeNull();
  });

  it.each<[string, ListQuery['page'], number, boolean]>([
    ['a short first page', { mode: 'offset', offset: 0, limit: 50 }, N, false],
    ['a full first page', { mode: 'offset', offset: 0, limit: 10 }, 10, true],
    ['a last page from an offset', { mode: 'offset', offset: 20, limit: 10 }, 3, false],
    ['a page past the end', { mode: 'offset', offset: 40, limit: 10 }, 0, true],
    ['a first keyset page holding every user', { mode: 'keyset', direction: 'forward', cursor: null, limit: 30 }, N, false],
    ['a last keyset page holding every user', { mode: 'keyset', direction: 'backward', cursor: null, limit: 30 }, N, false],
    ['a first keyset page of a few', { mode: 'keyset', direction: 'forward', cursor: null, limit: 5 }, 5, true],
  ])('gives the exact total for %s, counting only when the page cannot prove it', async (_, page, items, counted) => {
    h.db.statements.length = 0;
    const r = await h.services.users.list(ctx, { filter: null, sort: null, page, withTotal: true });
    expect(r.total).toBe(N);
    expect(r.items).toHaveLength(items);
    expect(h.db.statements.some((s) => /select count\(\*\)/.test(s))).toBe(counted);
  });

  it.each(['user_values', 'user_addresses'])('reads no %s for an offset page: its users come whole from their rows', async (attributes) => {
    // pg_stat_xact_user_tables counts the scans of this backend not yet reported.
    const scans = await h.db.orm.em.fork().transactional(async (tx) => {
      const count = async () =>
        Number((await query<{ n: string }>(tx, `select seq_scan + coalesce(idx_scan, 0) as n from pg_stat_xact_user_tables where relname = ?`, [attributes]))[0]?.n ?? 0);
      const before = await count();
      const page = await createUserRepository(tx).list(ctx.tenantId, { filter: null, sort: null, page: { mode: 'offset', offset: 20, limit: 2 }, withTotal: false });
      expect(page.items).toHaveLength(2);
      return (await count()) - before;
    });
    expect(scans).toBe(0);
  });

  it('refuses a cursor it did not issue', async () => {
    const q: ListQuery = { filter: null, sort: null, page: { mode: 'keyset', direction: 'forward', cursor: 'garbage', limit: 5 }, withTotal: false };
    await expect(h.services.users.list(ctx, q)).rejects.toThrow(/cursor/);
  });
});
