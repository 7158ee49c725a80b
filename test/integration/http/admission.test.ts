import { gql, gqlOk } from '../../support/graphql.js';
import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import type { ScimClient } from '../../support/scim.js';
import { stallRow, type Stall } from '../../support/stall.js';

/**
 * The per-tenant cap on requests in progress (docs/architecture.md#robustness): tenant A fills
 * its share of the pool with writes that wait on a locked row; its requests beyond the cap wait
 * their turn, then get 503 + Retry-After; tenant B is served all along.
 */

const CAP = 8; // below the pool of 10, as the defaults are (16 of a pool of 20)
const WAIT_MS = 1000;

let h: Harness;
let a: ScimClient;
let b: ScimClient;
let stall: Stall | null = null;

beforeAll(async () => {
  h = await startHarness({ DB_POOL_MAX: '10', TENANT_MAX_IN_FLIGHT: String(CAP), DB_ACQUIRE_TIMEOUT_MS: String(WAIT_MS), DB_STATEMENT_TIMEOUT_MS: '20000' });
  a = await scimTenant(h, 'A');
  b = await scimTenant(h, 'B');
  for (const c of [a, b]) expect((await c.post('/Users', { userName: 'someone@example.com' })).status).toBe(201);
});
afterAll(async () => {
  await stall?.release();
  await h.close();
});

describe('a tenant at its cap of requests in progress', () => {
  it('refuses its extra requests with 503 + Retry-After while another tenant is served', async () => {
    const target = (await a.post('/Users', { userName: 'busy@example.com' })).body.id as string;
    stall = await stallRow(h.db.url, 'users', target);
    const patch = (n: number) => a.patch(`/Users/${target}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `t${n}` }] });
    const busy = Array.from({ length: CAP + 4 }, (_, i) => patch(i));
    await new Promise((r) => setTimeout(r, 300));

    // Tenant B: served at once, several times over, while A holds its eight connections.
    const started = performance.now();
    const served = await Promise.all(Array.from({ length: 5 }, () => b.get(`/Users?filter=${encodeURIComponent('userName eq "someone@example.com"')}`)));
    const bMs = performance.now() - started;
    for (const r of served) expect(r.status).toBe(200);
    expect(bMs).toBeLessThan(1500);

    // A's requests beyond its cap waited their turn for WAIT_MS, then were refused (with slack for a busy machine).
    await new Promise((r) => setTimeout(r, WAIT_MS + 1000));
    await stall.release();
    stall = null;
    const answers = await Promise.all(busy);
    const refused = answers.filter((r) => r.status === 503);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toBe('5');
      expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
    }
    expect(answers.filter((r) => r.status === 200)).toHaveLength(CAP);
    process.stdout.write(`admission: tenant B answered 5 lookups in ${Math.round(bMs)} ms while tenant A held ${CAP} requests; A's ${refused.length} extra got 503\n`);

    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^roster_rejections_total\{cause="tenant_limit"\} 4$/m);
  });

  it('frees the slots: the tenant is served again', async () => {
    const r = await a.get('/Users?count=1');
    expect(r.status).toBe(200);
  });

  it('counts the tenant\'s GraphQL requests in the same cap: UNAVAILABLE, HTTP 503 and Retry-After', async () => {
    const key = (await gqlOk(h, 'mutation($t: ID) { createApiKey(input: { tenantId: $t, name: "tool", role: ADMIN }) { secret } }', { t: a.ctx.tenantId })).createApiKey.secret as string;
    const target = (await a.post('/Users', { userName: 'busy.gql@example.com' })).body.id as string;
    stall = await stallRow(h.db.url, 'users', target);
    const busy = Array.from({ length: CAP }, (_, i) =>
      a.patch(`/Users/${target}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `g${i}` }] }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const r = await gql(h, '{ viewer { platform } }', {}, key);
    expect({ status: r.status, code: r.code, retryAfter: r.headers.get('retry-after') }).toEqual({ status: 503, code: 'UNAVAILABLE', retryAfter: '5' });
    await stall.release();
    stall = null;
    for (const p of await Promise.all(busy)) expect(p.status).toBe(200);
    expect((await gql(h, '{ viewer { platform } }', {}, key)).status).toBe(200);
  });
});
