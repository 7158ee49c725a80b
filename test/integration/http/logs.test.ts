import pg from 'pg';
import { gql } from '../../support/graphql.js';
import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { send, type ScimClient } from '../../support/scim.js';
import { stallTable } from '../../support/stall.js';

/**
 * No log line holds a value a client sent (docs/operations.md#logs). Marker values go through
 * every failure path — constraint violations, a bad filter, a statement timeout, errors masked
 * as 500, GraphQL errors, a bad token, a value where an id belongs — and no line of the captured
 * log may contain one. Database errors are logged by SQLSTATE, constraint and statement
 * fingerprint instead.
 */

const MARK = 'zqmark';
let n = 0;
const marker = () => `${MARK}${++n}`;

let h: Harness;
let scim: ScimClient;

beforeAll(async () => {
  h = await startHarness({ DB_ACQUIRE_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '1500' });
  scim = await scimTenant(h);
  // A constraint the application does not know: violating it is an unexpected database error (a
  // masked 500), and PostgreSQL's detail for it quotes the whole failing row.
  const c = new pg.Client({ connectionString: h.db.url });
  await c.connect();
  await c.query(`alter table users add constraint users_title_not_marked check (title is null or title not like '%${MARK}%')`);
  await c.end();
});
afterAll(async () => {
  await h.close();
});

const lines = () => h.logs.map((l) => JSON.stringify(l));

describe('logs under failure', () => {
  it('hold no value a client sent, on any failure path', async () => {
    const m = {
      taken: marker(),
      nul: marker(),
      filter: marker(),
      stalled: marker(),
      checkScim: marker(),
      checkGql: marker(),
      badVar: marker(),
      token: marker(),
      path: marker(),
      header: marker(),
    };
    // A uniqueness violation (409).
    expect((await scim.post('/Users', { userName: `${m.taken}@example.com` })).status).toBe(201);
    expect((await scim.post('/Users', { userName: `${m.taken}@example.com`, displayName: m.taken })).status).toBe(409);
    // A value PostgreSQL cannot store (a client error, whichever layer notices it).
    const nul = await scim.post('/Users', { userName: `nul\u0000${m.nul}@example.com` });
    expect(nul.status).toBeGreaterThanOrEqual(400);
    // A filter that does not parse (400), and one that finds nothing.
    expect((await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${m.filter}`)}`)).status).toBe(400);
    expect((await scim.get(`/Users?filter=${encodeURIComponent(`emails.value eq "${m.filter}@example.com"`)}`)).status).toBe(200);
    // A statement timeout (503) while the users table is locked.
    const stall = await stallTable(h.db.url, 'users');
    try {
      const r = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${m.stalled}@example.com"`)}`);
      expect(r.status).toBe(503);
    } finally {
      await stall.release();
    }
    // An unexpected database error, masked as a 500: SCIM and GraphQL.
    const masked = await scim.post('/Users', { userName: `${m.checkScim}@example.com`, title: m.checkScim, emails: [{ value: `${m.checkScim}@example.com` }] });
    expect(masked.status).toBe(500);
    expect(masked.text).not.toContain(MARK);
    const gqlMasked = await gql(h, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', {
      i: { tenantId: scim.ctx.tenantId, userName: `${m.checkGql}@example.com`, title: m.checkGql },
    });
    expect(gqlMasked.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(gqlMasked.errors)).not.toContain(MARK);
    // GraphQL input errors.
    const badVar = await gql(h, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { tenantId: scim.ctx.tenantId, userName: 7, title: m.badVar } });
    expect(badVar.errors?.length).toBeGreaterThan(0);
    // A token that is not one, a value where an id belongs, odd headers (X-Request-Id is echoed and logged by design).
    expect((await send(`${scim.base}/Users`, 'GET', m.token)).status).toBe(401);
    expect((await gql(h, '{ viewer { platform } }', {}, m.token)).status).toBe(401);
    expect((await scim.get(`/Users/${m.path}@example.com`)).status).toBe(404);
    expect((await scim.get('/Users?count=1', { 'x-forwarded-for': m.header, 'user-agent': m.header })).status).toBe(200);

    const leaked = lines().filter((l) => l.includes(MARK));
    expect(leaked).toEqual([]);
  });

  it('names database errors by SQLSTATE, constraint and statement fingerprint', () => {
    const errs = h.logs.map((l) => l.err as Record<string, unknown> | undefined).filter((e) => e !== undefined);
    const check = errs.find((e) => e.sqlState === '23514');
    expect(check).toMatchObject({ condition: 'check_violation', constraint: 'users_title_not_marked', table: 'users' });
    expect(check!.statement).toMatch(/^[0-9a-f]{12}$/);
    const timeout = errs.find((e) => (e.cause as Record<string, unknown> | undefined)?.sqlState === '57014');
    expect(timeout).toMatchObject({ code: 'UNAVAILABLE', reason: 'statement_timeout', cause: { condition: 'query_canceled' } });
    expect((timeout!.cause as Record<string, unknown>).statement).toMatch(/^[0-9a-f]{12}$/);
  });

  it('puts the tenant, the connection or API key and the request id on every request line', () => {
    const requests = h.logs.filter((l) => l.msg === 'request' && typeof l.path === 'string');
    const scimLine = requests.find((l) => (l.path as string).startsWith('/scim/v2/Users') && l.status === 201);
    expect(scimLine).toMatchObject({ tenantId: scim.ctx.tenantId, connectionId: scim.connection.id });
    expect(scimLine!.requestId).toEqual(expect.any(String));
    const gqlLine = requests.find((l) => l.path === '/graphql' && l.apiKeyId !== undefined);
    expect(gqlLine).toBeDefined();
    expect(requests.some((l) => l.path === '/scim/v2/Users/:value')).toBe(true);
  });
});
