import type { ProvisioningPolicies } from '../../../src/domain/connection/connection.js';
import type { Ctx } from '../../../src/domain/context.js';
import { gqlOk } from '../../support/graphql.js';
import { email, profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { clientFor, GROUP_SCHEMA, patchBody, USER_SCHEMA, type ScimClient } from '../../support/scim.js';

/**
 * docs/architecture.md#provisioning-policies: each connection is a source of its own (Trust Login: several
 * per tenant). It sees what it manages and what no connection manages; what another connection manages
 * is absent for it, in reads, filters, totals, pages and memberships alike.
 */
let h: Harness;
let ctx: Ctx;
let a: ScimClient;
let b: ScimClient;

const connect = async (name: string, policies: Partial<ProvisioningPolicies> = {}): Promise<ScimClient> => {
  const { connection, token } = await h.services.connections.create(ctx, name, policies);
  return clientFor(h.baseUrl, token, ctx, connection);
};
const user = async (c: ScimClient, userName: string, extra: Record<string, unknown> = {}): Promise<string> => {
  const r = await c.post('/Users', { schemas: [USER_SCHEMA], userName, ...extra });
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const group = async (c: ScimClient, displayName: string, members: string[] = []): Promise<string> => {
  const r = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) });
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const adminUser = async (userName: string, extra = {}): Promise<string> => (await h.services.users.create(ctx, profile(userName, extra))).user.id;
const auditOf = async (id: string) => (await h.services.audit.list(ctx, { resourceId: id }, { cursor: null, limit: 20 })).items.map((i) => i.node);

beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
  a = await connect('directory A');
  b = await connect('directory B');
});
afterAll(async () => h.close());

