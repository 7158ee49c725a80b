import { emptyProfile } from '../../../src/domain/user/user.js';
import { systemActor, type Ctx } from '../../../src/domain/context.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';

let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, 'mutations');
});
afterAll(async () => {
  await h.close();
});

const audit = async (resourceId: string): Promise<string[]> =>
  (await gqlOk(h, `query($r: ID!) { tenant { auditEvents(filter: { resourceId: $r }) { edges { node { action } } } } }`, { r: resourceId }, t.readKey)).tenant.auditEvents.edges.map(
    (e: Json) => e.node.action,
  );

const createUser = async (input: Json, key = t.adminKey) =>
  gql(h, `mutation($i: CreateUserInput!) { createUser(input: $i) { user { id userName version active displayName name { givenName familyName } emails { value primary } enterprise { department managerValue } } } }`, { i: { tenantId: t.id, ...input } }, key);

describe('tenants', () => {
  it('creates, renames and deletes a tenant (platform keys)', async () => {
    const { createTenant } = await gqlOk(h, 'mutation { createTenant(input: { name: "  Initech " }) { tenant { id name } } }');
    expect(createTenant.tenant.name).toBe('Initech');
    const dup = await gql(h, 'mutation { createTenant(input: { name: "initech" }) { tenant { id } } }');
    expect(dup.code).toBe('CONFLICT');
    expect(dup.errors![0]!.extensions!.fields).toEqual(['name']);
    const { renameTenant } = await gqlOk(h, 'mutation($id: ID!) { renameTenant(input: { id: $id, name: "Initrode" }) { tenant { name } } }', { id: createTenant.tenant.id });
    expect(renameTenant.tenant.name).toBe('Initrode');
    const { deleteTenant } = await gqlOk(h, 'mutation($id: ID!) { deleteTenant(input: { id: $id }) { deletedId } }', { id: createTenant.tenant.id });
    expect(deleteTenant.deletedId).toBe(createTenant.tenant.id);
    const gone = await gql(h, 'query($id: ID) { tenant(id: $id) { id } }', { id: createTenant.tenant.id });
    expect(gone.code).toBe('NOT_FOUND');
  });

  it('refuses an empty name with BAD_USER_INPUT naming the field', async () => {
    const r = await gql(h, 'mutation { createTenant(input: { name: "  " }) { tenant { id } } }');
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.fields).toEqual(['name']);
  });
});

describe('names', () => {
  // What a terminal would run if a name reached it raw: clear the screen, set the title, overwrite the line.
  const hostile = 'Entra\u001b[2J\u001b[H\u001b]0;pwned\u0007\rFAKE  line\nsecond';

  it.each([
    ['createScimConnection', 'mutation($t: ID!, $n: String!) { createScimConnection(input: { tenantId: $t, name: $n }) { token } }'],
    ['createApiKey', 'mutation($t: ID, $n: String!) { createApiKey(input: { tenantId: $t, name: $n, role: READ_ONLY }) { secret } }'],
  ])('%s with a tenant admin key refuses a name holding control characters with BAD_USER_INPUT naming the field', async (_m, mutation) => {
    for (const n of [hostile, 'a\tb', 'a\u007fb', 'a\u009bb']) {
      const r = await gql(h, mutation, { t: t.id, n }, t.adminKey);
      const name = JSON.stringify(n);
      expect({ name, code: r.code, fields: r.errors?.[0]?.extensions?.fields }).toEqual({ name, code: 'BAD_USER_INPUT', fields: ['name'] });
      expect(r.errors![0]!.message).toMatch(/control character/);
    }
  });

  it('updateScimConnection, createTenant and renameTenant refuse a name holding control characters too, and keep the name there was', async () => {
    const { createScimConnection } = await gqlOk(h, 'mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "Okta" }) { connection { id } } }', { t: t.id }, t.adminKey);
    const id = createScimConnection.connection.id as string;
    const update = await gql(h, 'mutation($id: ID!, $n: String!) { updateScimConnection(input: { id: $id, name: $n }) { connection { name } } }', { id, n: hostile }, t.adminKey);
    expect({ code: update.code, fields: update.errors?.[0]?.extensions?.fields }).toEqual({ code: 'BAD_USER_INPUT', fields: ['name'] });
    const create = await gql(h, 'mutation($n: String!) { createTenant(input: { name: $n }) { tenant { id } } }', { n: hostile });
    expect({ code: create.code, fields: create.errors?.[0]?.extensions?.fields }).toEqual({ code: 'BAD_USER_INPUT', fields: ['name'] });
    const rename = await gql(h, 'mutation($id: ID!, $n: String!) { renameTenant(input: { id: $id, name: $n }) { tenant { name } } }', { id: t.id, n: hostile });
    expect({ code: rename.code, fields: rename.errors?.[0]?.extensions?.fields }).toEqual({ code: 'BAD_USER_INPUT', fields: ['name'] });
    const after = await gqlOk(h, 'query($id: ID!) { tenant(id: $id) { name scimConnections { id name } } }', { id: t.id });
    expect(after.tenant.name).toBe('mutations');
    expect(after.tenant.scimConnections).toEqual(expect.arrayContaining([{ id, name: 'Okta' }]));
  });
});

