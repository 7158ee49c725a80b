import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Ctx } from '../../../src/domain/context.js';
import type { Filter } from '../../../src/domain/shared/filter.js';
import { createEventRepository, parsePosition } from '../../../src/db/repositories/event.repository.js';
import { createMembershipRepository, createGroupRepository } from '../../../src/db/repositories/group.repository.js';
import { createUserRepository } from '../../../src/db/repositories/user.repository.js';
import { exec } from '../../../src/db/sql.js';
import { profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * docs/architecture.md#statements-per-request: the statements of a SCIM lookup are planned once
 * and probe indexes, however many rows the tenant holds. Each is checked with PostgreSQL's own
 * EXPLAIN on a tenant of MEMBERS users, each in one group, with fresh statistics.
 */
const MEMBERS = 3000;
/** A SCIM connection's id, as reads and writes through one are scoped by it. */
const CONNECTION = '01900000-0000-7000-8000-000000000001';
let h: Harness;
let ctx: Ctx;
let client: pg.Client;
let userId: string;
let groupId: string;

beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
  const em = h.db.orm.em.fork();
  userId = (await h.services.users.create(ctx, profile('probe@example.com'))).user.id;
  await exec(
    em,
    `insert into users (id, tenant_id, user_name, login_name, active, extensions, version, created_at, updated_at)
     select gen_random_uuid(), ?, 'bulk' || i || '@example.com', 'bulk' || i, true, '{}'::jsonb, 1, now(), now() from generate_series(1, ?) as i`,
    [ctx.tenantId, MEMBERS],
  );
  groupId = (await h.services.groups.create(ctx, { displayName: 'everyone', externalId: null, extensions: {} })).id;
  await exec(em, `insert into memberships (tenant_id, group_id, member_user_id, created_at) select tenant_id, ?, id, now() from users where tenant_id = ?`, [groupId, ctx.tenantId]);
  client = new pg.Client({ connectionString: h.db.url });
  await client.connect();
  await client.query('analyze');
});
afterAll(async () => {
  await client?.end();
  await h.close();
});

/** The text of the one statement `fn` ran, as it was sent (`$n` placeholders). */
async function statementOf(fn: () => Promise<unknown>, pattern: RegExp): Promise<string> {
  h.db.statements.length = 0;
  await fn();
  const matching = h.db.statements.filter((s) => pattern.test(s));
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Heap Fetches'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}
const nodes = (p: PlanNode): PlanNode[] => [p, ...(p.Plans ?? []).flatMap(nodes)];
const seqScans = (p: PlanNode) => nodes(p).filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);

/** Prepares `text` as an SQL-level prepared statement, so EXPLAIN EXECUTE and pg_prepared_statements can see it. */
async function prepared(text: string, values: unknown[]) {
  await client.query('deallocate all');
  await client.query(`prepare s as ${text}`);
  const args = values.map((v) => (v === null ? 'null' : client.escapeLiteral(Array.isArray(v) ? `{${v.join(',')}}` : String(v)))).join(', ');
  const execute = `execute s(${args})`;
  return {
    async plan(mode: 'force_custom_plan' | 'force_generic_plan'): Promise<PlanNode> {
      await client.query(`set plan_cache_mode = ${mode}`);
      const r = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (format json) ${execute}`);
      await client.query('reset plan_cache_mode');
      return r.rows[0]!['QUERY PLAN'][0].Plan;
    },
    /** Runs it once with its values and returns the plan with what each node did. */
    async analyze(): Promise<PlanNode> {
      const r = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (analyze, format json) ${execute}`);
      return r.rows[0]!['QUERY PLAN'][0].Plan;
    },
    /** Runs it as a pooled connection would, again and again, and says how PostgreSQL planned the runs. */
    async runs(n: number, opts: { rolledBack?: boolean } = {}): Promise<{ generic: number; custom: number }> {
      for (let i = 0; i < n; i++) {
        // A write runs in a transaction rolled back, so that every run has the same rows to change.
        if (opts.rolledBack) await client.query('begin');
        await client.query(execute);
        if (opts.rolledBack) await client.query('rollback');
      }
      const r = await client.query<{ generic_plans: string; custom_plans: string }>(`select generic_plans, custom_plans from pg_prepared_statements where name = 's'`);
      return { generic: Number(r.rows[0]!.generic_plans), custom: Number(r.rows[0]!.custom_plans) };
    },
  };
}

