import type { Ctx } from '../../../src/domain/context.js';
import type { Services } from '../../../src/domain/services.js';
import { buildServices } from '../../../src/composition/services.js';
import { startHarness, scimTenant, type Harness } from '../../support/harness.js';
import { patchBody, USER_SCHEMA, GROUP_SCHEMA, type ScimClient } from '../../support/scim.js';

/**
 * A process plans a user's change from the state it last read or wrote, without reading it again
 * (docs/architecture.md#remembered-users). Here `h` serves SCIM and remembers; `other` is a second
 * set of services over the same database, as another Roster process would be, that changes the
 * users behind its back. Whatever it remembers, every answer, version and audit entry is the one a
 * fresh read would have given.
 */
let h: Harness;
let c: ScimClient;
let other: Services;
let asConnection: Ctx;

beforeAll(async () => {
  h = await startHarness();
  c = await scimTenant(h);
  other = buildServices(h.db.orm);
  asConnection = { tenantId: c.ctx.tenantId, actor: { type: 'connection', id: c.connection.id, tenantId: c.ctx.tenantId }, requestId: null };
});
afterAll(async () => h.close());

let n = 0;
/** A user created and then read by id through SCIM, as Entra reads a user before it changes it, so that the serving process remembers it. */
async function created(): Promise<{ id: string; version: string }> {
  const r = await c.post('/Users', { schemas: [USER_SCHEMA], userName: `remembered${++n}@example.com`, title: 'Engineer', displayName: 'Rita Remembered' });
  expect(r.status).toBe(201);
  expect((await c.get(`/Users/${r.body.id}`)).status).toBe(200);
  return { id: r.body.id as string, version: r.body.meta.version as string };
}

const replace = (path: string, value: unknown) => patchBody({ op: 'replace', path, value });

const auditOf = async (id: string) =>
  (await h.services.audit.list(c.ctx, { resourceId: id }, { cursor: null, limit: 50 })).items.map((i) => ({ action: i.node.action, changes: i.node.changes })).reverse();

describe('a change planned from a remembered user', () => {
  it('keeps what another process changed since, and records only its own change', async () => {
    const { id } = await created();
    await other.users.update(asConnection, id, (u) => ({ ...u, title: 'Manager' }));
    await h.db.settled();
    h.db.statements.length = 0;
    const r = await c.patch(`/Users/${id}`, replace('displayName', 'Rita Renamed'));
    expect(r.status).toBe(200);
    // Planned from the remembered state: its write changed nothing, then a read and the write again.
    const sent = h.db.statements.filter((s) => /update users|from users/.test(s)).map((s) => (/^(?:\/\*[^*]*\*\/ )?with w0 as \(update users/.test(s) ? 'write' : 'read'));
    expect(sent).toEqual(['write', 'read', 'write']);
    expect(r.body).toMatchObject({ title: 'Manager', displayName: 'Rita Renamed' });
    const stored = await other.users.get(c.ctx, id);
    expect(stored).toMatchObject({ title: 'Manager', displayName: 'Rita Renamed', version: 3 });
    expect(r.body.meta.version).toBe('W/"3"');
    expect(await auditOf(id)).toEqual([
      { action: 'user.create', changes: expect.any(Array) },
      { action: 'user.update', changes: ['title'] },
      { action: 'user.update', changes: ['displayName'] },
    ]);
  });

  it('writes a value the remembered state already holds when the stored one differs', async () => {
    const { id } = await created();
    await other.users.update(asConnection, id, (u) => ({ ...u, title: 'Manager' }));
    // Remembered: Engineer. Stored: Manager. Setting Engineer is a change.
    const r = await c.patch(`/Users/${id}`, replace('title', 'Engineer'));
    expect(r.status).toBe(200);
    expect(r.body.title).toBe('Engineer');
    expect((await other.users.get(c.ctx, id)).title).toBe('Engineer');
  });

  it('honours If-Match against the stored version, not the remembered one', async () => {
    const { id, version } = await created();
    await other.users.update(asConnection, id, (u) => ({ ...u, title: 'Manager' }));
    const stale = await c.patch(`/Users/${id}`, replace('title', 'Director'), { 'if-match': version });
    expect(stale.status).toBe(412);
    const current = await c.patch(`/Users/${id}`, replace('title', 'Director'), { 'if-match': 'W/"2"' });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ title: 'Director', meta: { version: 'W/"3"' } });
  });

  it('answers 404 for a user another process deleted', async () => {
    const { id } = await created();
    await other.users.delete(asConnection, id);
    const r = await c.patch(`/Users/${id}`, replace('title', 'Ghost'));
    expect(r.status).toBe(404);
  });

  it('answers with the groups the user is in when the change lands, as its reader sees them', async () => {
    const { id } = await created();
    const g = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `Remembered group ${n}` });
    expect(g.status).toBe(201);
    // A group of another connection holding the user: the reader must not see it.
    const rival = await h.services.connections.create(c.ctx, 'Okta');
    const asRival: Ctx = { tenantId: c.ctx.tenantId, actor: { type: 'connection', id: rival.connection.id, tenantId: c.ctx.tenantId }, requestId: null };
    const hidden = await other.groups.create(asRival, { displayName: `Rival group ${n}`, externalId: null, extensions: {} });
    // Memberships do not move the user's version: the remembered state knows nothing of them.
    await other.groups.addMembers(asConnection, g.body.id as string, [{ type: 'User', id }]);
    await other.groups.addMembers(c.ctx, hidden.id, [{ type: 'User', id }]);
    const r = await c.patch(`/Users/${id}`, replace('title', 'Lead'));
    expect(r.status).toBe(200);
    expect(r.body.groups).toEqual([expect.objectContaining({ value: g.body.id, display: `Remembered group ${n}` })]);
    const read = await c.get(`/Users/${id}`);
    expect(read.body.groups).toEqual(r.body.groups);
  });

  it('changes a user another process deprovisioned no more than a read would', async () => {
    const { id } = await created();
    await other.users.deprovision(asConnection, id);
    const r = await c.patch(`/Users/${id}`, replace('title', 'Back'));
    expect(r.status).toBe(404);
  });
});