describe('users', () => {
  it('creates a user and records it in the audit log', async () => {
    const r = await createUser({ userName: 'kay@example.com', displayName: 'Kay', name: { givenName: 'Kay' }, emails: [{ value: 'kay@example.com', primary: true }] });
    expect(r.errors).toBeUndefined();
    expect(r.data!.createUser.user).toMatchObject({ userName: 'kay@example.com', version: 1, active: true, emails: [{ value: 'kay@example.com', primary: true }] });
    expect(await audit(r.data!.createUser.user.id)).toEqual(['user.create']);
  });

  it('refuses a second user with the same userName, whatever its case, with CONFLICT', async () => {
    await createUser({ userName: 'dup@example.com' });
    const r = await createUser({ userName: 'DUP@example.com' });
    expect(r.code).toBe('CONFLICT');
    expect(r.errors![0]!.extensions!.fields).toEqual(['userName']);
  });

  it.each<[string, Json, string]>([
    ['an empty userName', { userName: ' ' }, 'userName'],
    ['two primary emails', { userName: 'p@example.com', emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] }, 'emails'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
    const r = await createUser(input);
    expect(r.status).toBe(200);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.fields).toEqual([field]);
  });

  it('updates only the fields given: absent keeps, null clears, name and enterprise merge', async () => {
    const c = await createUser({ userName: 'upd@example.com', displayName: 'Up Date', name: { givenName: 'Up', familyName: 'Date' }, enterprise: { department: 'Ops' }, emails: [{ value: 'upd@example.com' }] });
    const id = c.data!.createUser.user.id;
    const u = await gqlOk(h, `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { userName displayName title version name { givenName familyName } enterprise { department costCenter } emails { value } } } }`,
      { i: { id, title: 'Chief', displayName: null, name: { familyName: 'Datum' }, enterprise: { costCenter: 'CC9' } } }, t.adminKey);
    expect(u.updateUser.user).toEqual({
      userName: 'upd@example.com', displayName: null, title: 'Chief', version: 2,
      name: { givenName: 'Up', familyName: 'Datum' }, enterprise: { department: 'Ops', costCenter: 'CC9' }, emails: [{ value: 'upd@example.com' }],
    });
    expect(await audit(id)).toEqual(['user.update', 'user.create']);
  });

  it('fails a stale ifVersion with PRECONDITION_FAILED and changes nothing', async () => {
    const id = (await createUser({ userName: 'ver@example.com' })).data!.createUser.user.id;
    await gqlOk(h, `mutation($id: ID!) { updateUser(input: { id: $id, title: "one", ifVersion: 1 }) { user { version } } }`, { id }, t.adminKey);
    const r = await gql(h, `mutation($id: ID!) { updateUser(input: { id: $id, title: "two", ifVersion: 1 }) { user { version } } }`, { id }, t.adminKey);
    expect(r.code).toBe('PRECONDITION_FAILED');
    for (const m of ['deactivateUser', 'deleteUser']) {
      const s = await gql(h, `mutation($id: ID!) { ${m}(input: { id: $id, ifVersion: 1 }) { __typename } }`, { id }, t.adminKey);
      expect(s.code).toBe('PRECONDITION_FAILED');
    }
    const d = await gqlOk(h, `query($id: ID!) { tenant { user(id: $id) { title version active } } }`, { id }, t.readKey);
    expect(d.tenant.user).toEqual({ title: 'one', version: 2, active: true });
  });

  it('deactivates and reactivates a user, keeping its memberships', async () => {
    const id = (await createUser({ userName: 'sleepy@example.com' })).data!.createUser.user.id;
    const g = await gqlOk(h, `mutation($t: ID!, $m: [ID!]) { createGroup(input: { tenantId: $t, displayName: "Nappers", memberIds: $m }) { group { id } } }`, { t: t.id, m: [id] }, t.adminKey);
    const off = await gqlOk(h, `mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { active groups { id } } } }`, { id }, t.adminKey);
    expect(off.deactivateUser.user).toEqual({ active: false, groups: [{ id: g.createGroup.group.id }] });
    const on = await gqlOk(h, `mutation($id: ID!) { reactivateUser(input: { id: $id }) { user { active groups { id } } } }`, { id }, t.adminKey);
    expect(on.reactivateUser.user).toEqual({ active: true, groups: [{ id: g.createGroup.group.id }] });
    expect(await audit(id)).toEqual(['user.reactivate', 'user.deactivate', 'user.create']);
  });

  it('deletes a user and answers NOT_FOUND for it afterwards', async () => {
    const id = (await createUser({ userName: 'gone@example.com' })).data!.createUser.user.id;
    const d = await gqlOk(h, `mutation($id: ID!) { deleteUser(input: { id: $id }) { deletedId } }`, { id }, t.adminKey);
    expect(d.deleteUser.deletedId).toBe(id);
    const again = await gql(h, `mutation($id: ID!) { deleteUser(input: { id: $id }) { deletedId } }`, { id }, t.adminKey);
    expect(again.code).toBe('NOT_FOUND');
    const viaPlatform = await gql(h, `mutation($id: ID!) { updateUser(input: { id: $id, title: "x" }) { user { id } } }`, { id });
    expect(viaPlatform.code).toBe('NOT_FOUND');
  });

  it('answers a user or group created in a tenant that does not exist with NOT_FOUND naming the tenant', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    // A platform key may name any tenant; the tenant is checked where the row is written.
    const user = await gql(h, `mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }`, { i: { tenantId: missing, userName: 'nowhere@example.com' } });
    const group = await gql(h, `mutation($t: ID!) { createGroup(input: { tenantId: $t, displayName: "Nowhere" }) { group { id } } }`, { t: missing });
    for (const r of [user, group]) {
      expect({ code: r.code, message: r.errors?.[0]?.message }).toEqual({ code: 'NOT_FOUND', message: `Tenant ${missing} not found` });
    }
  });

  it('lets a platform key change a user by id alone', async () => {
    const id = (await createUser({ userName: 'plat@example.com' })).data!.createUser.user.id;
    const d = await gqlOk(h, `mutation($id: ID!) { updateUser(input: { id: $id, title: "via platform" }) { user { title tenantId } } }`, { id });
    expect(d.updateUser.user).toEqual({ title: 'via platform', tenantId: t.id });
  });
});

