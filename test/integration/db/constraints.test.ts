import pg from 'pg';
import { systemActor, type Ctx } from '../../../src/domain/context.js';
import { DomainError } from '../../../src/domain/errors.js';
import { query } from '../../../src/db/sql.js';
import { email, profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

const ADDRESS = { type: 'work', primary: true, formatted: null, streetAddress: '1 Main St', locality: 'Springfield', region: null, postalCode: null, country: 'US' };

let h: Harness;
let ctx: Ctx;
beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
});
afterAll(async () => {
  await h.close();
});

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return 'OK';
};
const count = async (sql: string, params: unknown[] = []) =>
  Number((await query<{ n: string }>(h.db.orm.em.fork(), `select count(*) as n from ${sql}`, params))[0]!.n);

describe('constraints hold in the database', () => {
  it('rejects the same userName in another case within a tenant', async () => {
    await h.services.users.create(ctx, profile('Alice@Example.com'));
    expect(await codeOf(h.services.users.create(ctx, profile('alice@example.COM')))).toBe('CONFLICT');
  });

  it('allows the same userName in two tenants', async () => {
    const other = await h.tenant();
    await h.services.users.create(other, profile('alice@example.com'));
    expect(await count('users where lower(user_name) = ?', ['alice@example.com'])).toBe(2);
  });

  it('deletes a tenant with everything in it, logs included, and nothing of another tenant', async () => {
    const tables = ['users', 'user_values', 'user_addresses', 'groups', 'memberships', 'audit_events', 'change_events'];
    const counts = (tenantId: string) => Promise.all(tables.map((t) => count(`${t} where tenant_id = ?`, [tenantId])));
    const fill = async (t: Ctx) => {
      const { user } = await h.services.users.create(t, profile('doomed@example.com', { emails: [email('doomed@example.com', 'work', true)], addresses: [{ ...ADDRESS }] }));
      await h.services.groups.create(t, { displayName: 'doomed', externalId: null, extensions: {} }, [{ id: user.id }]);
    };
    const doomed = await h.tenant();
    const kept = await h.tenant();
    await fill(doomed);
    await fill(kept);
    const before = await counts(kept.tenantId);
    expect((await counts(doomed.tenantId)).every((n) => n > 0)).toBe(true);
    await h.services.tenants.delete(systemActor, doomed.tenantId);
    expect(await counts(doomed.tenantId)).toEqual(tables.map(() => 0));
    expect(await counts(kept.tenantId)).toEqual(before);
  });

  it('records no failure for a tenant deleted before or while it is recorded, so no log outlives its tenant', async () => {
    const failure = { action: 'user.create', resourceType: 'User', resourceId: null, errorCode: 'NOT_FOUND', errorDetail: 'Tenant not found' };
    const orphans = () => count('audit_events a where not exists (select 1 from tenants t where t.id = a.tenant_id)');
    // Deleted before.
    const gone = await h.tenant();
    await h.services.tenants.delete(systemActor, gone.tenantId);
    await h.services.audit.recordFailure(gone, failure);
    expect(await orphans()).toBe(0);
    // Deleted while the failure is being recorded: the delete has not committed yet when it starts.
    const going = await h.tenant();
    const client = new pg.Client({ connectionString: h.db.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('delete from tenants where id = $1', [going.tenantId]);
      await client.query('delete from audit_events where tenant_id = $1', [going.tenantId]);
      const recording = h.services.audit.recordFailure(going, failure);
      await new Promise((r) => setTimeout(r, 300));
      await client.query('commit');
      await recording;
    } finally {
      await client.end();
    }
    expect(await orphans()).toBe(0);
    // A tenant that is there still gets its failures recorded.
    await h.services.audit.recordFailure(ctx, failure);
    expect(await count("audit_events where tenant_id = ? and outcome = 'failure'", [ctx.tenantId])).toBe(1);
  });

  it('rejects a duplicate group displayName case-insensitively', async () => {
    await h.services.groups.create(ctx, { displayName: 'Engineering', externalId: null, extensions: {} });
    expect(await codeOf(h.services.groups.create(ctx, { displayName: 'ENGINEERING', externalId: null, extensions: {} }))).toBe('CONFLICT');
  });

  it('removes memberships when a user is deleted, and keeps them when it is deactivated', async () => {
    const { user } = await h.services.users.create(ctx, profile('bob@example.com'));
    const g = await h.services.groups.create(ctx, { displayName: 'Ops', externalId: null, extensions: {} }, [{ id: user.id }]);
    await h.services.users.setActive(ctx, user.id, false);
    expect((await h.services.groups.groupsOf(ctx, [user.id])).get(user.id)!.map((x) => x.id)).toEqual([g.id]);
    await h.services.users.setActive(ctx, user.id, true);
    await h.services.users.delete(ctx, user.id);
    expect(await count('memberships where group_id = ?', [g.id])).toBe(0);
    expect(await codeOf(h.services.users.get(ctx, user.id))).toBe('NOT_FOUND');
  });

  it('removes memberships when a member group is deleted', async () => {
    const parent = await h.services.groups.create(ctx, { displayName: 'Parent', externalId: null, extensions: {} });
    const child = await h.services.groups.create(ctx, { displayName: 'Child', externalId: null, extensions: {} });
    await h.services.groups.addMembers(ctx, parent.id, [{ id: child.id }]);
    expect((await h.services.groups.memberCounts(ctx, [parent.id])).get(parent.id)).toBe(1);
    await h.services.groups.delete(ctx, child.id);
    expect((await h.services.groups.memberCounts(ctx, [parent.id])).get(parent.id)).toBe(0);
  });

  it('refuses a membership that would make a cycle', async () => {
    const a = await h.services.groups.create(ctx, { displayName: 'Cycle A', externalId: null, extensions: {} });
    const b = await h.services.groups.create(ctx, { displayName: 'Cycle B', externalId: null, extensions: {} });
    await h.services.groups.addMembers(ctx, a.id, [{ id: b.id }]);
    expect(await codeOf(h.services.groups.addMembers(ctx, b.id, [{ id: a.id }]))).toBe('INVALID_VALUE');
    expect(await codeOf(h.services.groups.addMembers(ctx, a.id, [{ id: a.id }]))).toBe('INVALID_VALUE');
  });

  it('refuses members that do not exist in the tenant, naming them, and writes nothing', async () => {
    const other = await h.tenant();
    const { user: stranger } = await h.services.users.create(other, profile('stranger@example.com'));
    const { user: local } = await h.services.users.create(ctx, profile('local@example.com'));
    const g = await h.services.groups.create(ctx, { displayName: 'Strict', externalId: null, extensions: {} });
    await expect(h.services.groups.addMembers(ctx, g.id, [{ id: local.id }, { id: stranger.id }])).rejects.toThrow(stranger.id);
    expect((await h.services.groups.memberCounts(ctx, [g.id])).get(g.id)).toBe(0);
  });

  it('keeps at most one primary value per multi-valued attribute', async () => {
    const p = profile('two-primaries@example.com', { emails: [email('a@x.com', 'work', true), email('b@x.com', 'home', true)] });
    await expect(h.services.users.create(ctx, p)).rejects.toThrow(/more than one value marked primary/);
  });

  it('keeps the manager reference even when that user does not exist yet', async () => {
    const managerValue = '01900000-0000-7000-8000-000000000001';
    const { user } = await h.services.users.create(ctx, profile('report@example.com', { enterprise: { ...profile('x').enterprise, managerValue } }));
    expect((await h.services.users.get(ctx, user.id)).enterprise.managerValue).toBe(managerValue);
  });

  it('keeps unknown extension attributes verbatim', async () => {
    const extensions = { 'urn:example:ext:1.0:User': { badge: 'A-17', levels: [1, 2] } };
    const { user } = await h.services.users.create(ctx, profile('ext@example.com', { extensions }));
    expect((await h.services.users.get(ctx, user.id)).extensions).toEqual(extensions);
  });
});

describe('every change writes its audit event in the same transaction', () => {
  it('records create, update, deactivate and delete with the changed attribute names', async () => {
    const { user } = await h.services.users.create(ctx, profile('audited@example.com', { title: 'Engineer' }));
    await h.services.users.update(ctx, user.id, (u) => ({ ...u, title: 'Lead', name: { ...u.name, givenName: 'Ada' } }));
    await h.services.users.setActive(ctx, user.id, false);
    await h.services.users.delete(ctx, user.id);
    const events = await h.services.audit.list(ctx, { resourceId: user.id }, { cursor: null, limit: 10 });
    const seen = events.items.map((e) => [e.node.action, e.node.changes]).reverse();
    expect(seen).toEqual([
      ['user.create', expect.arrayContaining(['userName', 'title'])],
      ['user.update', ['name.givenName', 'title']],
      ['user.deactivate', ['active']],
      ['user.delete', []],
    ]);
    expect(events.items.every((e) => e.node.actorType === 'system')).toBe(true);
  });

  it('writes no event and no row when the change fails', async () => {
    const before = await count('audit_events where tenant_id = ?', [ctx.tenantId]);
    await expect(h.services.users.create(ctx, profile('ALICE@example.com'))).rejects.toThrow();
    expect(await count('audit_events where tenant_id = ?', [ctx.tenantId])).toBe(before);
  });

  it('does not write when nothing changed', async () => {
    const { user } = await h.services.users.create(ctx, profile('same@example.com'));
    const again = await h.services.users.update(ctx, user.id, (u) => ({ ...u }));
    expect(again.version).toBe(user.version);
  });

  it('fails a stale ifVersion with PRECONDITION_FAILED', async () => {
    const { user } = await h.services.users.create(ctx, profile('versioned@example.com'));
    await h.services.users.update(ctx, user.id, (u) => ({ ...u, title: 'x' }));
    expect(await codeOf(h.services.users.update(ctx, user.id, (u) => ({ ...u, title: 'y' }), { ifVersion: user.version }))).toBe('PRECONDITION_FAILED');
  });
});

describe('ownership and credentials', () => {
  it('lets admins not change what a connection manages, until released', async () => {
    const { connection } = await h.services.connections.create(ctx, `idp-${Date.now()}`);
    const scim: Ctx = { ...ctx, actor: { type: 'connection', id: connection.id, tenantId: ctx.tenantId } };
    const admin: Ctx = { ...ctx, actor: { type: 'apiKey', id: '01900000-0000-7000-8000-00000000000a', tenantId: ctx.tenantId, role: 'admin' } };
    const { user } = await h.services.users.create(scim, profile('owned@example.com'));
    expect(user.managedBy).toBe(connection.id);
    expect(await codeOf(h.services.users.update(admin, user.id, (u) => ({ ...u, title: 'x' })))).toBe('MANAGED_BY_SCIM');
    expect(await codeOf(h.services.users.delete(admin, user.id))).toBe('MANAGED_BY_SCIM');
    await h.services.users.release(admin, user.id);
    expect((await h.services.users.update(admin, user.id, (u) => ({ ...u, title: 'x' }))).title).toBe('x');
  });

  it('rejects a read-only key on writes and another tenant on everything', async () => {
    const readOnly: Ctx = { ...ctx, actor: { type: 'apiKey', id: '01900000-0000-7000-8000-00000000000b', tenantId: ctx.tenantId, role: 'readOnly' } };
    expect(await codeOf(h.services.users.create(readOnly, profile('ro@example.com')))).toBe('FORBIDDEN');
    const other = await h.tenant();
    const foreign: Ctx = { ...ctx, actor: { type: 'apiKey', id: '01900000-0000-7000-8000-00000000000c', tenantId: other.tenantId, role: 'admin' } };
    expect(await codeOf(h.services.users.list(foreign, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: false }))).toBe('FORBIDDEN');
  });

  it('stores tokens only as hashes; rotation invalidates the old token at once', async () => {
    const { connection, token } = await h.services.connections.create(ctx, `rot-${Date.now()}`);
    expect(await count('scim_connections where token_hash = ?', [token])).toBe(0);
    expect((await h.services.connections.authenticate(token)).connection.id).toBe(connection.id);
    const { token: fresh } = await h.services.connections.rotate(ctx, connection.id);
    expect(await codeOf(h.services.connections.authenticate(token))).toBe('UNAUTHENTICATED');
    expect((await h.services.connections.authenticate(fresh)).connection.id).toBe(connection.id);
  });

  it('registers the bootstrap admin key idempotently', async () => {
    const secret = 'b'.repeat(48);
    await h.services.apiKeys.ensureBootstrapKey(secret);
    await h.services.apiKeys.ensureBootstrapKey(secret);
    const { apiKey } = await h.services.apiKeys.authenticate(secret);
    expect(apiKey).toMatchObject({ tenantId: null, role: 'admin' });
    expect((await h.services.apiKeys.list(systemActor, null)).filter((k) => k.name === 'bootstrap')).toHaveLength(2); // harness key + this one
  });
});
