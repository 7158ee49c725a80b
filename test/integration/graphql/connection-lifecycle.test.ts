import { systemActor } from '../../../src/domain/context.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';
import { send, USER_SCHEMA } from '../../support/scim.js';

/** Pausing and resuming a SCIM connection through the admin API, seen by the identity provider over SCIM. */
let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
let conn: { id: string; token: string };
let other: { id: string; token: string };

const scim = (token: string, method: string, path: string, body?: unknown) => send(`${h.baseUrl}/scim/v2${path}`, method, token, body);
const CONNECTION = 'id name pausedAt rotatedAt policies { loginName onLoginNameCollision matchBy }';
const pause = (id: string, key = t.adminKey) => gql(h, `mutation($id: ID!) { pauseScimConnection(input: { id: $id }) { connection { ${CONNECTION} } } }`, { id }, key);
const resume = (id: string, key = t.adminKey) => gql(h, `mutation($id: ID!) { resumeScimConnection(input: { id: $id }) { connection { ${CONNECTION} } } }`, { id }, key);
const audit = async (id: string): Promise<Json[]> =>
  (await gqlOk(h, `query($t: ID!, $r: ID!) { tenant(id: $t) { auditEvents(filter: { resourceId: $r }) { edges { node { action changes outcome actorType } } } } }`, { t: t.id, r: id }))
    .tenant.auditEvents.edges.map((e: Json) => e.node);

beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, 'lifecycle');
  const mk = async (name: string) => {
    const d = await gqlOk(h, `mutation($t: ID!, $n: String!) { createScimConnection(input: { tenantId: $t, name: $n, policies: { matchBy: [USER_NAME] } }) { connection { id } token } }`, { t: t.id, n: name });
    return { id: d.createScimConnection.connection.id as string, token: d.createScimConnection.token as string };
  };
  conn = await mk('entra');
  other = await mk('okta');
});
afterAll(async () => {
  await h.close();
});

describe('pausing a SCIM connection', () => {
  it('refuses its token with 401 and a detail saying it is paused; resuming restores it with everything as it was', async () => {
    const created = await scim(conn.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'paused.user@example.com', title: 'Engineer' });
    expect(created.status).toBe(201);
    const before = (await gqlOk(h, `query($t: ID!) { tenant(id: $t) { scimConnections { ${CONNECTION} } } }`, { t: t.id })).tenant.scimConnections.find((c: Json) => c.id === conn.id);
    expect(before.pausedAt).toBeNull();

    const paused = await pause(conn.id);
    expect(paused.errors).toBeUndefined();
    const pausedAt = paused.data!.pauseScimConnection.connection.pausedAt as string;
    expect(Date.parse(pausedAt)).not.toBeNaN();
    expect(paused.data!.pauseScimConnection.connection).toEqual({ ...before, pausedAt });

    for (const [method, path, body] of [
      ['GET', '/Users', undefined],
      ['GET', `/Users/${created.body.id}`, undefined],
      ['POST', '/Users', { schemas: [USER_SCHEMA], userName: 'while.paused@example.com' }],
      ['DELETE', `/Users/${created.body.id}`, undefined],
    ] as const) {
      const r = await scim(conn.token, method, path, body);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(r.body).toMatchObject({ status: '401', detail: expect.stringMatching(/paused/) });
    }
    // The other connection of the tenant is not affected.
    expect((await scim(other.token, 'GET', '/Users?count=1')).status).toBe(200);
    // A wrong token still says only that the token is wrong.
    const wrong = await scim(`${conn.token}x`, 'GET', '/Users');
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).not.toMatch(/paused/);

    // Pausing again changes nothing, not even the time.
    const again = await pause(conn.id);
    expect(again.data!.pauseScimConnection.connection.pausedAt).toBe(pausedAt);

    const resumed = await resume(conn.id);
    expect(resumed.errors).toBeUndefined();
    expect(resumed.data!.resumeScimConnection.connection).toEqual(before);
    const user = await scim(conn.token, 'GET', `/Users/${created.body.id}`);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ userName: 'paused.user@example.com', title: 'Engineer' });
    expect((await scim(conn.token, 'GET', '/Users?filter=userName eq "while.paused@example.com"')).body.totalResults).toBe(0);

    expect(await audit(conn.id)).toEqual([
      { action: 'connection.resume', changes: ['pausedAt'], outcome: 'SUCCESS', actorType: 'API_KEY' },
      { action: 'connection.pause', changes: ['pausedAt'], outcome: 'SUCCESS', actorType: 'API_KEY' },
      { action: 'connection.create', changes: ['name', 'policies'], outcome: 'SUCCESS', actorType: 'API_KEY' },
    ]);
  });

  it('is for admins: a read-only key is refused and the connection keeps working', async () => {
    const r = await pause(other.id, t.readKey);
    expect(r.code).toBe('FORBIDDEN');
    expect((await scim(other.token, 'GET', '/Users?count=1')).status).toBe(200);
  });

  it("answers NOT_FOUND for the connections of a tenant that does not exist, or no longer does", async () => {
    const { createTenant } = await gqlOk(h, 'mutation { createTenant(input: { name: "Gone soon" }) { tenant { id } } }');
    const gone = createTenant.tenant.id as string;
    await gqlOk(h, 'mutation($id: ID!) { deleteTenant(input: { id: $id }) { deletedId } }', { id: gone });
    for (const id of ['01900000-0000-7000-8000-000000000000', gone]) {
      const r = await gql(h, 'query($t: ID!) { tenant(id: $t) { scimConnections { id } } }', { t: id });
      expect({ id, code: r.code }).toEqual({ id, code: 'NOT_FOUND' });
      await expect(h.services.connections.list({ tenantId: id, actor: systemActor, requestId: null })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `Tenant ${id} not found` });
    }
  });

  it('answers NOT_FOUND for an id that is not a connection', async () => {
    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-an-id']) {
      expect((await pause(id)).code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
      expect((await resume(id)).code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    }
  });
});