describe('resources managed by SCIM', () => {
  it('refuses profile, status and existence changes until released', async () => {
    const { createScimConnection } = await gqlOk(h, `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "okta" }) { connection { id } } }`, { t: t.id }, t.adminKey);
    const conn: Ctx = { tenantId: t.id, actor: { type: 'connection', id: createScimConnection.connection.id, tenantId: t.id }, requestId: null };
    const { user } = await h.services.users.create(conn, emptyProfile('scim-owned@example.com'));
    const group = await h.services.groups.create(conn, { displayName: 'SCIM group', externalId: null, extensions: {} });

    const managed = await gqlOk(h, `query($id: ID!) { node(id: $id) { ... on User { managedBy } } }`, { id: user.id }, t.readKey);
    expect(managed.node.managedBy).toBe(createScimConnection.connection.id);
    const tries: [string, Json][] = [
      ['mutation($id: ID!) { updateUser(input: { id: $id, title: "x" }) { user { id } } }', { id: user.id }],
      ['mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { id } } }', { id: user.id }],
      ['mutation($id: ID!) { renameGroup(input: { id: $id, displayName: "x" }) { group { id } } }', { id: group.id }],
      ['mutation($id: ID!, $m: [ID!]!) { addGroupMembers(input: { groupId: $id, memberIds: $m }) { group { id } } }', { id: group.id, m: [user.id] }],
      ['mutation($id: ID!) { deleteGroup(input: { id: $id }) { deletedId } }', { id: group.id }],
      ['mutation($id: ID!) { deleteUser(input: { id: $id }) { deletedId } }', { id: user.id }],
    ];
    for (const [q, v] of tries) {
      const r = await gql(h, q, v, t.adminKey);
      expect(r.code).toBe('MANAGED_BY_SCIM');
      expect(r.errors![0]!.message).toContain('releaseFromScim');
    }
    const ro = await gql(h, 'mutation($id: ID!) { releaseFromScim(input: { id: $id }) { node { id } } }', { id: user.id }, t.readKey);
    expect(ro.code).toBe('FORBIDDEN');

    for (const id of [user.id, group.id]) {
      const rel = await gqlOk(h, 'mutation($id: ID!) { releaseFromScim(input: { id: $id }) { node { __typename id ... on User { managedBy } ... on Group { managedBy } } } }', { id });
      expect(rel.releaseFromScim.node).toMatchObject({ id, managedBy: null });
    }
    for (const [q, v] of tries) expect((await gql(h, q, v, t.adminKey)).errors).toBeUndefined();
    expect(await audit(user.id)).toEqual(['user.delete', 'user.deactivate', 'user.update', 'user.release', 'user.create']);
  });
});

