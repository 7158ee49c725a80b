import pg from 'pg';
import { analyzeStale } from '../../../src/db/statistics.js';
import { exec } from '../../../src/db/sql.js';
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
});
