import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys } from '../../support/graphql.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', null, {}],
    ['an unknown key', 'roster_key_not-a-real-key', {}],
    ['a non-bearer scheme', null, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
  ])('answers 401 UNAUTHENTICATED for %s', async (_label, key, headers) => {
    const r = await gql(h, '{ viewer { platform } }', {}, key as string | null, headers as Record<string, string>);
    expect(r.status).toBe(401);
    expect(r.code).toBe('UNAUTHENTICATED');
    expect(r.data ?? null).toBeNull();
  });

  it('refuses a revoked key at once', async () => {
    const { createApiKey } = await gqlOk(h, 'mutation { createApiKey(input: { tenantId: null, name: "short-lived", role: READ_ONLY }) { apiKey { id } secret } }');
    expect((await gql(h, '{ viewer { platform } }', {}, createApiKey.secret)).status).toBe(200);
    await gqlOk(h, 'mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }', { id: createApiKey.apiKey.id });
    const r = await gql(h, '{ viewer { platform } }', {}, createApiKey.secret);
    expect(r.status).toBe(401);
    expect(r.code).toBe('UNAUTHENTICATED');
  });

  it('never writes the key into the logs', async () => {
    await gql(h, '{ viewer { platform } }');
    await gql(h, '{ viewer { platform } }', {}, 'roster_key_wrong-but-secret');
    const all = JSON.stringify(h.logs);
    expect(all).not.toContain(h.adminKey);
    expect(all).not.toContain('roster_key_wrong-but-secret');
  });
});

describe('viewer', () => {
  it('describes a platform key', async () => {
    const d = await gqlOk(h, '{ viewer { platform tenant { id } apiKey { name role tenantId } } }');
    expect(d.viewer).toEqual({ platform: true, tenant: null, apiKey: { name: 'bootstrap', role: 'ADMIN', tenantId: null } });
  });

  it('describes a tenant key with its tenant', async () => {
    const t = await tenantWithKeys(h, 'viewer-tenant');
    const d = await gqlOk(h, '{ viewer { platform tenant { id name } apiKey { role tenantId } } }', {}, t.readKey);
    expect(d.viewer).toEqual({ platform: false, tenant: { id: t.id, name: 'viewer-tenant' }, apiKey: { role: 'READ_ONLY', tenantId: t.id } });
  });
});

describe('authorisation', () => {
  it('lets only platform keys create tenants', async () => {
    const t = await tenantWithKeys(h, 'no-tenant-making');
    const r = await gql(h, 'mutation { createTenant(input: { name: "sneaky" }) { tenant { id } } }', {}, t.adminKey);
    expect(r.code).toBe('FORBIDDEN');
    expect(r.data ?? null).toBeNull();
  });

  it('lists every tenant for a platform key and only its own for a tenant key', async () => {
    const a = await tenantWithKeys(h, 'list-a');
    const b = await tenantWithKeys(h, 'list-b');
    const all = await gqlOk(h, '{ tenants { id } }');
    expect(all.tenants.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    const own = await gqlOk(h, '{ tenants { id } }', {}, a.readKey);
    expect(own.tenants).toEqual([{ id: a.id }]);
  });

  it('refuses every mutation to a read-only key, and changes nothing', async () => {
    const t = await tenantWithKeys(h, 'read-only');
    const r = await gql(h, 'mutation($t: ID!) { createUser(input: { tenantId: $t, userName: "nope" }) { user { id } } }', { t: t.id }, t.readKey);
    expect(r.code).toBe('FORBIDDEN');
    const d = await gqlOk(h, '{ tenant { users { totalCount } } }', {}, t.readKey);
    expect(d.tenant.users.totalCount).toBe(0);
  });

  it('lets a tenant key leave out its tenant id and requires it from a platform key', async () => {
    const t = await tenantWithKeys(h, 'implicit');
    expect((await gqlOk(h, '{ tenant { id } }', {}, t.readKey)).tenant.id).toBe(t.id);
    const r = await gql(h, '{ tenant { id } }');
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.extensions?.fields).toEqual(['id']);
  });
});
