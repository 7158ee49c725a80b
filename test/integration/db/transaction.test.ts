import pg from 'pg';
import { buildServices } from '../../../src/composition/services.js';
import { createStore } from '../../../src/db/store.js';
import type { Ctx } from '../../../src/domain/context.js';
import { StaleWriteError } from '../../../src/domain/errors.js';
import { f } from '../../../src/domain/shared/filter.js';
import type { Later } from '../../../src/domain/ports.js';
import { emptyProfile, type User } from '../../../src/domain/user/user.js';
import { profile, email } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * docs/architecture.md#transactions: a write unit begins its transaction at its first statement
 * that is not a plain read, and sends its last writes, audit and change events as one statement;
 * a unit whose only write is that statement sends neither BEGIN nor COMMIT. Whatever it sends, it
 * lands whole or not at all, and each of its statements sees the writes before it.
 */
let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

/** The statements `fn` ran, as sent. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  await h.db.settled();
  h.db.statements.length = 0;
  await fn();
  const sent = [...h.db.statements];
  await h.db.settled();
  // The announcement after the commit is not part of the unit.
  return sent.filter((s) => !/pg_notify/.test(s));
}

const isControl = (s: string) => /^(begin|commit|rollback)\b/i.test(s);
const writes = (s: string) => [...s.matchAll(/\b(?:insert into|update|delete from) ([a-z_]+)/g)].map((m) => m[1]);

/** A new user of `tenantId` as the repositories take it, for units that insert one directly. */
const newUser = (tenantId: string, userName: string, id: string): User => {
  const now = new Date();
  return { ...emptyProfile(userName), loginName: userName, id, tenantId, managedBy: null, deprovisionedAt: null, version: 1, createdAt: now, updatedAt: now };
};

