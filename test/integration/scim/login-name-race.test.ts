import { clientFor, USER_SCHEMA, type ScimClient } from '../../support/scim.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * docs/architecture.md#provisioning-policies: under the "suffix" policy a taken login name gets the next free numeric suffix,
 * also when the creates that collide arrive at the same moment (an initial sync sends many in
 * parallel). A 409 there would make the identity provider report a failure it cannot fix.
 */
let h: Harness;
let c: ScimClient;
beforeAll(async () => {
  h = await startHarness();
  const ctx = await h.tenant();
  // Suffixing is the default: only the login-name derivation is chosen here.
  const { connection, token } = await h.services.connections.create(ctx, 'suffixing', { loginName: 'localPart' });
  expect(connection.policies.onLoginNameCollision).toBe('suffix');
  c = clientFor(h.baseUrl, token, ctx, connection);
});
afterAll(async () => {
  await h.close();
});

const create = (userName: string) => c.post('/Users', { schemas: [USER_SCHEMA], userName });

describe('parallel creates under the default (suffix) policy', () => {
  it('give every user its own login name, never a 409', async () => {
    const domains = ['a.com', 'b.com', 'c.com', 'd.com', 'e.com', 'f.com', 'g.com', 'h.com'];
    const replies = await Promise.all(domains.map((d) => create(`sam@${d}`)));
    expect(replies.map((r) => r.status)).toEqual(domains.map(() => 201));
    const users = await Promise.all(replies.map((r) => h.services.users.get(c.ctx, r.body.id as string)));
    const names = users.map((u) => u.loginName);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(domains.length);
    // The first five are the numbered ones, whoever wins each race; the rest are random.
    expect(names.filter((n) => /^sam\d?$/.test(n)).sort()).toEqual(['sam', 'sam1', 'sam2', 'sam3', 'sam4']);
    expect(names.filter((n) => /^sam-[0-9a-f]{6}$/.test(n))).toHaveLength(3);
  });
});

describe('a free userName', () => {
  it('is never refused for a login name derived for someone else, under the default policy', async () => {
    // "nora@a.com" signs in as "nora" through the localPart connection; another source then sends userName "nora".
    expect((await create('nora@a.com')).status).toBe(201);
    const { connection, token } = await h.services.connections.create(c.ctx, 'as sent');
    const other = clientFor(h.baseUrl, token, c.ctx, connection);
    const r = await other.post('/Users', { schemas: [USER_SCHEMA], userName: 'nora' });
    expect(r.status).toBe(201);
    expect((await h.services.users.get(c.ctx, r.body.id as string)).loginName).toBe('nora1');
  });

  it('is refused with 409 uniqueness naming the login name when the connection asks for reject', async () => {
    expect((await create('olga@a.com')).status).toBe(201);
    const { connection, token } = await h.services.connections.create(c.ctx, 'rejecting', { loginName: 'localPart', onLoginNameCollision: 'reject' });
    const strict = clientFor(h.baseUrl, token, c.ctx, connection);
    const r = await strict.post('/Users', { schemas: [USER_SCHEMA], userName: 'olga@b.com' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.stringContaining('login name "olga"') });
    expect((await strict.get('/Users?filter=userName eq "olga@b.com"')).body.totalResults).toBe(0);
  });
});
