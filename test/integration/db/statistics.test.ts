import pg from 'pg';
import { analyzeStale } from '../../../src/db/statistics.js';
import { exec } from '../../../src/db/sql.js';
import { multiValue } from '../../../src/domain/user/user.js';
import { profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * docs/operations.md#planner-statistics: a tenant that grew after its table was last analyzed is
 * looked up by walking all of its users, until the statistics are brought up to date; Roster does
 * that itself, one process at a time, whether or not autovacuum runs.
 */
const USERS = 3000;
let h: Harness;
let client: pg.Client;

beforeAll(async () => {
  h = await startHarness();
  client = new pg.Client({ connectionString: h.db.url });
  await client.connect();
  // Autovacuum must not analyze behind the test's back.
  for (const table of ['users', 'user_values', 'user_addresses']) await client.query(`alter table ${table} set (autovacuum_enabled = false)`);
});
afterAll(async () => {
  for (const table of ['users', 'user_values', 'user_addresses']) await client.query(`alter table ${table} reset (autovacuum_enabled)`);
  await client?.end();
  await h.close();
});

/** `USERS` users in the tenant, written straight into the table as an import might, named `<prefix><n>@example.com`. */
const bulkUsers = (tenantId: string, prefix: string) =>
  exec(
    h.db.orm.em.fork(),
    `insert into users (id, tenant_id, user_name, login_name, active, extensions, version, created_at, updated_at)
     select gen_random_uuid(), ?, ? || i || '@example.com', ? || i, true, '{}'::jsonb, 1, now(), now() from generate_series(1, ?) as i`,
    [tenantId, prefix, prefix, USERS],
  );

/** The index the generic plan of a lookup by userName reads, and whether it filters rows it read. */
async function lookupPlan(tenantId: string): Promise<{ index: string; filtered: boolean }> {
  await client.query('deallocate all');
  await client.query(`prepare lookup(uuid, text) as select u.id from users u where u.tenant_id = $1 and lower(u.user_name) = lower($2) limit 10`);
  await client.query('set plan_cache_mode = force_generic_plan');
  const r = await client.query<{ 'QUERY PLAN': [{ Plan: { Plans: [{ 'Index Name': string; Filter?: string }] } }] }>(
    `explain (format json) execute lookup(${client.escapeLiteral(tenantId)}, 'nobody@example.com')`,
  );
  await client.query('reset plan_cache_mode');
  const scan = r.rows[0]!['QUERY PLAN'][0].Plan.Plans[0];
  return { index: scan['Index Name'], filtered: scan.Filter !== undefined };
}

/** Analyzes what lags; the counts of changed rows reach pg_stat_user_tables within a second or so. */
async function untilAnalyzed(): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const tables = await analyzeStale(h.db.orm);
    if (tables.length > 0) return tables;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

describe('planner statistics', () => {
  it('analyzes a table that grew past its statistics, after which a lookup probes the userName index', async () => {
    const ctx = await h.tenant();
    await h.services.users.create(ctx, profile('first@example.com'));
    await client.query('analyze users');
    await bulkUsers(ctx.tenantId, 'bulk');
    // Statistics from one user: the tenant's every user is read to find one name (through any index that leads with the tenant).
    const stale = await lookupPlan(ctx.tenantId);
    expect(stale.filtered).toBe(true);
    expect(stale.index).not.toBe('users_tenant_user_name_unique');
    expect(await untilAnalyzed()).toContain('users');
    expect(await lookupPlan(ctx.tenantId)).toEqual({ index: 'users_tenant_user_name_unique', filtered: false });
    // Up to date now: nothing more to do.
    expect(await analyzeStale(h.db.orm)).toEqual([]);
  });

  it('leaves the work to the process that holds the lock', async () => {
    const ctx = await h.tenant();
    await bulkUsers(ctx.tenantId, 'held');
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(7265002)');
    expect(await analyzeStale(h.db.orm)).toEqual([]);
    await client.query('commit');
    expect(await untilAnalyzed()).toContain('users');
  });

  it('keeps no statistics of the documents Roster only reads back, and keeps those of what it looks up by', async () => {
    const ctx = await h.tenant();
    for (let i = 0; i < 20; i++) {
      const extra = { emails: [multiValue({ value: `doc${i}@example.com`, type: 'work', primary: true })], phoneNumbers: [multiValue({ value: '+1 555 0100' })], title: 'Engineer' };
      await h.services.users.create(ctx, profile(`doc${i}@example.com`, extra));
    }
    await h.services.groups.create(ctx, { displayName: 'documents', externalId: null, extensions: {} });
    // Every document column of the tables that grow with each write: users, groups and the logs.
    const documents = await client.query<{ name: string; target: number }>(
      `select c.relname || '.' || a.attname as name, a.attstattarget as target from pg_attribute a join pg_class c on c.oid = a.attrelid
       where c.relnamespace = current_schema()::regnamespace and c.relname in ('users', 'groups', 'audit_events', 'change_events', 'webhook_deliveries')
         and a.attnum > 0 and not a.attisdropped and (a.atttypid in ('json'::regtype, 'jsonb'::regtype) or a.attname = 'error_detail')`,
    );
    expect(documents.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['users.emails', 'users.extensions', 'change_events.data', 'audit_events.changes', 'webhook_deliveries.payload']));
    for (const d of documents.rows) expect(d).toEqual({ name: d.name, target: 0 });

    await client.query('analyze users, groups, audit_events, change_events');
    const kept = await client.query<{ name: string }>(
      `select tablename || '.' || attname as name from pg_stats where schemaname = current_schema() and tablename in ('users', 'groups', 'audit_events', 'change_events')`,
    );
    const names = kept.rows.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['users.tenant_id', 'users.user_name', 'users.title', 'groups.display_name', 'audit_events.resource_id', 'change_events.tenant_id']));
    for (const d of documents.rows) expect(names).not.toContain(d.name);
  });

  it('samples 3,000 rows of each table that grows with every write: every column and index expression it keeps statistics of has a target of 10', async () => {
    const tables = ['users', 'user_values', 'user_addresses', 'groups', 'memberships', 'audit_events', 'change_events', 'webhook_deliveries'];
    // The targets of the tables' columns and of their indexes' expressions (an index column is an expression where indkey holds 0).
    const targets = await client.query<{ name: string; target: number | null }>(
      `select c.relname || '.' || a.attname as name, a.attstattarget::int as target from pg_attribute a join pg_class c on c.oid = a.attrelid
        where c.relnamespace = current_schema()::regnamespace and c.relname = any($1) and a.attnum > 0 and not a.attisdropped
       union all
       select ic.relname || '.' || a.attname, a.attstattarget::int from pg_index i join pg_class c on c.oid = i.indrelid join pg_class ic on ic.oid = i.indexrelid
         join unnest(i.indkey) with ordinality as k(attnum, n) on k.attnum = 0 join pg_attribute a on a.attrelid = i.indexrelid and a.attnum = k.n
        where c.relnamespace = current_schema()::regnamespace and c.relname = any($1)`,
      [tables],
    );
    const byName = new Map(targets.rows.map((r) => [r.name, r.target]));
    for (const name of ['users.tenant_id', 'users.user_name', 'users.title', 'user_values.value', 'memberships.member_user_id', 'change_events.tenant_id', 'audit_events.resource_id', 'webhook_deliveries.endpoint_id']) {
      expect([name, byName.get(name)]).toEqual([name, 10]);
    }
    // lower(user_name), lower(value): without these, ANALYZE would still read 30,000 rows.
    const expressions = [...byName].filter(([name]) => name.startsWith('users_tenant_user_name_unique.') || name.startsWith('user_values_tenant_attribute_value_index.'));
    expect(expressions.sort(([a], [b]) => (a < b ? 1 : -1))).toEqual([
      [expect.stringMatching(/^users_tenant_user_name_unique\./), 10],
      [expect.stringMatching(/^user_values_tenant_attribute_value_index\./), 10],
    ]);
    // No column left at the server's default (-1, or null since PostgreSQL 17); the documents stay at 0.
    expect(targets.rows.filter((r) => r.target !== 10 && r.target !== 0)).toEqual([]);
    expect(byName.get('users.emails')).toBe(0);
  });
});