describe('groups and memberships', () => {
  it('creates, renames, adds and removes many members at once, and deletes', async () => {
    const uids: string[] = [];
    for (let i = 0; i < 5; i++) uids.push((await createUser({ userName: `member${i}@example.com` })).data!.createUser.user.id);
    const { createGroup } = await gqlOk(h, `mutation($t: ID!) { createGroup(input: { tenantId: $t, displayName: "Team" }) { group { id version } } }`, { t: t.id }, t.adminKey);
    const id = createGroup.group.id;
    const dup = await gql(h, `mutation($t: ID!) { createGroup(input: { tenantId: $t, displayName: "TEAM" }) { group { id } } }`, { t: t.id }, t.adminKey);
    expect(dup.code).toBe('CONFLICT');
    expect(dup.errors![0]!.extensions!.fields).toEqual(['displayName']);

    const add = await gqlOk(h, `mutation($g: ID!, $m: [ID!]!) { addGroupMembers(input: { groupId: $g, memberIds: $m }) { group { memberCount version } } }`, { g: id, m: uids }, t.adminKey);
    expect(add.addGroupMembers.group).toEqual({ memberCount: 5, version: 2 });
    const rem = await gqlOk(h, `mutation($g: ID!, $m: [ID!]!) { removeGroupMembers(input: { groupId: $g, memberIds: $m }) { group { memberCount } } }`, { g: id, m: uids.slice(0, 3) }, t.adminKey);
    expect(rem.removeGroupMembers.group.memberCount).toBe(2);
    const unknown = await gql(h, `mutation($g: ID!, $m: [ID!]!) { addGroupMembers(input: { groupId: $g, memberIds: $m }) { group { id } } }`, { g: id, m: ['01900000-0000-7000-8000-00000000beef'] }, t.adminKey);
    expect(unknown.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.extensions!.fields).toEqual(['members']);
    const self = await gql(h, `mutation($g: ID!, $m: [ID!]!) { addGroupMembers(input: { groupId: $g, memberIds: $m }) { group { id } } }`, { g: id, m: [id] }, t.adminKey);
    expect(self.code).toBe('BAD_USER_INPUT');

    const ren = await gqlOk(h, `mutation($g: ID!) { renameGroup(input: { id: $g, displayName: "Squad", ifVersion: 3 }) { group { displayName version } } }`, { g: id }, t.adminKey);
    expect(ren.renameGroup.group).toEqual({ displayName: 'Squad', version: 4 });
    const stale = await gql(h, `mutation($g: ID!) { renameGroup(input: { id: $g, displayName: "Old", ifVersion: 3 }) { group { id } } }`, { g: id }, t.adminKey);
    expect(stale.code).toBe('PRECONDITION_FAILED');
    expect(await audit(id)).toEqual(['group.update', 'group.members', 'group.members', 'group.create']);

    const del = await gqlOk(h, `mutation($g: ID!) { deleteGroup(input: { id: $g }) { deletedId } }`, { g: id }, t.adminKey);
    expect(del.deleteGroup.deletedId).toBe(id);
    const still = await gqlOk(h, `query($id: ID!) { tenant { user(id: $id) { id } } }`, { id: uids[4] }, t.readKey);
    expect(still.tenant.user.id).toBe(uids[4]);
  });
});

