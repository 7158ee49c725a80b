import type { Ctx } from '../../../src/domain/context.js';
import { query } from '../../../src/db/sql.js';
import { startHarness, type Harness } from '../../support/harness.js';

let h: Harness;
let ctx: Ctx;
beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
});
afterAll(async () => {
  await h.close();
});

/** Creates `n` users with one statement (setup only; the domain path is what is measured). */
async function bulkUsers(prefix: string, n: number): Promise<string[]> {
  const rows = await query<{ id: string }>(
    h.db.orm.em.fork(),
    `insert into users (id, tenant_id, user_name, login_name, active, extensions, version, created_at, updated_at)
     select gen_random_uuid(), ?, ? || g || '@example.com', ? || g || '@example.com', true, '{}', 1, now(), now() from generate_series(1, ?) g returning id`,
    [ctx.tenantId, prefix, prefix, n],
  );
  return rows.map((r) => r.id);
}

/** The SQL statements one membership change runs, and the rows of the largest result. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  await h.db.settled();
  h.db.statements.length = 0;
  await fn();
  await h.db.settled();
  return [...h.db.statements];
}

describe('membership changes cost O(k), whatever the group size', () => {
  it('runs the same statements to add or remove 3 members in a group of 3 and of 5,000', async () => {
    const small = await h.services.groups.create(ctx, { displayName: 'small', externalId: null, extensions: {} });
    const big = await h.services.groups.create(ctx, { displayName: 'big', externalId: null, extensions: {} });
    const many = await bulkUsers('many', 5000);
    await h.services.groups.addMembers(ctx, big.id, many.map((id) => ({ id, type: 'User' as const })));
    const few = await bulkUsers('few', 3);
    await h.services.groups.addMembers(ctx, small.id, few.map((id) => ({ id })));
    expect((await h.services.groups.memberCounts(ctx, [small.id, big.id])).get(big.id)).toBe(5000);

    const k = await bulkUsers('k', 3);
    const addSmall = await statementsOf(() => h.services.groups.addMembers(ctx, small.id, k.map((id) => ({ id }))));
    const addBig = await statementsOf(() => h.services.groups.addMembers(ctx, big.id, k.map((id) => ({ id }))));
    expect(addBig.length).toBe(addSmall.length);
    const removeBig = await statementsOf(() => h.services.groups.removeMembers(ctx, big.id, k));
    expect(removeBig.length).toBeLessThanOrEqual(addBig.length);
    // No statement reads the group's whole membership.
    for (const sql of [...addBig, ...removeBig]) expect(sql).not.toMatch(/from "?memberships"? m? ?where m?\.?"?tenant_id"? = .* and m?\.?"?group_id"? = [^ ]+ (order|limit|$)/i);
    expect((await h.services.groups.memberCounts(ctx, [big.id])).get(big.id)).toBe(5000);
  });

  it('changes members of one group side by side without locking the group row, one version per change', async () => {
    const g = await h.services.groups.create(ctx, { displayName: 'concurrent', externalId: null, extensions: {} });
    const users = await bulkUsers('conc', 12);
    const adds = await statementsOf(() => h.services.groups.addMembers(ctx, g.id, [{ id: users[0]! }]));
    expect(adds.some((s) => /for update/i.test(s))).toBe(false);
    // Eleven adds at once: each lands, and each moves the version on by exactly one.
    const results = await Promise.all(users.slice(1).map((id) => h.services.groups.addMembers(ctx, g.id, [{ id }])));
    expect(new Set(results.map((r) => r.version)).size).toBe(11);
    const after = await h.services.groups.get(ctx, g.id);
    expect(after.version).toBe(g.version + 12);
    expect((await h.services.groups.memberCounts(ctx, [g.id])).get(g.id)).toBe(12);
    // If-Match still means one state of the group.
    await expect(h.services.groups.change(ctx, g.id, { members: [{ op: 'remove', memberIds: [users[0]!] }] }, { ifVersion: after.version - 1 })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    const removed = await h.services.groups.change(ctx, g.id, { members: [{ op: 'remove', memberIds: [users[0]!] }] }, { ifVersion: after.version });
    expect(removed.version).toBe(after.version + 1);
    expect((await h.services.groups.memberCounts(ctx, [g.id])).get(g.id)).toBe(11);
  });

  it('adding a present member is a no-op, and an add then a remove in one change apply in order', async () => {
    const g = await h.services.groups.create(ctx, { displayName: 'ordered', externalId: null, extensions: {} });
    const [a, b] = await bulkUsers('ord', 2);
    await h.services.groups.addMembers(ctx, g.id, [{ id: a! }]);
    const v1 = (await h.services.groups.get(ctx, g.id)).version;
    await h.services.groups.addMembers(ctx, g.id, [{ id: a! }]);
    expect((await h.services.groups.get(ctx, g.id)).version).toBe(v1);
    await h.services.groups.change(ctx, g.id, { members: [{ op: 'add', members: [{ id: b! }] }, { op: 'remove', memberIds: [b!] }] });
    expect((await h.services.groups.members(ctx, g.id, { offset: 0, limit: 10 })).map((m) => m.id)).toEqual([a]);
  });

  it('replaces the membership with exactly the given set', async () => {
    const g = await h.services.groups.create(ctx, { displayName: 'replaced', externalId: null, extensions: {} });
    const [a, b, c] = await bulkUsers('rep', 3);
    await h.services.groups.addMembers(ctx, g.id, [{ id: a! }, { id: b! }]);
    await h.services.groups.replaceMembers(ctx, g.id, [{ id: b! }, { id: c! }]);
    expect((await h.services.groups.members(ctx, g.id, { offset: 0, limit: 10 })).map((m) => m.id).sort()).toEqual([b, c].sort());
  });

  it('lists direct and transitive groups, ending on cycles of nesting', async () => {
    const [u] = await bulkUsers('nest', 1);
    const inner = await h.services.groups.create(ctx, { displayName: 'inner', externalId: null, extensions: {} }, [{ id: u! }]);
    const middle = await h.services.groups.create(ctx, { displayName: 'middle', externalId: null, extensions: {} }, [{ id: inner.id }]);
    const outer = await h.services.groups.create(ctx, { displayName: 'outer', externalId: null, extensions: {} }, [{ id: middle.id }]);
    const direct = (await h.services.groups.groupsOf(ctx, [u!], false)).get(u!)!.map((g) => g.displayName);
    const transitive = (await h.services.groups.groupsOf(ctx, [u!], true)).get(u!)!.map((g) => g.displayName);
    expect(direct).toEqual(['inner']);
    expect(transitive).toEqual(['inner', 'middle', 'outer']);
    // A cycle written behind the domain's back (the domain refuses them) still terminates.
    await query(h.db.orm.em.fork(), 'insert into memberships (tenant_id, group_id, member_group_id, created_at) values (?, ?, ?, now())', [ctx.tenantId, inner.id, outer.id]);
    expect((await h.services.groups.groupsOf(ctx, [u!], true)).get(u!)!.map((g) => g.displayName)).toEqual(['inner', 'middle', 'outer']);
  });
});
