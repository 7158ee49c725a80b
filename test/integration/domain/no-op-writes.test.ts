import { gqlOk, tenantWithKeys } from '../../support/graphql.js';
import { clientFor, ENTERPRISE, GROUP_SCHEMA, patchBody, USER_SCHEMA, type ScimClient } from '../../support/scim.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * A write that changes nothing leaves the version and the audit log as they were, whichever front
 * door it came through (docs/architecture.md#audit-events). Entra re-sends unchanged attributes
 * every cycle; each of them must not look like a change.
 */
let h: Harness;
let c: ScimClient;
let t: { id: string; adminKey: string; readKey: string };
beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, 'no-op writes');
  const ctx = { tenantId: t.id, actor: { type: 'system' as const }, requestId: null };
  const { connection, token } = await h.services.connections.create(ctx, 'Entra ID');
  c = clientFor(h.baseUrl, token, ctx, connection);
});
afterAll(async () => {
  await h.close();
});

const EXT = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
const GROUP_EXT = 'urn:example:params:scim:schemas:extension:acme:2.0:Group';

const userBody = (userName: string) => ({
  schemas: [USER_SCHEMA, ENTERPRISE, EXT],
  userName,
  displayName: 'Nora Noop',
  title: 'Engineer',
  name: { givenName: 'Nora', familyName: 'Noop' },
  emails: [{ value: userName, type: 'work', primary: true }],
  addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield', postalCode: '12345', country: 'US', primary: true }],
  [ENTERPRISE]: { department: 'R&D', employeeNumber: '42' },
  // Keys in an order PostgreSQL's jsonb does not keep.
  [EXT]: { zeta: 'last', alpha: { yankee: 1, bravo: [{ quebec: 1, alpha: 2 }] } },
});

const actions = async (resourceId: string): Promise<string[]> =>
  (await h.services.audit.list(c.ctx, { resourceId }, { cursor: null, limit: 50 })).items.map((i) => i.node.action).reverse();

async function version(path: string): Promise<string> {
  const r = await c.get(path);
  expect(r.status).toBe(200);
  return r.body.meta.version as string;
}

describe('a user write that changes nothing', () => {
  let id: string;
  beforeAll(async () => {
    const r = await c.post('/Users', userBody('nora@example.com'));
    expect(r.status).toBe(201);
    id = r.body.id as string;
  });

  it('keeps the version and writes no audit event, over SCIM PATCH and PUT', async () => {
    const same = [
      patchBody({ op: 'replace', path: 'title', value: 'Engineer' }),
      patchBody({ op: 'Replace', path: 'addresses', value: [{ country: 'US', primary: true, postalCode: '12345', locality: 'Springfield', streetAddress: '1 Main St', type: 'work' }] }),
      patchBody({ op: 'replace', path: `${EXT}:alpha`, value: { bravo: [{ alpha: 2, quebec: 1 }], yankee: 1 } }),
      patchBody({ op: 'replace', value: { 'name.givenName': 'Nora', [`${ENTERPRISE}:department`]: 'R&D' } }),
    ];
    for (const body of same) {
      const r = await c.patch(`/Users/${id}`, body);
      expect(r.status).toBe(200);
      expect(r.body.meta.version).toBe('W/"1"');
    }
    const put = await c.put(`/Users/${id}`, userBody('nora@example.com'));
    expect(put.status).toBe(200);
    expect(put.body.meta.version).toBe('W/"1"');
    expect(await version(`/Users/${id}`)).toBe('W/"1"');
    expect(await actions(id)).toEqual(['user.create']);
  });

  it('keeps the version and writes no audit event over GraphQL', async () => {
    const address = { type: 'home', streetAddress: '2 Elm St', locality: 'Ogdenville', country: 'US' };
    const ext = { [EXT]: { zeta: 'last', alpha: { yankee: 1, bravo: [{ quebec: 1, alpha: 2 }] } } };
    const { createUser } = await gqlOk(
      h,
      `mutation($i: CreateUserInput!) { createUser(input: $i) { user { id version } } }`,
      { i: { tenantId: t.id, userName: 'admin-made@example.com', title: 'Engineer', addresses: [address], extensions: ext } },
      t.adminKey,
    );
    const same = {
      id: createUser.user.id,
      title: 'Engineer',
      addresses: [{ country: 'US', locality: 'Ogdenville', streetAddress: '2 Elm St', type: 'home' }],
      extensions: { [EXT]: { alpha: { bravo: [{ alpha: 2, quebec: 1 }], yankee: 1 }, zeta: 'last' } },
    };
    const { updateUser } = await gqlOk(h, `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { version } } }`, { i: same }, t.adminKey);
    expect(updateUser.user.version).toBe(1);
    expect(await actions(createUser.user.id as string)).toEqual(['user.create']);
  });

  it('still counts a real change once', async () => {
    const r = await c.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'addresses[type eq "work"].locality', value: 'Shelbyville' }));
    expect(r.body.meta.version).toBe('W/"2"');
    expect(await actions(id)).toEqual(['user.create', 'user.update']);
    const [event] = (await h.services.audit.list(c.ctx, { resourceId: id, action: 'user.update' }, { cursor: null, limit: 1 })).items;
    expect(event!.node.changes).toEqual(['addresses']);
  });
});