describe('SCIM connections', () => {
  it('creates a connection whose SCIM deletes deprovision (onDelete: DEACTIVATE), and refuses an unknown policy value', async () => {
    const c = await gqlOk(h, `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "tealium", policies: { onDelete: DEACTIVATE } }) {
      connection { id policies { onLoginNameCollision onDelete } } } }`, { t: t.id }, t.adminKey);
    expect(c.createScimConnection.connection.policies).toEqual({ onLoginNameCollision: 'SUFFIX', onDelete: 'DEACTIVATE' });
    const bad = await gql(h, `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "x", policies: { onDelete: ARCHIVE } }) { token } }`, { t: t.id }, t.adminKey);
    expect(bad.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('shows the token once, rotates it (old one rejected at once), updates policies and deletes', async () => {
    const c = await gqlOk(h, `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "entra", policies: { matchBy: [USER_NAME] } }) {
      connection { id name policies { loginName matchBy } } token } }`, { t: t.id }, t.adminKey);
    const { id } = c.createScimConnection.connection;
    const first = c.createScimConnection.token as string;
    expect(first).toMatch(/^roster_scim_/);
    expect(c.createScimConnection.connection.policies).toEqual({ loginName: 'AS_SENT', matchBy: ['USER_NAME'] });
    await expect(h.services.connections.authenticate(first)).resolves.toBeDefined();

    const r = await gqlOk(h, `mutation($id: ID!) { rotateScimConnectionToken(input: { id: $id }) { token connection { rotatedAt } } }`, { id });
    const second = r.rotateScimConnectionToken.token as string;
    expect(second).not.toBe(first);
    expect(r.rotateScimConnectionToken.connection.rotatedAt).not.toBeNull();
    await expect(h.services.connections.authenticate(first)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(h.services.connections.authenticate(second)).resolves.toBeDefined();

    const u = await gqlOk(h, `mutation($id: ID!) { updateScimConnection(input: { id: $id, name: "entra-prod", policies: { loginName: LOCAL_PART, onLoginNameCollision: REJECT } }) {
      connection { name policies { loginName onLoginNameCollision matchBy onDelete } } } }`, { id }, t.adminKey);
    expect(u.updateScimConnection.connection).toEqual({ name: 'entra-prod', policies: { loginName: 'LOCAL_PART', onLoginNameCollision: 'REJECT', matchBy: ['USER_NAME'], onDelete: 'DELETE' } });
    expect(await audit(id)).toEqual(['connection.update', 'connection.rotate', 'connection.create']);

    const d = await gqlOk(h, `mutation($id: ID!) { updateScimConnection(input: { id: $id, policies: { onDelete: DEACTIVATE } }) {
      connection { policies { loginName onDelete } } } }`, { id }, t.adminKey);
    expect(d.updateScimConnection.connection.policies).toEqual({ loginName: 'LOCAL_PART', onDelete: 'DEACTIVATE' });
    expect((await h.services.connections.get({ tenantId: t.id, actor: systemActor, requestId: null }, id)).policies.onDelete).toBe('deactivate');

    await gqlOk(h, `mutation($id: ID!) { deleteScimConnection(input: { id: $id }) { deletedId } }`, { id }, t.adminKey);
    await expect(h.services.connections.authenticate(second)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const again = await gql(h, `mutation($id: ID!) { rotateScimConnectionToken(input: { id: $id }) { token } }`, { id });
    expect(again.code).toBe('NOT_FOUND');
    expect(JSON.stringify(h.logs)).not.toContain(second);
  });
});

describe('API keys', () => {
  it('shows the secret once; a tenant admin manages its own keys; revoked keys stop working', async () => {
    const k = await gqlOk(h, `mutation($t: ID) { createApiKey(input: { tenantId: $t, name: "ci", role: READ_ONLY }) { apiKey { id tenantId role revokedAt } secret } }`, { t: t.id }, t.adminKey);
    expect(k.createApiKey.apiKey).toMatchObject({ tenantId: t.id, role: 'READ_ONLY', revokedAt: null });
    expect(k.createApiKey.secret).toMatch(/^roster_key_/);
    const listed = await gqlOk(h, `{ tenant { apiKeys { id name } } }`, {}, t.adminKey);
    expect(listed.tenant.apiKeys.map((a: Json) => a.id)).toContain(k.createApiKey.apiKey.id);
    const platform = await gql(h, `mutation { createApiKey(input: { tenantId: null, name: "root", role: ADMIN }) { secret } }`, {}, t.adminKey);
    expect(platform.code).toBe('FORBIDDEN');
    const rev = await gqlOk(h, `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`, { id: k.createApiKey.apiKey.id }, t.adminKey);
    expect(rev.revokeApiKey.apiKey.revokedAt).not.toBeNull();
    expect((await gql(h, '{ viewer { platform } }', {}, k.createApiKey.secret)).status).toBe(401);
    expect(await audit(k.createApiKey.apiKey.id)).toEqual(['apiKey.revoke', 'apiKey.create']);
  });
});