describe('two connections of one tenant', () => {
  let aUsers: string[];
  let bUsers: string[];
  let unowned: string[];
  beforeAll(async () => {
    aUsers = [await user(a, 'ann@a.example'), await user(a, 'abe@a.example'), await user(a, 'amy@a.example')];
    bUsers = [await user(b, 'bob@b.example'), await user(b, 'bea@b.example')];
    unowned = [await adminUser('uma@example.com'), await adminUser('ugo@example.com')];
  });

  it('answers 404 for a user or group the other connection manages, by id, for every method', async () => {
    const g = await group(a, 'A only');
    for (const path of [`/Users/${aUsers[0]}`, `/Groups/${g}`]) {
      expect((await b.get(path)).status).toBe(404);
      expect((await b.patch(path, patchBody({ op: 'replace', path: 'externalId', value: 'x' }))).status).toBe(404);
      expect((await b.del(path)).status).toBe(404);
      expect((await a.get(path)).status).toBe(200);
    }
    expect((await b.put(`/Users/${aUsers[0]}`, { schemas: [USER_SCHEMA], userName: 'ann@a.example' })).status).toBe(404);
    expect((await h.services.users.get(ctx, aUsers[0]!)).userName).toBe('ann@a.example');
  });

  it('finds none of them by filter, and counts and pages only what it sees', async () => {
    const none = await b.get('/Users?filter=userName eq "ann@a.example"');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const seen = [...bUsers, ...unowned].sort();
    const all = await b.get('/Users?count=100');
    expect(all.body.totalResults).toBe(seen.length);
    expect(all.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual(seen);
    // Paging two at a time walks exactly the visible users, each once.
    const paged: string[] = [];
    for (let start = 1; start <= seen.length; start += 2) {
      const page = await b.get(`/Users?startIndex=${start}&count=2&sortBy=userName`);
      expect(page.body.totalResults).toBe(seen.length);
      paged.push(...page.body.Resources.map((r: { id: string }) => r.id));
    }
    expect(paged.sort()).toEqual(seen);
    const search = await b.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "a"' });
    expect(search.body.totalResults).toBe(0);
    // Connection A sees its own and the unowned ones; an admin sees everyone.
    expect((await a.get('/Users?count=100')).body.totalResults).toBe(aUsers.length + unowned.length);
    const admin = await h.services.users.list(ctx, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 100 }, withTotal: true });
    expect(admin.total).toBeGreaterThanOrEqual(aUsers.length + bUsers.length + unowned.length);
  });

  it('refuses a create of a name the other connection manages with 409 uniqueness saying another source manages it', async () => {
    const u = await b.post('/Users', { schemas: [USER_SCHEMA], userName: 'ANN@a.example' });
    expect(u.status).toBe(409);
    expect(u.body).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.stringContaining('another source') });
    await group(a, 'Shared name');
    const g = await b.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'shared NAME' });
    expect(g.status).toBe(409);
    expect(g.body).toMatchObject({ scimType: 'uniqueness', detail: expect.stringContaining('another source') });
    // Renaming its own user or group to such a name says the same.
    const renamed = await b.patch(`/Users/${bUsers[0]}`, patchBody({ op: 'replace', path: 'userName', value: 'amy@a.example' }));
    expect(renamed.status).toBe(409);
    expect(renamed.body).toMatchObject({ scimType: 'uniqueness', detail: expect.stringContaining('another source') });
    const own = await group(b, 'B own');
    const regrouped = await b.put(`/Groups/${own}`, { schemas: [GROUP_SCHEMA], displayName: 'Shared name' });
    expect(regrouped.status).toBe(409);
    expect(regrouped.body.detail).toContain('another source');
    expect((await b.get(`/Users/${bUsers[0]}`)).body.userName).toBe('bob@b.example');
    // A name an unowned user holds is an ordinary conflict: that user is visible, the query finds it.
    const plain = await b.post('/Users', { schemas: [USER_SCHEMA], userName: 'uma@example.com' });
    expect(plain.status).toBe(409);
    expect(plain.body.detail).not.toContain('another source');
  });

  it('reads and changes unowned users, and adopts nothing it was not asked to', async () => {
    expect((await b.get(`/Users/${unowned[1]}`)).status).toBe(200);
    const r = await b.patch(`/Users/${unowned[1]}`, patchBody({ op: 'replace', path: 'title', value: 'Engineer' }));
    expect(r.status).toBe(200);
    expect((await h.services.users.get(ctx, unowned[1]!)).managedBy).toBeNull();
  });

  it('lists as members, and changes, only the members it sees; the others stay', async () => {
    const g = await group(b, 'B team', [bUsers[0]!]);
    // An admin puts A's user in B's group.
    await h.services.groups.addMembers(ctx, g, [{ id: aUsers[1]!, type: 'User' }]);
    const read = await b.get(`/Groups/${g}`);
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([bUsers[0]]);
    expect((await b.get(`/Groups?filter=members[value eq "${aUsers[1]}"]`)).body.totalResults).toBe(0);
    // B cannot add what it cannot see, and replacing the members leaves A's user where the admin put it.
    const add = await b.patch(`/Groups/${g}`, patchBody({ op: 'add', path: 'members', value: [{ value: aUsers[2] }] }));
    expect(add.status).toBe(400);
    expect((await b.patch(`/Groups/${g}`, patchBody({ op: 'replace', path: 'members', value: [{ value: bUsers[1] }] }))).status).toBe(204);
    expect((await b.patch(`/Groups/${g}`, patchBody({ op: 'remove', path: `members[value eq "${aUsers[1]}"]` }))).status).toBe(204);
    const members = await h.services.groups.members(ctx, g, { offset: 0, limit: 10 });
    expect(members.map((m) => m.id).sort()).toEqual([aUsers[1], bUsers[1]].sort());
    // A user's groups as B sees them leave out A's groups.
    const ag = await group(a, 'A team');
    await h.services.groups.addMembers(ctx, ag, [{ id: bUsers[1]!, type: 'User' }]);
    const groups = (await b.get(`/Users/${bUsers[1]}`)).body.groups.map((x: { value: string }) => x.value);
    expect(groups).toEqual([g]);
  });
});

