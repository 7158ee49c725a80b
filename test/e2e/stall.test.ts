import { buildServices } from '../../src/composition/services.js';
import { systemActor } from '../../src/domain/context.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { send } from '../support/scim.js';
import { startRoster, type RosterProcess } from '../support/server-process.js';
import { stallTable } from '../support/stall.js';

/**
 * The real server process with its default configuration, its users table locked by another
 * session (docs/architecture.md#robustness): every request is answered 503 with Retry-After
 * within the configured waits (3 s for the tenant's turn, 3 s for a connection, 10 s for a
 * statement), health at once, and service resumes when the lock goes.
 */

const ADMIN = 'e2e-stall-admin-'.padEnd(40, 'k');
const BOUND_MS = 3000 + 3000 + 10_000 + 2000;

let db: TestDatabase;
let roster: RosterProcess;
let token: string;
let tenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const services = buildServices(db.orm);
  const tenant = await services.tenants.create(systemActor, 'stalled');
  tenantId = tenant.id;
  token = (await services.connections.create({ tenantId, actor: systemActor, requestId: null }, 'Entra ID')).token;
  roster = await startRoster({ DATABASE_URL: db.url, BOOTSTRAP_ADMIN_TOKEN: ADMIN });
});
afterAll(async () => {
  await roster?.stop();
  await db.drop();
});

const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - t0) };
};

it('answers 503 + Retry-After within the configured waits, health at once, and recovers', async () => {
  const lookup = (n: number) => send(`${roster.baseUrl}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "e2e.${n}@example.com"`)}`, 'GET', token);
  const stall = await stallTable(db.url, 'users');
  let released = false;
  try {
    const lookups = Array.from({ length: 10 }, (_, i) => timed(() => lookup(i)));
    const graphql = timed(() =>
      fetch(`${roster.baseUrl}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query($t: ID!) { tenant(id: $t) { users(first: 1) { totalCount } } }', variables: { t: tenantId } }),
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const healthz = await timed(() => fetch(`${roster.baseUrl}/healthz`));
    const readyz = await timed(() => fetch(`${roster.baseUrl}/readyz`));
    expect([healthz.value.status, readyz.value.status]).toEqual([200, 200]);
    expect(Math.max(healthz.ms, readyz.ms)).toBeLessThan(1000);

    const answers = await Promise.all(lookups);
    for (const a of answers) {
      expect({ status: a.value.status, retryAfter: a.value.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
      expect(a.ms).toBeLessThan(BOUND_MS);
    }
    const g = await graphql;
    expect(g.value.status).toBe(503);
    expect(g.value.headers.get('retry-after')).toBe('5');
    expect(((await g.value.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAVAILABLE');

    await stall.release();
    released = true;
    const after = await timed(() => lookup(0));
    expect(after.value.status).toBe(200);
    const ms = answers.map((a) => a.ms).sort((x, y) => x - y);
    process.stdout.write(
      `stall (real process, default config): 10 SCIM lookups 503 after ${ms.join(', ')} ms; GraphQL 503 after ${g.ms} ms; ` +
        `/healthz ${healthz.ms} ms, /readyz ${readyz.ms} ms during the stall; first lookup after release ${after.ms} ms\n`,
    );
  } finally {
    if (!released) await stall.release();
  }
});