describe('a write unit', () => {
  it('creates a user in one statement, with no read, BEGIN or COMMIT', async () => {
    const ctx = await h.tenant();
    const statements = await statementsOf(() => h.services.users.create(ctx, profile('one@example.com', { emails: [email('one@example.com')] })));
    expect(statements).toHaveLength(1);
    expect(writes(statements[0]!)).toEqual(['users', 'user_values', 'audit_events', 'change_events']);
    expect(statements[0]).toMatch(/on conflict do nothing returning 1[\s\S]*roster_expect_row/);
    const { user } = await h.services.users.create(ctx, profile('two@example.com'));
    expect((await h.services.users.get(ctx, user.id)).userName).toBe('two@example.com');
  });

  it('writes creates of one tenant that arrive together in one statement, each with its own audit and change event', async () => {
    const ctx = await h.tenant();
    const n = 16;
    const address = { type: 'work', primary: true, formatted: null, streetAddress: null, locality: 'Oslo', region: null, postalCode: null, country: 'NO' };
    const creates = Array.from({ length: n }, (_, i) =>
      profile(`together${i}@example.com`, { title: `T${i}`, emails: [email(`together${i}@example.com`), email(`home${i}@example.org`, 'home')], addresses: i % 2 ? [address] : [] }),
    );
    let made: { user: User }[] = [];
    const statements = await statementsOf(async () => {
      made = await Promise.all(creates.map((p, i) => h.services.users.create({ ...ctx, requestId: `create-together-${i}` }, p)));
    });
    // Asked for in one turn of the event loop, none goes alone ahead of the others (docs/architecture.md#writes-that-arrive-in-one-turn-go-together).
    expect(statements.filter((s) => /insert into users\b/.test(s))).toHaveLength(1);
    expect(statements.some(isControl)).toBe(false);
    for (const [i, { user }] of made.entries()) {
      const read = await h.services.users.get(ctx, user.id);
      expect(read).toMatchObject({ userName: `together${i}@example.com`, loginName: `together${i}@example.com`, title: `T${i}`, version: 1 });
      expect(read.emails).toEqual(creates[i]!.emails);
      expect(read.addresses).toEqual(i % 2 ? [address] : []);
    }
    const db = h.db.orm.em.fork().getConnection();
    const counts = await db.execute<{ v: number; a: number }[]>(
      'select (select count(*)::int from user_values where tenant_id = ?) as v, (select count(*)::int from user_addresses where tenant_id = ?) as a',
      [ctx.tenantId, ctx.tenantId],
    );
    expect(counts[0]).toEqual({ v: 2 * n, a: n / 2 });
    // Filters search the rows the statement wrote: each user is found by its second e-mail.
    const found = await h.services.users.list(ctx, { filter: f.some('emails', f.eq('value', 'home3@example.org')), sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: false });
    expect(found.items.map((x) => x.node.id)).toEqual([made[3]!.user.id]);
    const audit = await db.execute<{ request_id: string; resource_id: string }[]>(`select request_id, resource_id from audit_events where tenant_id = ? and action = 'user.create'`, [ctx.tenantId]);
    expect(audit.map((a) => `${a.request_id} ${a.resource_id}`).sort()).toEqual(made.map(({ user }, i) => `create-together-${i} ${user.id}`).sort());
    const events = await db.execute<{ request_id: string; resource_id: string; data: { userName: string } }[]>(
      `select request_id, resource_id, data from change_events where tenant_id = ? and type = 'user.created'`,
      [ctx.tenantId],
    );
    expect(events.map((e) => `${e.request_id} ${e.resource_id} ${e.data.userName}`).sort()).toEqual(made.map(({ user }, i) => `create-together-${i} ${user.id} together${i}@example.com`).sort());
  });

  it('makes each create of a batch that fails on its own, so that only those whose name is taken are refused', async () => {
    const ctx = await h.tenant();
    const { user: held } = await h.services.users.create(ctx, profile('taken@example.com'));
    const audit = async () => (await h.db.orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from audit_events where tenant_id = ? and action = 'user.create'`, [ctx.tenantId]))[0]!.n;
    // The first goes alone; the rest wait for it and go together: a taken userName and a name two of them share fail that batch.
    const names = ['first@example.com', 'a@example.com', 'TAKEN@example.com', 'b@example.com', 'twice@example.com', 'Twice@example.com', 'c@example.com'];
    const outcomes = await Promise.allSettled(names.map((n) => h.services.users.create(ctx, profile(n))));
    const refused = names.filter((_, i) => outcomes[i]!.status === 'rejected');
    expect(refused).toHaveLength(2);
    expect(refused).toContain('TAKEN@example.com');
    expect(refused.filter((n) => /twice/i.test(n))).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'CONFLICT' });
    expect(await audit()).toBe(1 + names.length - 2);
    expect((await h.services.users.get(ctx, held.id)).userName).toBe('taken@example.com');
    // Under the suffix policy, creates whose login names meet in one batch each get one of their own.
    const policies = { loginName: 'localPart', onLoginNameCollision: 'suffix', matchBy: [], onDelete: 'delete' } as const;
    const kims = await Promise.all(['kim@example.com', 'kim@example.org', 'kim@example.net', 'kim@example.edu'].map((n) => h.services.users.create(ctx, profile(n), { policies })));
    expect(kims.map((k) => k.user.loginName).sort()).toEqual(['kim', 'kim1', 'kim2', 'kim3']);
  });

  it('writes changes of users of one tenant that arrive while one is being written together, each with its own audit and change event', async () => {
    const ctx = await h.tenant();
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => h.services.users.create(ctx, profile(`changed${i}@example.com`, { emails: [email(`changed${i}@example.com`)] }))));
    let changed: User[] = [];
    const statements = await statementsOf(async () => {
      changed = await Promise.all(users.map(({ user }, i) => h.services.users.update({ ...ctx, requestId: `change-together-${i}` }, user.id, (u) => ({ ...u, title: `Title ${i}`, active: i % 3 !== 0 }))));
    });
    const updates = statements.filter((s) => /update users\b/.test(s));
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThan(users.length);
    expect(statements.some(isControl)).toBe(false);
    for (const [i, { user }] of users.entries()) {
      expect(changed[i]).toMatchObject({ id: user.id, title: `Title ${i}`, version: 2 });
      const read = await h.services.users.get(ctx, user.id);
      expect(read).toMatchObject({ title: `Title ${i}`, active: i % 3 !== 0, version: 2, userName: `changed${i}@example.com` });
      expect(read.emails.map((e) => e.value)).toEqual([`changed${i}@example.com`]);
    }
    const db = h.db.orm.em.fork().getConnection();
    const audit = await db.execute<{ request_id: string; resource_id: string; changes: string[] }[]>(
      `select request_id, resource_id, changes from audit_events where tenant_id = ? and action = 'user.update'`,
      [ctx.tenantId],
    );
    expect(audit.map((a) => `${a.request_id} ${a.resource_id} ${[...a.changes].sort().join(',')}`).sort()).toEqual(
      users.map(({ user }, i) => `change-together-${i} ${user.id} ${i % 3 === 0 ? 'active,title' : 'title'}`).sort(),
    );
    const events = await db.execute<{ request_id: string; type: string; data: { title: string; version: number } }[]>(
      `select request_id, type, data from change_events where tenant_id = ? and request_id like 'change-together-%'`,
      [ctx.tenantId],
    );
    expect(events.filter((e) => e.type === 'user.updated').map((e) => `${e.request_id} ${e.data.title} ${e.data.version}`).sort()).toEqual(
      users.map((_, i) => `change-together-${i} Title ${i} 2`).sort(),
    );
    expect(events.filter((e) => e.type === 'user.deactivated')).toHaveLength(4);
  });

  it('makes each change of a batch that fails on its own, from a read under its user\'s lock', async () => {
    const ctx = await h.tenant();
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map(async (n) => (await h.services.users.create(ctx, profile(`${n}@example.com`))).user));
    // The first goes alone; the rest go together: two changes of one user, and a userName another user holds, fail that batch.
    const outcomes = await Promise.allSettled([
      h.services.users.update(ctx, d!.id, (u) => ({ ...u, nickName: 'first' })),
      h.services.users.update(ctx, a!.id, (u) => ({ ...u, title: 'One' })),
      h.services.users.update(ctx, a!.id, (u) => ({ ...u, nickName: 'Two' })),
      h.services.users.update(ctx, b!.id, (u) => ({ ...u, userName: 'C@example.com' })),
      h.services.users.update(ctx, c!.id, (u) => ({ ...u, title: 'Three' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
    expect(await h.services.users.get(ctx, a!.id)).toMatchObject({ title: 'One', nickName: 'Two', version: 3 });
    expect(await h.services.users.get(ctx, b!.id)).toMatchObject({ userName: 'b@example.com', version: 1 });
    expect(await h.services.users.get(ctx, c!.id)).toMatchObject({ title: 'Three', version: 2 });
    const actions = (await h.services.audit.list(ctx, {}, { cursor: null, limit: 50 })).items.map((i) => `${i.node.action} ${i.node.resourceId}`);
    expect(actions.filter((x) => x === `user.update ${a!.id}`)).toHaveLength(2);
    expect(actions.filter((x) => x === `user.update ${b!.id}`)).toHaveLength(0);
  });

  it('writes creates and changes of one tenant that arrive together in one statement, and makes each on its own when it fails', async () => {
    const ctx = await h.tenant();
    const existing = await Promise.all(Array.from({ length: 6 }, async (_, i) => (await h.services.users.create(ctx, profile(`mixed${i}@example.com`))).user));
    const lock = new pg.Client({ connectionString: h.db.url });
    await lock.connect();
    try {
      const mixed = async (tag: string, takenName: string | null) => {
        // The first create waits on the tenant's row (its foreign key), so the rest arrive while it is on its way.
        await lock.query('begin');
        await lock.query('select 1 from tenants where id = $1 for update', [ctx.tenantId]);
        const first = h.services.users.create({ ...ctx, requestId: `${tag}-first` }, profile(`${tag}-first@example.com`));
        await new Promise((r) => setTimeout(r, 100));
        const rest = Promise.allSettled([
          ...[0, 1, 2, 3].map((i) => h.services.users.create({ ...ctx, requestId: `${tag}-create-${i}` }, profile(`${tag}-${i}@example.com`))),
          ...(takenName ? [h.services.users.create({ ...ctx, requestId: `${tag}-taken` }, profile(takenName))] : []),
          ...existing.map((u, i) => h.services.users.update({ ...ctx, requestId: `${tag}-change-${i}` }, u.id, (c) => ({ ...c, title: `${tag} ${i}` }))),
        ]);
        // The changes' plain reads are not held up by the lock; give them time to join the queue.
        await new Promise((r) => setTimeout(r, 300));
        await lock.query('commit');
        await first;
        return rest;
      };

      let outcomes: PromiseSettledResult<unknown>[] = [];
      const statements = await statementsOf(async () => {
        outcomes = await mixed('together', null);
      });
      expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
      const both = statements.filter((s) => /insert into users\b/.test(s) && /update users\b/.test(s));
      expect(both).toHaveLength(1);
      expect(statements.filter((s) => /insert into users\b|update users\b/.test(s))).toHaveLength(2);
      for (const [i, u] of existing.entries()) expect(await h.services.users.get(ctx, u.id)).toMatchObject({ title: `together ${i}`, version: 2 });
      for (const i of [0, 1, 2, 3]) expect((await h.services.users.list(ctx, { filter: f.eq('userName', `together-${i}@example.com`), sort: null, page: { mode: 'offset', offset: 0, limit: 2 }, withTotal: true })).total).toBe(1);

      // A taken userName fails the batch it is in: the creates are made from their lookups, the changes from a read under the lock.
      outcomes = await mixed('again', 'mixed0@example.com');
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', ...existing.map(() => 'fulfilled')]);
      expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
      for (const [i, u] of existing.entries()) expect(await h.services.users.get(ctx, u.id)).toMatchObject({ title: `again ${i}`, version: 3 });
      const db = h.db.orm.em.fork().getConnection();
      const audit = await db.execute<{ request_id: string; action: string }[]>(`select request_id, action from audit_events where tenant_id = ? and request_id like 'again-%'`, [ctx.tenantId]);
      expect(audit.map((a) => `${a.request_id} ${a.action}`).sort()).toEqual(
        ['again-first user.create', ...[0, 1, 2, 3].map((i) => `again-create-${i} user.create`), ...existing.map((_, i) => `again-change-${i} user.update`)].sort(),
      );
    } finally {
      await lock.query('rollback').catch(() => undefined);
      await lock.end();
    }
  });

  it('reads single users that are asked for while one is being read together, each as its reader sees it', async () => {
    const ctx = await h.tenant();
    const connection = await h.services.connections.create(ctx, 'reader');
    const asConnection: Ctx = { ...ctx, actor: { type: 'connection', id: connection.connection.id, tenantId: ctx.tenantId } };
    // Two of them share an externalId, which is not unique.
    const users = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => (await h.services.users.create(ctx, profile(`read${i}@example.com`, { externalId: i < 6 ? `ext-${i}` : 'shared' }))).user),
    );
    // One user managed by another connection: the reading connection does not see it.
    const other = await h.services.connections.create(ctx, 'other');
    const hidden = (await h.services.users.create({ ...ctx, actor: { type: 'connection', id: other.connection.id, tenantId: ctx.tenantId } }, profile('hidden@example.com'))).user;
    const group = await h.services.groups.create(ctx, { displayName: 'readers', externalId: null, extensions: {} }, [{ id: users[2]!.id }]);
    const lookupOf = (userName: string, field = 'userName') =>
      h.services.users.list(asConnection, { filter: f.eq(field, userName), sort: null, page: { mode: 'offset', offset: 0, limit: 100 }, withTotal: true, withGroups: true });
    let answers: unknown[] = [];
    const statements = await statementsOf(async () => {
      answers = await Promise.allSettled([
        ...users.map((u) => h.services.users.get(asConnection, u.id.toUpperCase(), { withGroups: true })),
        h.services.users.get(asConnection, hidden.id, { withGroups: true }),
        h.services.users.get(asConnection, 'not-an-id', { withGroups: true }),
        ...users.map((_, i) => lookupOf(`READ${i}@example.com`)),
        lookupOf('hidden@example.com'),
        lookupOf('nobody@example.com'),
        ...users.slice(0, 6).map((_, i) => lookupOf(`ext-${i}`, 'externalId')),
        lookupOf('shared', 'externalId'),
        lookupOf('EXT-0', 'externalId'),
      ]);
    });
    const reads = statements.filter((s) => /json_array_elements_text/.test(s));
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.length).toBeLessThan(2 * users.length + 4);
    const got = answers as PromiseSettledResult<User | { items: { node: User }[]; total: number | null; hasMore: boolean }>[];
    for (const [i, u] of users.entries()) {
      expect(got[i]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ id: u.id, userName: `read${i}@example.com`, groups: i === 2 ? [{ id: group.id, displayName: 'readers' }] : [] }) });
      const page = (got[users.length + 2 + i] as PromiseFulfilledResult<{ items: { node: User }[]; total: number | null; hasMore: boolean }>).value;
      expect(page.items.map((x) => x.node.id)).toEqual([u.id]);
      expect(page).toMatchObject({ total: 1, hasMore: false });
    }
    for (const k of [users.length, users.length + 1]) expect(got[k]).toMatchObject({ status: 'rejected', reason: { code: 'NOT_FOUND' } });
    for (const k of [2 * users.length + 2, 2 * users.length + 3, 2 * users.length + 4 + 7]) expect(got[k]).toEqual({ status: 'fulfilled', value: { items: [], total: 0, hasMore: false } });
    const pageAt = (k: number) => (got[k] as PromiseFulfilledResult<{ items: { node: User }[]; total: number | null; hasMore: boolean }>).value;
    for (let i = 0; i < 6; i++) expect(pageAt(2 * users.length + 4 + i)).toMatchObject({ items: [{ node: { id: users[i]!.id, externalId: `ext-${i}` } }], total: 1 });
    // Users who share an externalId are listed in the list's order, by id.
    const shared = pageAt(2 * users.length + 4 + 6);
    expect(shared.items.map((x) => x.node.id)).toEqual([users[6]!.id, users[7]!.id].sort());
    expect(shared).toMatchObject({ total: 2, hasMore: false });
    // An admin sees the user the connection does not.
    expect((await h.services.users.get(ctx, hidden.id)).userName).toBe('hidden@example.com');
    const page = await h.services.users.list(ctx, { filter: f.eq('userName', 'HIDDEN@example.com'), sort: null, page: { mode: 'offset', offset: 0, limit: 0 }, withTotal: true });
    expect(page).toEqual({ items: [], total: 1, hasMore: true });
  });

  it('makes a create whose userName or login name is taken from its lookups, leaving nothing of the first try', async () => {
    const ctx = await h.tenant();
    const { user: first } = await h.services.users.create(ctx, profile('held@example.com', { emails: [email('held@example.com')] }));
    const audit = async () => (await h.db.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from audit_events where tenant_id = ?', [ctx.tenantId]))[0]!.n;
    const values = async () => (await h.db.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from user_values where tenant_id = ?', [ctx.tenantId]))[0]!.n;
    const [auditBefore, valuesBefore] = [await audit(), await values()];
    const policies = { loginName: 'localPart', onLoginNameCollision: 'suffix', matchBy: [], onDelete: 'delete' } as const;
    const taken = await statementsOf(() =>
      expect(h.services.users.create(ctx, profile('HELD@example.com', { emails: [email('other@example.com')] }), { policies })).rejects.toMatchObject({ code: 'CONFLICT' }),
    );
    // The one statement, then the lookups (the login names it may get) and the create they choose, which the unique index refuses.
    expect(taken).toHaveLength(3);
    expect(taken[0]).toMatch(/on conflict do nothing/);
    expect(taken[1]).toMatch(/login_name/);
    expect(taken[2]).toMatch(/^\S+ \S+ \S+ with w0 as \(insert into users/);
    expect(taken[2]).not.toMatch(/on conflict/);
    expect([await audit(), await values()]).toEqual([auditBefore, valuesBefore]);
    expect((await h.services.users.get(ctx, first.id)).emails.map((e) => e.value)).toEqual(['held@example.com']);
    // Another userName whose login name is taken: under the suffix policy it gets the next one.
    const { user: local } = await h.services.users.create(ctx, profile('kim@example.com'), { policies });
    const { user: suffixed } = await h.services.users.create(ctx, profile('kim@example.org'), { policies });
    expect([local.loginName, suffixed.loginName]).toEqual(['kim', 'kim1']);
  });

  it('begins at a locking read and ends with one statement of its last writes, then COMMIT', async () => {
    const ctx = await h.tenant();
    const { user } = await h.services.users.create(ctx, profile('locked@example.com'));
    const store = createStore(h.db.orm);
    const statements = await statementsOf(() =>
      store.write(async (r) => {
        const u = (await r.users.get(ctx.tenantId, user.id, { forUpdate: true }))!;
        await r.users.update({ ...u, title: 'Guide', version: u.version + 1 });
      }),
    );
    expect(statements[0]).toMatch(/^begin/i);
    expect(statements[1]).toMatch(/for update of u/);
    expect(writes(statements[2]!)).toEqual(['users', 'user_values', 'user_addresses']);
    expect(statements[3]).toMatch(/^commit/i);
    expect(statements).toHaveLength(4);
    expect((await h.services.users.get(ctx, user.id)).title).toBe('Guide');
  });

  it('changes a user with a plain read and one guarded statement, with no BEGIN or COMMIT', async () => {
    const ctx = await h.tenant();
    // Created by services that remember no users, as another process: this one has to read it.
    const { user } = await buildServices(h.db.orm, { recentUsersBytes: 0 }).users.create(ctx, profile('guarded@example.com'));
    const statements = await statementsOf(() => h.services.users.update(ctx, user.id, (u) => ({ ...u, title: 'Guide' })));
    expect(statements).toHaveLength(2);
    expect(statements[0]).not.toMatch(/for update/);
    expect(writes(statements[1]!)).toEqual(['users', 'audit_events', 'change_events']);
    expect(statements[1]).toMatch(/roster_expect_row/);
    expect(statements.some(isControl)).toBe(false);
    expect((await h.services.users.get(ctx, user.id)).title).toBe('Guide');
  });

  it('changes a user it remembers with the guarded statement alone (docs/architecture.md#remembered-users)', async () => {
    const ctx = await h.tenant();
    const { user } = await h.services.users.create(ctx, profile('remembered@example.com'));
    // Read once, as Entra looks a user up before it changes it.
    await h.services.users.get(ctx, user.id);
    const statements = await statementsOf(() => h.services.users.update(ctx, user.id, (u) => ({ ...u, title: 'Guide' })));
    expect(statements).toHaveLength(1);
    expect(writes(statements[0]!)).toEqual(['users', 'audit_events', 'change_events']);
    expect(statements[0]).toMatch(/roster_expect_row/);
    // And again from the state it wrote.
    const again = await statementsOf(() => h.services.users.update(ctx, user.id, (u) => ({ ...u, title: 'Mentor' })));
    expect(again).toHaveLength(1);
    expect(await h.services.users.get(ctx, user.id)).toMatchObject({ title: 'Mentor', version: 3 });
  });

  it('changes a user it has just created with the guarded statement alone, as an initial sync sets its manager', async () => {
    const ctx = await h.tenant();
    const { user } = await h.services.users.create(ctx, profile('created@example.com'));
    const statements = await statementsOf(() => h.services.users.update(ctx, user.id, (u) => ({ ...u, enterprise: { ...u.enterprise, managerValue: 'm-1' } })));
    expect(statements).toHaveLength(1);
    expect(writes(statements[0]!)).toEqual(['users', 'audit_events', 'change_events']);
    expect(await h.services.users.get(ctx, user.id)).toMatchObject({ enterprise: { managerValue: 'm-1' }, version: 2 });
  });

  it('writes nothing of a unit whose guarded update finds its user changed since it was read', async () => {
    const ctx = await h.tenant();
    const { user } = await h.services.users.create(ctx, profile('stale@example.com', { emails: [email('stale@example.com')] }));
    await h.services.users.update(ctx, user.id, (u) => ({ ...u, title: 'Newer' }));
    const audit = async () => (await h.db.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from audit_events where tenant_id = ?', [ctx.tenantId]))[0]!.n;
    const before = await audit();
    const store = createStore(h.db.orm);
    // Computed from the state before 'Newer': its version is one behind.
    const next: User = { ...user, title: 'Stale', emails: [email('other@example.com')], version: user.version + 1 };
    await expect(
      store.write(async (r) => {
        await r.users.update(next, user);
        await r.audit.append({
          id: '0190d7a0-0000-7000-8000-0000000000a3',
          tenantId: ctx.tenantId,
          occurredAt: new Date(),
          actorType: 'system',
          actorId: null,
          action: 'user.update',
          resourceType: 'User',
          resourceId: user.id,
          changes: ['title'],
          requestId: null,
          outcome: 'success',
          errorCode: null,
          errorDetail: null,
          userName: null,
        });
      }),
    ).rejects.toBeInstanceOf(StaleWriteError);
    const now = await h.services.users.get(ctx, user.id);
    expect(now).toMatchObject({ title: 'Newer', version: user.version + 1 });
    expect(now.emails.map((e) => e.value)).toEqual(['stale@example.com']);
    expect(await audit()).toBe(before);
  });

  it('writes nothing of a membership change whose member another write added since it was planned', async () => {
    const ctx = await h.tenant();
    const group = await h.services.groups.create(ctx, { displayName: 'raced', externalId: null, extensions: {} });
    const { user } = await h.services.users.create(ctx, profile('raced@example.com'));
    const store = createStore(h.db.orm);
    const plan = await store.read((r) => r.memberships.plan(ctx.tenantId, group.id, [{ id: user.id, type: 'User' }]));
    expect(plan.found).toEqual([{ id: user.id, type: 'User', member: false }]);
    await h.services.groups.addMembers(ctx, group.id, [{ id: user.id }]);
    const before = await h.services.groups.get(ctx, group.id);
    let moved: Later<number> | null = null;
    await expect(
      store.write(async (r) => {
        await r.memberships.changeExactly(ctx.tenantId, group.id, 'add', [{ id: user.id, type: 'User' }]);
        moved = await r.groups.moveVersion(ctx.tenantId, group.id, { managedBy: null, version: null }, new Date());
        // Known once the statement ran, which is after the unit: never inside it.
        expect(() => moved!.get()).toThrow(/not sent yet/);
      }),
    ).rejects.toBeInstanceOf(StaleWriteError);
    expect(moved!.sent).toBe(false);
    expect(await h.services.groups.get(ctx, group.id)).toMatchObject({ version: before.version });
    // Planned from what is there now, it is nothing to do; a remove of the member lands with its version.
    const removed = await store.write(async (r) => {
      await r.memberships.changeExactly(ctx.tenantId, group.id, 'remove', [{ id: user.id, type: 'User' }]);
      return r.groups.moveVersion(ctx.tenantId, group.id, { managedBy: null, version: before.version }, new Date());
    });
    expect(removed.get()).toBe(before.version + 1);
    expect((await h.services.groups.memberCounts(ctx, [group.id])).get(group.id)).toBe(0);
  });

  it('lands every one of concurrent changes to one user, each made from what the one before it left', async () => {
    const ctx = await h.tenant();
    const { user } = await h.services.users.create(ctx, profile('busy@example.com'));
    const fields = ['title', 'nickName', 'displayName', 'userType', 'preferredLanguage', 'locale', 'timezone', 'profileUrl'] as const;
    await Promise.all(fields.map((f) => h.services.users.update(ctx, user.id, (u) => ({ ...u, [f]: f === 'profileUrl' ? 'https://example.com/busy' : `set-${f}` }))));
    const now = await h.services.users.get(ctx, user.id);
    for (const f of fields) expect(now[f]).toBe(f === 'profileUrl' ? 'https://example.com/busy' : `set-${f}`);
    expect(now.version).toBe(user.version + fields.length);
    const actions = (await h.services.audit.list(ctx, { resourceId: user.id }, { cursor: null, limit: 50 })).items.map((i) => i.node.action);
    expect(actions.filter((a) => a === 'user.update')).toHaveLength(fields.length);
  });

  it('sends a waiting write before the next statement, so a read in the unit sees it', async () => {
    const ctx = await h.tenant();
    const store = createStore(h.db.orm);
    const user = newUser(ctx.tenantId, 'seen@example.com', '0190d7a0-0000-7000-8000-0000000000a1');
    let seen: User | null = null;
    const statements = await statementsOf(() =>
      store.write(async (r) => {
        await r.users.insert(user);
        seen = await r.users.get(ctx.tenantId, user.id);
      }),
    );
    expect(seen).toMatchObject({ id: user.id, userName: 'seen@example.com' });
    expect(statements.map((s) => (isControl(s) ? s.toLowerCase() : writes(s).join(',') || 'read'))).toEqual(['begin', 'users', 'read', 'commit']);
  });

  it('tells its caller once that its last statement has gone out, before that statement is answered', async () => {
    const ctx = await h.tenant();
    const store = createStore(h.db.orm);
    // The statements answered when `sent` was heard: every one but the last.
    const heard: number[] = [];
    const sent = () => void heard.push(h.db.statements.filter((s) => !/pg_notify/.test(s)).length);

    const alone = await statementsOf(() => store.write((r) => r.users.insert(newUser(ctx.tenantId, 'sent-alone@example.com', '0190d7a0-0000-7000-8000-0000000000a3')), { sent }));
    expect(alone).toHaveLength(1);
    expect(heard).toEqual([0]);

    heard.length = 0;
    const begun = await statementsOf(() =>
      store.write(
        async (r) => {
          await r.users.insert(newUser(ctx.tenantId, 'sent-begun@example.com', '0190d7a0-0000-7000-8000-0000000000a4'));
          await r.users.get(ctx.tenantId, '0190d7a0-0000-7000-8000-0000000000a4');
        },
        { sent },
      ),
    );
    expect(begun.map((s) => (isControl(s) ? s.toLowerCase() : writes(s).join(',') || 'read'))).toEqual(['begin', 'users', 'read', 'commit']);
    expect(heard).toEqual([3]);

    heard.length = 0;
    await expect(
      store.write(async () => {
        throw new Error('changed its mind');
      }, { sent }),
    ).rejects.toThrow('changed its mind');
    expect(heard).toEqual([]);
  });

  it('sends two changes of one table as two statements, so the second sees the first', async () => {
    const ctx = await h.tenant();
    const { user } = await h.services.users.create(ctx, profile('twice@example.com'));
    const store = createStore(h.db.orm);
    const statements = await statementsOf(() =>
      store.write(async (r) => {
        const u = (await r.users.get(ctx.tenantId, user.id, { forUpdate: true }))!;
        const first = { ...u, title: 'First', version: u.version + 1 };
        await r.users.update(first, u);
        await r.users.update({ ...u, title: 'Second', displayName: 'Twice', version: u.version + 2 }, first);
      }),
    );
    expect(statements.filter((s) => writes(s).includes('users'))).toHaveLength(2);
    expect(await h.services.users.get(ctx, user.id)).toMatchObject({ title: 'Second', displayName: 'Twice', version: user.version + 2 });
  });

  it('leaves nothing behind when its one statement fails, and nothing when it throws before sending it', async () => {
    const ctx = await h.tenant();
    await h.services.users.create(ctx, profile('taken@example.com'));
    const audit = async () => (await h.db.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from audit_events where tenant_id = ?', [ctx.tenantId]))[0]!.n;
    const before = await audit();
    await expect(h.services.users.create(ctx, profile('TAKEN@example.com'))).rejects.toThrow(/taken/);
    const store = createStore(h.db.orm);
    const statements = await statementsOf(() =>
      expect(
        store.write(async (r) => {
          await r.users.insert(newUser(ctx.tenantId, 'never@example.com', '0190d7a0-0000-7000-8000-0000000000a2'));
          throw new Error('changed its mind');
        }),
      ).rejects.toThrow('changed its mind'),
    );
    expect(statements).toEqual([]);
    expect(await audit()).toBe(before);
    expect((await h.services.users.list(ctx, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: true })).total).toBe(1);
  });
});