describe('onDelete: deactivate (Tealium)', () => {
  let t: ScimClient;
  beforeAll(async () => {
    t = await connect('tealium', { onDelete: 'deactivate', matchBy: ['primaryEmail'] });
  });

  it('deprovisions on DELETE: gone for SCIM, kept for admins inactive with its groups; the next create brings back the same id', async () => {
    const id = await user(t, 'tess@t.example', { title: 'Lead', emails: [{ value: 'tess@t.example', type: 'work', primary: true }] });
    const g = await group(t, 'Tealium team', [id]);
    const del = await t.del(`/Users/${id}`);
    expect(del.status).toBe(204);
    expect((await t.get(`/Users/${id}`)).status).toBe(404);
    expect((await t.get('/Users?filter=userName eq "tess@t.example"')).body.totalResults).toBe(0);
    expect((await t.del(`/Users/${id}`)).status).toBe(404);
    expect((await t.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'active', value: true }))).status).toBe(404);
    expect((await t.get(`/Groups/${g}`)).body.members ?? []).toEqual([]);

    const seen = await gqlOk(h, `query($id: ID!) { node(id: $id) { ... on User { active title deprovisionedAt groups { id } } } }`, { id });
    expect(seen.node).toMatchObject({ active: false, title: 'Lead', groups: [{ id: g }] });
    expect(seen.node.deprovisionedAt).not.toBeNull();
    expect((await auditOf(id)).find((e) => e.outcome === 'success')).toMatchObject({ action: 'user.deprovision', changes: ['active', 'deprovisioned'] });

    // Entra's next cycle finds nobody, so it POSTs again.
    const back = await t.post('/Users', { schemas: [USER_SCHEMA], userName: 'tess@t.example', active: true });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ id, active: true, title: 'Lead' });
    expect((await t.get(`/Users/${id}`)).body.groups.map((x: { value: string }) => x.value)).toEqual([g]);
    expect((await t.get(`/Groups/${g}`)).body.members.map((m: { value: string }) => m.value)).toEqual([id]);
    expect((await h.services.users.get(ctx, id)).deprovisionedAt).toBeNull();
    expect((await auditOf(id))[0]).toMatchObject({ action: 'user.reprovision', changes: ['active'] });
  });

  it('brings the user back by the connection\'s matchBy too, under a new userName', async () => {
    const id = await user(t, 'ivo@t.example', { emails: [{ value: 'ivo@t.example', type: 'work', primary: true }] });
    expect((await t.del(`/Users/${id}`)).status).toBe(204);
    const back = await t.post('/Users', { schemas: [USER_SCHEMA], userName: 'ivo.new@t.example', emails: [{ value: 'ivo@t.example', type: 'work', primary: true }] });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ id, userName: 'ivo.new@t.example', active: true });
  });

  it('keeps a deprovisioned user from other sources, which cannot take its name', async () => {
    const id = await user(t, 'zoe@t.example');
    expect((await t.del(`/Users/${id}`)).status).toBe(204);
    expect((await b.get(`/Users/${id}`)).status).toBe(404);
    const taken = await b.post('/Users', { schemas: [USER_SCHEMA], userName: 'zoe@t.example' });
    expect(taken).toMatchObject({ status: 409, body: { scimType: 'uniqueness', detail: expect.stringContaining('another source') } });
  });

  it('hard-deletes under the default policy', async () => {
    const id = await user(a, 'gone@a.example');
    expect((await a.del(`/Users/${id}`)).status).toBe(204);
    await expect(h.services.users.get(ctx, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('adoption keeps what the create does not carry', () => {
  const stored = () => ({
    title: 'Admin title',
    emails: [email('pat.work@x.example', 'work', true), email('pat@home.example', 'home')],
    enterprise: { employeeNumber: '7', costCenter: null, organization: null, division: null, department: 'Ops', managerValue: null },
  });

  it.each<[ProvisioningPolicies['matchBy'][number], (n: string) => Record<string, unknown>]>([
    ['userName', (n) => ({ userName: `${n}@x.example`, name: { givenName: 'Pat' }, emails: [{ value: `${n}.work@x.example`, type: 'work', primary: true }] })],
    ['primaryEmail', (n) => ({ userName: `${n}.new@x.example`, name: { givenName: 'Pat' }, emails: [{ value: `${n}.work@x.example`, type: 'work', primary: true }] })],
    ['anyEmail', (n) => ({ userName: `${n}.new@x.example`, name: { givenName: 'Pat' }, emails: [{ value: `${n}@home.example`, type: 'home' }] })],
  ])('by %s: sent attributes replace, the others stay, and the audit names only what changed', async (by, body) => {
    const n = `pat-${by}`;
    const base = stored();
    const id = await adminUser(`${n}@x.example`, { ...base, emails: [email(`${n}.work@x.example`, 'work', true), email(`${n}@home.example`, 'home')] });
    const c = await connect(`match ${by}`, { matchBy: [by] });
    const r = await c.post('/Users', { schemas: [USER_SCHEMA], ...body(n) });
    expect(r.status).toBe(201);
    expect(r.body.id).toBe(id);
    const u = await h.services.users.get(ctx, id);
    expect(u).toMatchObject({ title: 'Admin title', managedBy: c.connection.id, name: { givenName: 'Pat' }, enterprise: { employeeNumber: '7', department: 'Ops' } });
    expect(u.emails.map((e) => e.value).sort()).toEqual([`${n}.work@x.example`, `${n}@home.example`].sort());
    const [event] = await auditOf(id);
    const renamed = by === 'userName' ? [] : ['userName'];
    expect(event).toMatchObject({ action: 'user.adopt', outcome: 'success' });
    expect([...event!.changes].sort()).toEqual([...renamed, 'name.givenName', 'managedBy'].sort());
  });
});