describe('plans of the lookup statements', () => {
  it('finds a startIndex page by the index alone, reading whole only the users of the page', async () => {
    const em = h.db.orm.em.fork();
    // As a SCIM connection sees the tenant: the rows it manages and those no connection manages.
    const visibleTo = randomUUID();
    const offset = MEMBERS - 500;
    const list = () => createUserRepository(em).list(ctx.tenantId, { filter: null, sort: null, page: { mode: 'offset', offset, limit: 100 }, visibleTo, withTotal: true });
    const page = await list();
    expect(page.items).toHaveLength(100);
    expect(page.total).toBe(MEMBERS + 1);
    const text = await statementOf(list, /= any\(array\(select u\.id from users u/);
    // Fresh visibility map and statistics, as autovacuum keeps them.
    await client.query('vacuum analyze users');
    const plan = await (await prepared(text, [ctx.tenantId, ctx.tenantId, visibleTo, 101, offset])).analyze();
    const limit = nodes(plan).find((n) => n['Node Type'] === 'Limit');
    expect(limit).toBeDefined();
    // The skipped users and the page's are counted off the index, their rows never read...
    const scan = nodes(limit!).filter((n) => n['Relation Name'] === 'users');
    expect(scan).toEqual([expect.objectContaining({ 'Node Type': 'Index Only Scan', 'Index Name': 'users_tenant_id_id_index', 'Heap Fetches': 0, 'Actual Rows': offset + 101 })]);
    // ...and the page's rows, and no others, are read whole, by index (PostgreSQL 18 makes a
    // bitmap of the probes first; 15 probes one by one).
    const reads = nodes(plan).filter((n) => n['Relation Name'] === 'users' && !scan.includes(n));
    expect(reads).toEqual([expect.objectContaining({ 'Node Type': expect.stringMatching(/^(Index Scan|Bitmap Heap Scan)$/), 'Actual Rows': 101, 'Actual Loops': 1 })]);
  });

  it("reads one user's groups by index probes, not a scan of the tenant's memberships", async () => {
    const em = h.db.orm.em.fork();
    const text = await statementOf(() => createMembershipRepository(em).groupsOf(ctx.tenantId, [userId], false, undefined), /from memberships m/);
    const s = await prepared(text, [ctx.tenantId, userId, ctx.tenantId, userId]);
    for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) expect(seqScans(await s.plan(mode))).not.toContain('memberships');
  });

  it('plans a lookup by userName once, not on every run', async () => {
    const em = h.db.orm.em.fork();
    const filter: Filter = { op: 'eq', field: 'userName', value: 'probe@example.com' };
    const list = () =>
      createUserRepository(em).list(ctx.tenantId, { filter, sort: null, page: { mode: 'offset', offset: 0, limit: 100 }, withTotal: true });
    expect((await list()).items.map((i) => i.node.id)).toEqual([userId]);
    const text = await statementOf(list, /from users u/);
    const s = await prepared(text, [ctx.tenantId, 'probe@example.com', 101]);
    const generic = await s.plan('force_generic_plan');
    expect(seqScans(generic)).not.toContain('users');
    // A userName is unique in its tenant: the one row found is not sorted.
    expect(nodes(generic).map((n) => n['Node Type'])).not.toContain('Sort');
    // PostgreSQL tries five custom plans, then keeps the generic one when it costs no more.
    const runs = await s.runs(10);
    expect(runs.generic).toBeGreaterThanOrEqual(5);
  });

  it('reads a lookup by externalId in order from its index, without sorting', async () => {
    const em = h.db.orm.em.fork();
    const list = () =>
      createUserRepository(em).list(ctx.tenantId, { filter: { op: 'eq', field: 'externalId', value: 'probe-external' }, sort: null, page: { mode: 'offset', offset: 0, limit: 100 }, withTotal: true });
    const text = await statementOf(list, /from users u/);
    const s = await prepared(text, [ctx.tenantId, 'probe-external', 101]);
    for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
      const plan = await s.plan(mode);
      expect(nodes(plan).find((n) => n['Relation Name'] === 'users')).toEqual(expect.objectContaining({ 'Index Name': 'users_tenant_external_id_index' }));
      expect(nodes(plan).map((n) => n['Node Type'])).not.toContain('Sort');
    }
  });

  it.each<[string, () => Promise<{ run: () => Promise<unknown>; pattern: RegExp; values: unknown[] }>]>([
    ["one user's groups", async () => ({ run: () => createMembershipRepository(h.db.orm.em.fork()).groupsOf(ctx.tenantId, [userId], false, undefined), pattern: /from memberships m/, values: [ctx.tenantId, userId, ctx.tenantId, userId] })],
    ['a user read for update', async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).get(ctx.tenantId, userId, { forUpdate: true }), pattern: /from users u/, values: [ctx.tenantId, userId] })],
    ['a member removed', async () => ({ run: () => createMembershipRepository(h.db.orm.em.fork()).remove(ctx.tenantId, groupId, [userId], undefined), pattern: /delete from memberships/, values: [ctx.tenantId, groupId, userId, ctx.tenantId, groupId, userId] })],
    ['a member added', async () => ({ run: () => createMembershipRepository(h.db.orm.em.fork()).add(ctx.tenantId, groupId, [{ id: userId, type: 'User' }]), pattern: /insert into memberships/, values: [ctx.tenantId, groupId, [userId], ctx.tenantId, groupId, []] })],
    ['a group read by a connection', async () => ({ run: () => createGroupRepository(h.db.orm.em.fork()).get(ctx.tenantId, groupId, { visibleTo: CONNECTION }), pattern: /from groups g/, values: [ctx.tenantId, groupId, CONNECTION] })],
    ['a member removed by a connection', async () => ({ run: () => createMembershipRepository(h.db.orm.em.fork()).remove(ctx.tenantId, groupId, [userId], CONNECTION), pattern: /delete from memberships/, values: [ctx.tenantId, groupId, userId, CONNECTION, CONNECTION, ctx.tenantId, groupId, userId, CONNECTION, CONNECTION] })],
    ['a user read by a connection with its groups', async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).get(ctx.tenantId, userId, { visibleTo: CONNECTION, withGroups: true }), pattern: /from users u/, values: [CONNECTION, ctx.tenantId, userId, CONNECTION] })],
    ['a lookup by userName by a connection with groups', async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).list(ctx.tenantId, { filter: { op: 'eq', field: 'userName', value: 'probe@example.com' }, sort: null, page: { mode: 'offset', offset: 0, limit: 100 }, withTotal: true, visibleTo: CONNECTION, withGroups: true }), pattern: /from users u/, values: [CONNECTION, ctx.tenantId, CONNECTION, 'probe@example.com', 101] })],
    ['users read by id together, by a connection with their groups', async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).findEach(ctx.tenantId, 'id', [userId, randomUUID()], { visibleTo: CONNECTION, withGroups: true }), pattern: /json_array_elements_text/, values: [CONNECTION, JSON.stringify([userId, randomUUID()]), ctx.tenantId, CONNECTION] })],
    ['users looked up by userName together', async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).findEach(ctx.tenantId, 'userName', ['probe@example.com', 'bulk7@example.com', 'nobody']), pattern: /json_array_elements_text/, values: [JSON.stringify(['probe@example.com', 'bulk7@example.com', 'nobody']), ctx.tenantId] })],
    ['users looked up by externalId together', async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).findEach(ctx.tenantId, 'externalId', ['probe-external', 'other']), pattern: /json_array_elements_text/, values: [JSON.stringify(['probe-external', 'other']), ctx.tenantId] })],
    ['a member looked up', async () => ({ run: () => createMembershipRepository(h.db.orm.em.fork()).existing(ctx.tenantId, [{ id: userId, type: 'User' }, { id: userId, type: 'Group' }], undefined), pattern: /from users u/, values: [ctx.tenantId, userId, ctx.tenantId, userId] })],
    ['a new user\'s candidates', async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).findCandidates(ctx.tenantId, { userName: 'probe@example.com', emails: ['probe@example.com'], primaryOnly: true }), pattern: /from users u/, values: [ctx.tenantId, 'probe@example.com', ctx.tenantId, ctx.tenantId, ['probe@example.com']] })],
    ["a create's lookups: its userName and login names", async () => ({ run: () => createUserRepository(h.db.orm.em.fork()).createLookups(ctx.tenantId, { userName: 'probe@example.com', loginNames: ['probe', 'probe1', 'probe2', 'probe3', 'probe4'] }), pattern: /login_name/, values: [ctx.tenantId, 'probe@example.com', ctx.tenantId, ['probe', 'probe1', 'probe2', 'probe3', 'probe4']] })],
  ])('plans %s once, not on every run', async (_, setup) => {
    const { run, pattern, values } = await setup();
    const s = await prepared(await statementOf(run, pattern), values);
    const runs = await s.runs(10);
    expect(runs.generic).toBeGreaterThanOrEqual(5);
    // The plan kept probes indexes of the large tables.
    const scanned = seqScans(await s.plan('force_generic_plan'));
    expect(scanned).not.toContain('users');
    expect(scanned).not.toContain('memberships');
  });

  it("finds a new user's candidates by index probes even where the tables have no statistics (a tenant filled moments ago)", async () => {
    await client.query(`delete from pg_statistic where starelid in ('users'::regclass, 'user_values'::regclass)`);
    try {
      const by = { userName: 'probe@example.com', emails: ['probe@example.com'], primaryOnly: true };
      const text = await statementOf(() => createUserRepository(h.db.orm.em.fork()).findCandidates(ctx.tenantId, by), /from users u/);
      const s = await prepared(text, [ctx.tenantId, 'probe@example.com', ctx.tenantId, ctx.tenantId, ['probe@example.com']]);
      for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) expect(seqScans(await s.plan(mode))).not.toContain('users');
      const byName = await statementOf(() => createUserRepository(h.db.orm.em.fork()).findCandidates(ctx.tenantId, { userName: 'probe@example.com' }), /from users u/);
      const n = await prepared(byName, [ctx.tenantId, 'probe@example.com']);
      for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) expect(seqScans(await n.plan(mode))).not.toContain('users');
      const lookups = await statementOf(() => createUserRepository(h.db.orm.em.fork()).createLookups(ctx.tenantId, { userName: 'probe@example.com', loginNames: ['probe', 'probe1'] }), /login_name/);
      const l = await prepared(lookups, [ctx.tenantId, 'probe@example.com', ctx.tenantId, ['probe', 'probe1']]);
      for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) expect(seqScans(await l.plan(mode))).not.toContain('users');
    } finally {
      await client.query('analyze users, user_values');
    }
  });

  it('adds and removes a member of a large group by index probes', async () => {
    const em = h.db.orm.em.fork();
    const groups = createGroupRepository(em);
    expect(await groups.get(ctx.tenantId, groupId)).not.toBeNull();
    const memberships = createMembershipRepository(em);
    const text = await statementOf(() => memberships.remove(ctx.tenantId, groupId, [userId], undefined), /delete from memberships/);
    const s = await prepared(text, [ctx.tenantId, groupId, userId, ctx.tenantId, groupId, userId]);
    for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) expect(seqScans(await s.plan(mode))).toEqual([]);
  });

  it('plans the steps of several members of a large group by a probe of the membership key for each, not a walk of the group', async () => {
    const em = h.db.orm.em.fork();
    const memberships = createMembershipRepository(em);
    // Several steps' members read together: some in the group, some not, each of either kind.
    const inGroup = (await client.query<{ id: string }>('select member_user_id as id from memberships where group_id = $1 limit 3', [groupId])).rows.map((r) => r.id);
    const outside = [randomUUID(), randomUUID()];
    const refs = [...inGroup, ...outside].flatMap((id) => [{ id, type: 'User' as const }, { id, type: 'Group' as const }]);
    const read = await statementOf(() => memberships.plan(ctx.tenantId, groupId, refs), /'Target'/);
    const ids = [...inGroup, ...outside];
    const r = await prepared(read, [ctx.tenantId, groupId, ctx.tenantId, groupId, ctx.tenantId, ids, ctx.tenantId, groupId, ctx.tenantId, ids]);
    const rowsOfMemberships = (p: PlanNode) =>
      nodes(p)
        .filter((n) => n['Relation Name'] === 'memberships')
        .reduce((sum, n) => sum + (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1), 0);
    for (let run = 0; run < 8; run++) {
      const p = await r.analyze();
      expect(seqScans(p)).not.toContain('memberships');
      expect(rowsOfMemberships(p)).toBeLessThanOrEqual(inGroup.length);
    }
    for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) expect(seqScans(await r.plan(mode))).not.toContain('memberships');
  });

  it("plans a single member's add or remove, and what it is planned from, once, not on every run", async () => {
    const em = h.db.orm.em.fork();
    const memberships = createMembershipRepository(em);
    const newcomer = (await h.services.users.create(ctx, profile('newcomer@example.com'))).user.id;
    // The plan: the group and the member, as an identity provider names it (no type: either kind).
    const read = await statementOf(
      () => memberships.plan(ctx.tenantId, groupId, [{ id: newcomer, type: 'User' }, { id: newcomer, type: 'Group' }]),
      /'Target'/,
    );
    const r = await prepared(read, [ctx.tenantId, groupId, ctx.tenantId, groupId, ctx.tenantId, newcomer, ctx.tenantId, groupId, ctx.tenantId, newcomer]);
    const scanned = seqScans(await r.plan('force_generic_plan'));
    expect(scanned).not.toContain('users');
    expect(scanned).not.toContain('memberships');
    expect((await r.runs(10)).generic).toBeGreaterThanOrEqual(5);
    // The writes: the newcomer added and removed again, then each run alone, rolled back.
    const add = await statementOf(() => memberships.changeExactly(ctx.tenantId, groupId, 'add', [{ id: newcomer, type: 'User' }]), /insert into memberships/);
    const remove = await statementOf(() => memberships.changeExactly(ctx.tenantId, groupId, 'remove', [{ id: newcomer, type: 'User' }]), /delete from memberships/);
    expect((await (await prepared(add, [ctx.tenantId, groupId, newcomer, null, 1])).runs(10, { rolledBack: true })).generic).toBeGreaterThanOrEqual(5);
    const member = (await client.query<{ id: string }>('select member_user_id as id from memberships where group_id = $1 limit 1', [groupId])).rows[0]!.id;
    expect((await (await prepared(remove, [ctx.tenantId, groupId, member, 1])).runs(10, { rolledBack: true })).generic).toBeGreaterThanOrEqual(5);
  });
});

