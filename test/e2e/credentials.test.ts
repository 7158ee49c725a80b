import { createTestDatabase, type TestDatabase } from '../support/db.js';
import type { Json } from '../support/graphql.js';
import { startRoster, type RosterProcess } from '../support/server-process.js';

/**
 * docs/architecture.md#credential-cache: two Roster processes on one database each keep verified
 * credentials in memory; a credential changed through one is refused by the other on its next
 * request, and a process that cannot hear of changes does not serve what it cached.
 */
const ADMIN = `roster_key_${'a1'.repeat(24)}`;
let db: TestDatabase;
let a: RosterProcess;
let b: RosterProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { DATABASE_URL: db.url, BOOTSTRAP_ADMIN_TOKEN: ADMIN };
  [a, b] = await Promise.all([startRoster(env), startRoster(env)]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db.drop();
});

async function gql(p: RosterProcess, query: string, variables: Record<string, unknown>): Promise<Json> {
  const r = await fetch(`${p.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await r.json()) as { data?: Json; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const statusOf = async (p: RosterProcess, token: string) =>
  (await fetch(`${p.baseUrl}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token}` } })).status;

const rotate = async (p: RosterProcess, id: string): Promise<string> =>
  (await gql(p, 'mutation($id: ID!) { rotateScimConnectionToken(input: { id: $id }) { token } }', { id })).rotateScimConnectionToken.token;

/** Waits for a log line of the process (the cache logs when it starts and stops hearing changes). */
async function logged(p: RosterProcess, msg: RegExp, after: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (p.logs.slice(after).some((l) => typeof l.msg === 'string' && msg.test(l.msg))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no log line ${msg} in time`);
}

async function connection(name: string): Promise<{ id: string; token: string }> {
  const tenant = (await gql(a, 'mutation($n: String!) { createTenant(input: { name: $n }) { tenant { id } } }', { n: name })).createTenant.tenant.id;
  const made = (await gql(a, 'mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "entra" }) { connection { id } token } }', { t: tenant }))
    .createScimConnection;
  return { id: made.connection.id, token: made.token };
}

describe('credential cache across processes', () => {
  it('refuses a token rotated through the other process on its next request', async () => {
    for (const p of [a, b]) expect(p.logs.some((l) => l.msg === 'credential cache on: hearing credential changes')).toBe(true);
    const c = await connection('rotation');
    // Warm both caches with the token.
    for (const p of [a, b, a, b]) expect(await statusOf(p, c.token)).toBe(200);
    for (let round = 0; round < 5; round++) {
      const old = round === 0 ? c.token : await rotate(b, c.id);
      expect(await statusOf(a, old)).toBe(200);
      expect(await statusOf(b, old)).toBe(200);
      const fresh = await rotate(round % 2 ? a : b, c.id);
      expect(await statusOf(a, old)).toBe(401);
      expect(await statusOf(b, old)).toBe(401);
      expect(await statusOf(a, fresh)).toBe(200);
      expect(await statusOf(b, fresh)).toBe(200);
    }
  });

  it('refuses the token of a connection deleted through the other process', async () => {
    const c = await connection('deletion');
    for (const p of [a, b, b]) expect(await statusOf(p, c.token)).toBe(200);
    await gql(a, 'mutation($id: ID!) { deleteScimConnection(input: { id: $id }) { deletedId } }', { id: c.id });
    expect(await statusOf(b, c.token)).toBe(401);
  });

  it('looks every credential up while it cannot hear changes, and caches again once it hears them', async () => {
    const c = await connection('listener');
    for (const p of [b, b]) expect(await statusOf(p, c.token)).toBe(200);
    const before = b.logs.length;
    // End the listening sessions: a rotation now would not be announced to them.
    const ended = await db.orm.em.fork().execute(`select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = 'roster credential listener' and datname = current_database()`);
    expect(ended.length).toBeGreaterThanOrEqual(2);
    await logged(b, /^credential cache off/, before);
    const fresh = await rotate(a, c.id);
    expect(await statusOf(b, c.token)).toBe(401);
    expect(await statusOf(b, fresh)).toBe(200);
    await logged(b, /^credential cache on/, before);
    for (const p of [b, b]) expect(await statusOf(p, fresh)).toBe(200);
    const next = await rotate(a, c.id);
    expect(await statusOf(b, fresh)).toBe(401);
    expect(await statusOf(b, next)).toBe(200);
  });
});
