import pg from 'pg';
import type { Ctx } from '../../../src/domain/context.js';
import { query } from '../../../src/db/sql.js';
import { eventsOf } from '../../support/events.js';
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
async function bulkUsers(prefix: string, n: number, tenant: Ctx = ctx): Promise<string[]> {
  const rows = await query<{ id: string }>(
    h.db.orm.em.fork(),
    `insert into users (id, tenant_id, user_name, login_name, active, extensions, version, created_at, updated_at)
     select gen_random_uuid(), ?, ? || g || '@example.com', ? || g || '@example.com', true, '{}', 1, now(), now() from generate_series(1, ?) g returning id`,
    [tenant.tenantId, prefix, prefix, n],
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

  it('plans one add or one remove from one read and writes it, its version, audit and event as one statement', async () => {
    const g = await h.services.groups.create(ctx, { displayName: 'at once', externalId: null, extensions: {} });
    const [a] = await bulkUsers('once', 1);
    const written = (statements: string[]) => statements.filter((s) => !/pg_notify/.test(s));
    const add = written(await statementsOf(() => h.services.groups.addMembers(ctx, g.id, [{ id: a! }])));
    expect(add).toHaveLength(2);
    expect(add[1]).toMatch(/insert into memberships[\s\S]*update groups[\s\S]*insert into audit_events[\s\S]*insert into change_events/);
    const again = written(await statementsOf(() => h.services.groups.addMembers(ctx, g.id, [{ id: a! }])));
    expect(again).toHaveLength(1);
    const remove = written(await statementsOf(() => h.services.groups.removeMembers(ctx, g.id, [a!])));
    expect(remove).toHaveLength(2);
    expect(remove[1]).toMatch(/delete from memberships[\s\S]*update groups/);
    expect((await h.services.groups.get(ctx, g.id)).version).toBe(g.version + 2);
  });

  it('gives each of concurrent changes of one group its own version, in its answer and in its event, and adds a member once', async () => {
    const tenant = await h.tenant();
    const g = await h.services.groups.create(tenant, { displayName: 'versions', externalId: null, extensions: {} });
    const users = await bulkUsers('ver', 10, tenant);
    const answers = await Promise.all(users.map((id) => h.services.groups.addMembers(tenant, g.id, [{ id }])));
    // The same member added six times at once: added once, one event, one version.
    const [twice] = await bulkUsers('twice', 1, tenant);
    const same = await Promise.all(Array.from({ length: 6 }, () => h.services.groups.addMembers(tenant, g.id, [{ id: twice! }])));
    const after = await h.services.groups.get(tenant, g.id);
    expect(after.version).toBe(g.version + 11);
    expect(new Set(same.map((s) => s.version))).toEqual(new Set([after.version]));
    const events = (await eventsOf(h.services, tenant, 12)).filter((e) => e.type === 'group.members_added');
    expect(events).toHaveLength(11);
    const byMember = new Map(events.map((e) => [(e.data.members as { id: string }[])[0]!.id, e.data.version]));
    for (const [i, id] of users.entries()) expect(byMember.get(id)).toBe(answers[i]!.version);
    expect(byMember.get(twice!)).toBe(after.version);
    expect(new Set(events.map((e) => e.data.version)).size).toBe(11);
  });

  it('writes single changes of one group that arrive while one is being written together, each with its own version, audit event and change event', async () => {
    const tenant = await h.tenant();
    const g = await h.services.groups.create(tenant, { displayName: 'together', externalId: null, extensions: {} });
    const users = await bulkUsers('tog', 16, tenant);
    // Each change its own request: the audit and change events say which.
    const asRequest = (i: number): Ctx => ({ ...tenant, requestId: `together-add-${i}` });
    let answers: { version: number }[] = [];
    const adds = await statementsOf(async () => {
      answers = await Promise.all(users.map((id, i) => h.services.groups.addMembers(asRequest(i), g.id, [{ id }])));
    });
    const writes = adds.filter((s) => /insert into memberships/.test(s));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.length).toBeLessThan(users.length);
    const after = await h.services.groups.get(tenant, g.id);
    expect(after.version).toBe(g.version + users.length);
    expect(answers.map((a) => a.version).sort((a, b) => a - b)).toEqual(users.map((_, i) => g.version + i + 1));
    expect((await h.services.groups.memberCounts(tenant, [g.id])).get(g.id)).toBe(users.length);

    const events = (await eventsOf(h.services, tenant, users.length + 1)).filter((e) => e.type === 'group.members_added');
    expect(events).toHaveLength(users.length);
    for (const [i, id] of users.entries()) {
      const e = events.find((x) => x.requestId === `together-add-${i}`)!;
      expect(e.data.members).toEqual([expect.objectContaining({ id })]);
      expect(e.data.version).toBe(answers[i]!.version);
    }
    // Events of one statement are in the feed in the order of their versions.
    expect(events.map((e) => e.data.version)).toEqual([...events.map((e) => e.data.version as number)].sort((a, b) => a - b));
    const audit = await query<{ request_id: string }>(
      h.db.orm.em.fork(),
      `select request_id from audit_events where tenant_id = ? and resource_id = ? and action = 'group.members'`,
      [tenant.tenantId, g.id],
    );
    expect(audit.map((a) => a.request_id).sort()).toEqual(users.map((_, i) => `together-add-${i}`).sort());

    // Removes likewise; and a remove of a member another remove took out is nothing to do.
    const removed = await Promise.all([...users, users[0]!].map((id, i) => h.services.groups.removeMembers({ ...tenant, requestId: `together-remove-${i}` }, g.id, [id])));
    const last = await h.services.groups.get(tenant, g.id);
    expect(last.version).toBe(after.version + users.length);
    expect(new Set(removed.map((r) => r.version)).size).toBeGreaterThanOrEqual(users.length);
    expect((await h.services.groups.memberCounts(tenant, [g.id])).get(g.id) ?? 0).toBe(0);
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

describe('nesting groups concurrently', () => {
  // A tenant of its own: another test writes a cycle behind the domain's back.
  let own: Ctx;
  beforeAll(async () => {
    own = await h.tenant();
  });
  /** Whether any group of the tenant reaches itself through nested memberships. */
  async function anyCycle(): Promise<boolean> {
    const [row] = await query<{ found: boolean }>(
      h.db.orm.em.fork(),
      `with recursive down(start, id) as (
         select group_id, member_group_id from memberships where tenant_id = ? and member_group_id is not null
         union
         select down.start, m.member_group_id from down join memberships m on m.tenant_id = ? and m.group_id = down.id and m.member_group_id is not null
       )
       select exists (select 1 from down where start = id) as found`,
      [own.tenantId, own.tenantId],
    );
    return row!.found;
  }
  const group = (name: string) => h.services.groups.create(own, { displayName: name, externalId: null, extensions: {} });

  it.each([
    ['adds', (into: string, member: string) => h.services.groups.addMembers(own, into, [{ id: member }])],
    ['replacements', (into: string, member: string) => h.services.groups.replaceMembers(own, into, [{ id: member }])],
  ])('lets at most one of two %s that would together nest two groups in each other, or three in a ring, succeed', async (what, nest) => {
    for (let round = 0; round < 8; round++) {
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => group(`${what}-${round}-${n}`)));
      const pair = await Promise.allSettled([nest(a!.id, b!.id), nest(b!.id, a!.id)]);
      expect(pair.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
      const refused = pair.find((p) => p.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'INVALID_VALUE', message: expect.stringContaining('cycle') });
      const ring = await Promise.allSettled([nest(a!.id, c!.id), nest(c!.id, b!.id), nest(b!.id, a!.id)]);
      expect(ring.filter((p) => p.status === 'fulfilled').length).toBeLessThan(3);
    }
    expect(await anyCycle()).toBe(false);
  }, 60_000);
});

describe('a member deleted while it is being added', () => {
  it.each([
    ['one add', (g: string, u: string) => h.services.groups.addMembers(ctx, g, [{ id: u }])],
    ['a replacement', (g: string, u: string) => h.services.groups.replaceMembers(ctx, g, [{ id: u }])],
  ])('is refused in %s as a member that is not there (INVALID_VALUE), as when it was gone before, not as a group not found', async (what, add) => {
    const [u] = await bulkUsers(`vanishing-${what.replace(/ /g, '-')}`, 1);
    const g = await h.services.groups.create(ctx, { displayName: `vanishing ${what}`, externalId: null, extensions: {} });
    // The user's delete is under way, not committed, when the add is planned and written.
    const client = new pg.Client({ connectionString: h.db.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('delete from users where id = $1', [u]);
      const adding = add(g.id, u!).then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 300));
      await client.query('commit');
      expect(await adding).toMatchObject({ code: 'INVALID_VALUE', field: 'members', message: expect.stringContaining(`no user or group with id ${u}`) });
    } finally {
      await client.end();
    }
    // As for a member gone before the add.
    await expect(add(g.id, u!)).rejects.toMatchObject({ code: 'INVALID_VALUE', field: 'members' });
  });
});
