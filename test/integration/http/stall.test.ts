import pg from 'pg';
import { gql } from '../../support/graphql.js';
import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import type { ScimClient, ScimReply } from '../../support/scim.js';
import { stallTable, type Stall } from '../../support/stall.js';

/**
 * A stalled database (docs/architecture.md#robustness): with the users table locked by another
 * session, work waits a bounded time, then answers 503 with Retry-After — never a 500, never a
 * hang — while /healthz and /readyz answer at once; and everything recovers when the lock goes.
 */

const ACQUIRE_MS = 1000;
const STATEMENT_MS = 2000;
const RETRY_AFTER = '7';
// The longest any request may take: its turn among the tenant's requests and a connection (each
// waited for at most ACQUIRE_MS), one statement, and slack for a busy machine.
const BOUND_MS = 2 * ACQUIRE_MS + STATEMENT_MS + 1500;

let h: Harness;
let scim: ScimClient;
let stall: Stall | null = null;

beforeAll(async () => {
  h = await startHarness({
    DB_POOL_MAX: '4',
    DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_MS),
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
    RETRY_AFTER_SECONDS: RETRY_AFTER,
  });
  scim = await scimTenant(h);
  const res = await scim.post('/Users', { userName: 'stall.probe@example.com' });
  expect(res.status).toBe(201);
});
afterEach(async () => {
  await stall?.release();
  stall = null;
});
afterAll(async () => {
  await h.close();
});

const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
};

const lookup = (n: number) => scim.get(`/Users?filter=${encodeURIComponent(`userName eq "stall.${n}@example.com"`)}`);

function expectUnavailable(r: ScimReply): void {
  expect({ status: r.status, retryAfter: r.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: RETRY_AFTER });
  expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
}

describe('a stalled database', () => {
  it('answers SCIM lookups and writes with 503 + Retry-After within the configured wait, and health at once', async () => {
    stall = await stallTable(h.db.url, 'users');
    const lookups = Array.from({ length: 10 }, (_, i) => timed(() => lookup(i)));
    const write = timed(() => scim.post('/Users', { userName: 'stall.write@example.com' }));
    // While those wait: health answers without queueing behind them.
    await new Promise((r) => setTimeout(r, 200));
    const healthz = await timed(() => fetch(`${h.baseUrl}/healthz`));
    const readyz = await timed(() => fetch(`${h.baseUrl}/readyz`));
    expect(healthz.value.status).toBe(200);
    expect(healthz.ms).toBeLessThan(1000);
    expect(readyz.value.status).toBe(200);
    expect(readyz.ms).toBeLessThan(1000);

    const answers = await Promise.all([...lookups, write]);
    for (const a of answers) {
      expectUnavailable(a.value);
      expect(a.ms).toBeLessThan(BOUND_MS);
    }
    const ms = answers.map((a) => Math.round(a.ms));
    process.stdout.write(`stall: 11 SCIM requests answered 503 in ${Math.min(...ms)}..${Math.max(...ms)} ms (bound ${BOUND_MS} ms)\n`);
  });

  it('answers GraphQL with UNAVAILABLE, HTTP 503 and Retry-After when nothing could be read', async () => {
    stall = await stallTable(h.db.url, 'users');
    const { value: r, ms } = await timed(() =>
      gql(h, 'query($t: ID!) { tenant(id: $t) { users(first: 5) { edges { node { userName } } } } }', { t: scim.ctx.tenantId }),
    );
    expect(r.code).toBe('UNAVAILABLE');
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe(RETRY_AFTER);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('recovers by itself when the lock is released', async () => {
    stall = await stallTable(h.db.url, 'users');
    const waiting = Array.from({ length: 6 }, (_, i) => lookup(i));
    await new Promise((r) => setTimeout(r, 300));
    await stall.release();
    stall = null;
    // Requests that were still waiting either finish or are refused cleanly, never a 500.
    for (const r of await Promise.all(waiting)) expect([200, 503]).toContain(r.status);
    const after = await timed(() => scim.get(`/Users?filter=${encodeURIComponent('userName eq "stall.probe@example.com"')}`));
    expect(after.value.status).toBe(200);
    expect(after.value.body.totalResults).toBe(1);
    expect(after.ms).toBeLessThan(1000);
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^roster_db_pool_in_use 0$/m);
    expect(metrics).toMatch(/^roster_db_pool_waiting 0$/m);
  });

  it('logs a write whose failure it could not record either as the outage it is, not as a fault of its own', async () => {
    stall = await stallTable(h.db.url, 'users');
    const audit = await stallTable(h.db.url, 'audit_events');
    const from = h.logs.length;
    try {
      // The create waits behind the lock on users, and the record of its failure behind the one on audit_events.
      expectUnavailable(await scim.post('/Users', { userName: 'stall.unrecorded@example.com' }));
    } finally {
      await audit.release();
    }
    const logged = h.logs.slice(from).map((l) => ({ level: l.level, msg: l.msg }));
    expect(logged.filter((l) => typeof l.level !== 'number' || l.level >= 50)).toEqual([]);
    expect(logged).toContainEqual({ level: 40, msg: 'SCIM write failed and its failure was not recorded: unavailable' });
  });

  it('answers 503 when the database ends its connections (a restart, a failover), then serves again', async () => {
    stall = await stallTable(h.db.url, 'users');
    // Reads whose session ends are sent again on another connection (docs/architecture.md#robustness),
    // and wait behind the lock until their statement's time is up; a write whose session ends may
    // or may not have committed, and is answered as lost.
    const waiting = [...Array.from({ length: 3 }, (_, i) => lookup(i)), scim.post('/Users', { userName: 'stall.ended@example.com' })];
    await new Promise((r) => setTimeout(r, 300));
    // What a restart does to Roster's sessions: FATAL 57P01, terminating connection due to administrator command.
    const admin = new pg.Client({ connectionString: h.db.url });
    await admin.connect();
    const dbName = new URL(h.db.url).pathname.slice(1);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and application_name <> $2', [dbName, 'stall']);
    await admin.end();
    for (const r of await Promise.all(waiting)) expectUnavailable(r);
    await stall.release();
    stall = null;
    const after = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "stall.probe@example.com"')}`);
    expect(after.status).toBe(200);
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^roster_rejections_total\{cause="connection_lost"\} [1-9]/m);
  });
});