describe('plan of the webhook fan-out read', () => {
  it('walks the outbox by the position index and reads no more events than the batch, in custom and generic plans', async () => {
    const em = h.db.orm.em.fork();
    await exec(
      em,
      `insert into change_events (id, tenant_id, type, occurred_at, resource_type, resource_id, actor_type, changed_attributes, data)
       select gen_random_uuid(), ?, 'user.updated', now(), 'User', gen_random_uuid(), 'system', '[]'::jsonb, '{}'::jsonb from generate_series(1, ?)`,
      [ctx.tenantId, 20_000],
    );
    await client.query('analyze change_events, webhook_endpoints');
    const events = createEventRepository(em);
    const [first] = await events.listAfter(null, 1);
    const text = await statementOf(() => events.listForFanOut(first!.position, 500), /from change_events/);
    const s = await prepared(text, [...parsePosition(first!.position, 'after'), 500]);
    for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
      const plan = await s.plan(mode);
      expect(seqScans(plan)).not.toContain('change_events');
      expect(nodes(plan).filter((n) => n['Relation Name'] === 'change_events').map((n) => n['Index Name'])).toEqual(['change_events_position_index']);
    }
    const read = nodes(await s.analyze()).filter((n) => n['Relation Name'] === 'change_events');
    expect(read).toEqual([expect.objectContaining({ 'Actual Rows': 500, 'Actual Loops': 1 })]);
  });
});