describe('a group write that changes nothing', () => {
  let id: string;
  let member: string;
  beforeAll(async () => {
    member = ((await c.post('/Users', userBody('member@example.com'))).body.id as string);
    const r = await c.post('/Groups', {
      schemas: [GROUP_SCHEMA, GROUP_EXT],
      displayName: 'Noop Team',
      externalId: 'noop-1',
      members: [{ value: member }],
      [GROUP_EXT]: { zeta: 'last', alpha: { yankee: 1, bravo: 2 } },
    });
    expect(r.status).toBe(201);
    id = r.body.id as string;
  });

  it('keeps the version and writes no audit event: same name, member already present, same PUT', async () => {
    const same = [
      patchBody({ op: 'Replace', path: 'displayName', value: 'Noop Team' }),
      patchBody({ op: 'Add', path: 'members', value: [{ value: member }] }),
      patchBody({ op: 'add', path: 'members', value: [{ value: member.toUpperCase() }] }),
      patchBody({ op: 'replace', path: `${GROUP_EXT}:alpha`, value: { bravo: 2, yankee: 1 } }),
      patchBody({ op: 'replace', value: { displayName: 'Noop Team', externalId: 'noop-1' } }),
    ];
    for (const body of same) {
      const r = await c.patch(`/Groups/${id}`, body);
      expect(r.status).toBe(204);
      expect(r.headers.get('etag')).toBe('W/"1"');
    }
    const put = await c.put(`/Groups/${id}`, {
      schemas: [GROUP_SCHEMA, GROUP_EXT],
      displayName: 'Noop Team',
      externalId: 'noop-1',
      members: [{ value: member }],
      [GROUP_EXT]: { alpha: { bravo: 2, yankee: 1 }, zeta: 'last' },
    });
    expect(put.status).toBe(200);
    expect(put.body.meta.version).toBe('W/"1"');
    expect(await version(`/Groups/${id}`)).toBe('W/"1"');
    expect(await actions(id)).toEqual(['group.create']);
  });

  it('still counts a real change once', async () => {
    const r = await c.patch(`/Groups/${id}`, patchBody({ op: 'replace', path: `${GROUP_EXT}:zeta`, value: 'changed' }));
    expect(r.headers.get('etag')).toBe('W/"2"');
    expect(await actions(id)).toEqual(['group.create', 'group.update']);
  });
});

describe('a SCIM connection update that changes nothing', () => {
  const CONNECTION = 'id name policies { loginName onLoginNameCollision matchBy onDelete }';
  const update = (input: Record<string, unknown>) =>
    gqlOk(h, `mutation($i: UpdateScimConnectionInput!) { updateScimConnection(input: $i) { connection { ${CONNECTION} } } }`, { i: input }, t.adminKey);
  const events = async (): Promise<number> => (await h.services.events.list(c.ctx, {}, { direction: 'forward', after: null, before: null, limit: 1000 })).items.length;

  it('writes no audit event and no change event, and answers with the connection as it is', async () => {
    const { createScimConnection } = await gqlOk(
      h,
      `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "Okta", policies: { matchBy: [USER_NAME] } }) { connection { ${CONNECTION} } } }`,
      { t: t.id },
      t.adminKey,
    );
    const created = createScimConnection.connection;
    const before = await events();
    for (const input of [{}, { name: 'Okta' }, { name: '  Okta ' }, { policies: {} }, { policies: { matchBy: ['USER_NAME'], loginName: 'AS_SENT' } }, { name: 'Okta', policies: { onDelete: 'DELETE' } }]) {
      expect((await update({ id: created.id, ...input })).updateScimConnection.connection).toEqual(created);
    }
    expect(await actions(created.id)).toEqual(['connection.create']);
    expect(await events()).toBe(before);
  });

  it('still records a real change once', async () => {
    const { createScimConnection } = await gqlOk(h, `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "Ping" }) { connection { id } } }`, { t: t.id }, t.adminKey);
    const id = createScimConnection.connection.id as string;
    await update({ id, name: 'Ping (prod)' });
    expect(await actions(id)).toEqual(['connection.create', 'connection.update']);
  });
});
