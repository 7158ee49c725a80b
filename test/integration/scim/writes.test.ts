import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { clientFor, patchBody, type ScimClient } from '../../support/scim.js';

let h: Harness;
let c: ScimClient;
beforeAll(async () => {
  h = await startHarness();
  c = await scimTenant(h);
});
afterAll(async () => h.close());

const auditOf = async (resourceId: string | null, action?: string) =>
  (await h.services.audit.list(c.ctx, { ...(resourceId ? { resourceId } : {}), ...(action ? { action } : {}) }, { cursor: null, limit: 100 })).items.map((i) => i.node);

describe('concurrency', () => {
  it('lands all of 50 parallel PATCHes adding different members to one group', async () => {
    const users: string[] = [];
    for (let i = 0; i < 50; i += 1) users.push((await c.post('/Users', { userName: `par${i}@example.com` })).body.id);
    const group = (await c.post('/Groups', { displayName: 'Parallel' })).body.id;
    const replies = await Promise.all(users.map((value) => c.patch(`/Groups/${group}`, patchBody({ op: 'add', path: 'members', value: [{ value }] }))));
    expect(replies.map((r) => r.status)).toEqual(users.map(() => 204));
    const g = (await c.get(`/Groups/${group}`)).body;
    expect(g.members).toHaveLength(50);
    expect(g.meta.version).toBe('W/"51"');
  });

  it('creates exactly one user from parallel POSTs of one userName; the others get 409 uniqueness', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => c.post('/Users', { userName: i % 2 ? 'Race@Example.com' : 'race@example.com' })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    const conflicts = replies.filter((r) => r.status === 409);
    expect(conflicts).toHaveLength(9);
    for (const r of conflicts) expect(r.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect((await c.get('/Users?filter=userName eq "race@example.com"')).body.totalResults).toBe(1);
  });
});

describe('ownership and audit', () => {
  it('makes users and groups created through a connection managed by it', async () => {
    const u = (await c.post('/Users', { userName: 'owned@example.com' })).body;
    const g = (await c.post('/Groups', { displayName: 'Owned' })).body;
    expect((await h.services.users.get(c.ctx, u.id)).managedBy).toBe(c.connection.id);
    expect((await h.services.groups.get(c.ctx, g.id)).managedBy).toBe(c.connection.id);
    // For another connection of the same tenant they are absent (docs/architecture.md#provisioning-policies): not found, not changed.
    const { token } = await h.services.connections.create(c.ctx, 'second source');
    const other = clientFor(h.baseUrl, token, c.ctx, c.connection);
    expect((await other.get(`/Users/${u.id}`)).status).toBe(404);
    const denied = await other.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }));
    expect(denied.status).toBe(404);
    expect(denied.body).toMatchObject({ status: '404' });
    expect((await h.services.users.get(c.ctx, u.id)).title).toBeNull();
  });

  it('records every write with connection, operation, resource, changed attributes and outcome', async () => {
    const u = (await c.post('/Users', { userName: 'audited@example.com', title: 'T' })).body;
    await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'name.givenName', value: 'Aud' }));
    await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'active', value: 'False' }));
    const events = await auditOf(u.id);
    expect(events.map((e) => [e.action, e.outcome, e.actorType, e.actorId])).toEqual([
      ['user.deactivate', 'success', 'connection', c.connection.id],
      ['user.update', 'success', 'connection', c.connection.id],
      ['user.create', 'success', 'connection', c.connection.id],
    ]);
    expect(events[1]!.changes).toEqual(['name.givenName']);
    expect(events[2]!.changes).toEqual(expect.arrayContaining(['userName', 'title']));
  });

  it('records failed writes as failure events, with nothing of the failed write kept', async () => {
    const u = (await c.post('/Users', { userName: 'fails@example.com' })).body;
    const bad = await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'kept?' }, { op: 'replace', path: 'active', value: 'perhaps' }));
    expect(bad.status).toBe(400);
    expect((await c.get(`/Users/${u.id}`)).body.title).toBeUndefined();
    const [failure] = await auditOf(u.id, 'user.update');
    expect(failure).toMatchObject({ outcome: 'failure', actorType: 'connection', actorId: c.connection.id, resourceType: 'User' });

    const dup = await c.post('/Users', { userName: 'FAILS@example.com', title: 'x' });
    expect(dup.status).toBe(409);
    const creates = await auditOf('00000000-0000-0000-0000-000000000000', 'user.create');
    expect(creates[0]).toMatchObject({ outcome: 'failure', changes: expect.arrayContaining(['userName', 'title']) });

    expect((await c.del('/Groups/0190a0a0-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await auditOf('0190a0a0-0000-7000-8000-000000000000', 'group.delete'))[0]).toMatchObject({ outcome: 'failure' });
  });

  it('keeps a deactivated user readable by id and filter, with its memberships; reactivation keeps them too', async () => {
    const u = (await c.post('/Users', { userName: 'sleepy@example.com' })).body;
    const g = (await c.post('/Groups', { displayName: 'Sleepers' })).body;
    await c.patch(`/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    const off = await c.patch(`/Users/${u.id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }));
    expect(off.body.active).toBe(false);
    expect((await c.get(`/Users/${u.id}`)).body).toMatchObject({ active: false, groups: [{ value: g.id }] });
    expect((await c.get('/Users?filter=userName eq "sleepy@example.com"')).body.Resources[0].active).toBe(false);
    const on = await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'active', value: true }));
    expect(on.body).toMatchObject({ active: true, groups: [{ value: g.id }] });
  });
});
