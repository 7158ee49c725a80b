import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';

let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
const ids: Record<string, string> = {};

const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }`;

beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, 'queries');
  const users: Json[] = [
    { userName: 'ada@example.com', displayName: 'Ada Lovelace', name: { givenName: 'Ada', familyName: 'Lovelace' }, title: 'Countess',
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }, { value: 'ada@home.example', type: 'home' }],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }], roles: [{ value: 'engineer' }],
      addresses: [{ type: 'work', locality: 'London', country: 'GB', primary: true }],
      enterprise: { employeeNumber: 'E1', department: 'Analytics', costCenter: 'CC1' }, extensions: { 'urn:example:ext': { shoe: 42 } } },
    { userName: 'grace@example.com', displayName: 'Grace Hopper', name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ value: 'grace@navy.example', type: 'work', primary: true }], roles: [{ value: 'admiral' }],
      addresses: [{ type: 'work', locality: 'Arlington', country: 'US' }], enterprise: { department: 'Navy' } },
    { userName: 'alan@example.com', displayName: 'Alan Turing', active: false, enterprise: { department: 'Analytics' } },
    { userName: 'edsger@example.com', displayName: 'Edsger Dijkstra' },
    { userName: 'barbara@example.com', displayName: 'Barbara Liskov' },
  ];
  for (const u of users) {
    const d = await gqlOk(h, CREATE_USER, { input: { tenantId: t.id, ...u } });
    ids[u.userName.split('@')[0]] = d.createUser.user.id;
  }
  // Ada's manager is Grace; Edsger's manager has not arrived yet (a dangling reference).
  await gqlOk(h, `mutation($id: ID!, $m: String) { updateUser(input: { id: $id, enterprise: { managerValue: $m } }) { user { id } } }`, { id: ids.ada, m: ids.grace });
  await gqlOk(h, `mutation($id: ID!, $m: String) { updateUser(input: { id: $id, enterprise: { managerValue: $m } }) { user { id } } }`, { id: ids.edsger, m: '01900000-0000-7000-8000-000000000000' });
  const group = async (displayName: string, memberIds: string[]) =>
    (await gqlOk(h, `mutation($t: ID!, $n: String!, $m: [ID!]) { createGroup(input: { tenantId: $t, displayName: $n, memberIds: $m }) { group { id } } }`, { t: t.id, n: displayName, m: memberIds })).createGroup.group.id as string;
  ids.pioneers = await group('Pioneers', [ids.ada, ids.grace, ids.alan, ids.edsger, ids.barbara]);
  ids.analytics = await group('Analytics', [ids.ada, ids.alan]);
  ids.everyone = await group('Everyone', [ids.pioneers]);
});
afterAll(async () => {
  await h.close();
});

const USERS = `query($filter: UserFilter, $orderBy: UserOrder, $first: Int, $after: String, $last: Int, $before: String) {
  tenant { users(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { userName } } } } }`;
const names = (d: Json): string[] => d.tenant.users.edges.map((e: Json) => e.node.userName.split('@')[0]);
const users = async (vars: Json) => gqlOk(h, USERS, vars, t.readKey);

describe('users', () => {
  it('exposes everything Roster stores about a user', async () => {
    const d = await gqlOk(h, `query($id: ID!) { tenant { user(id: $id) {
      id tenantId userName displayName title active version createdAt updatedAt managedBy extensions
      name { givenName familyName formatted }
      emails { value type primary display } phoneNumbers { value type } roles { value }
      addresses { type locality country primary }
      enterprise { employeeNumber department costCenter managerValue manager { userName } } } } }`, { id: ids.ada }, t.readKey);
    const u = d.tenant.user;
    expect(u).toMatchObject({
      id: ids.ada, tenantId: t.id, userName: 'ada@example.com', displayName: 'Ada Lovelace', title: 'Countess', active: true, version: 2, managedBy: null,
      extensions: { 'urn:example:ext': { shoe: 42 } },
      name: { givenName: 'Ada', familyName: 'Lovelace', formatted: null },
      emails: [{ value: 'ada@example.com', type: 'work', primary: true, display: null }, { value: 'ada@home.example', type: 'home', primary: null, display: null }],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
      roles: [{ value: 'engineer' }],
      addresses: [{ type: 'work', locality: 'London', country: 'GB', primary: true }],
      enterprise: { employeeNumber: 'E1', department: 'Analytics', costCenter: 'CC1', managerValue: ids.grace, manager: { userName: 'grace@example.com' } },
    });
    expect(new Date(u.createdAt).getTime()).toBeLessThanOrEqual(new Date(u.updatedAt).getTime());
  });

  it('answers a manager that has not arrived yet with its id and a null manager', async () => {
    const d = await gqlOk(h, `query($id: ID!) { tenant { user(id: $id) { enterprise { managerValue manager { id } } } } }`, { id: ids.edsger }, t.readKey);
    expect(d.tenant.user.enterprise).toEqual({ managerValue: '01900000-0000-7000-8000-000000000000', manager: null });
  });

  it('resolves a manager whose id was sent in upper case, read alone and in a page', async () => {
    const set = (m: string | null) => gqlOk(h, `mutation($id: ID!, $m: String) { updateUser(input: { id: $id, enterprise: { managerValue: $m } }) { user { id } } }`, { id: ids.barbara, m });
    await set(ids.grace!.toUpperCase());
    try {
      const one = await gqlOk(h, `query($id: ID!) { tenant { user(id: $id) { enterprise { managerValue manager { id } } } } }`, { id: ids.barbara }, t.readKey);
      expect(one.tenant.user.enterprise).toEqual({ managerValue: ids.grace!.toUpperCase(), manager: { id: ids.grace } });
      const page = await gqlOk(h, `{ tenant { users(filter: { userName: { eq: "barbara@example.com" } }) { edges { node { enterprise { manager { id } } } } } } }`, {}, t.readKey);
      expect(page.tenant.users.edges.map((e: Json) => e.node.enterprise.manager)).toEqual([{ id: ids.grace }]);
    } finally {
      await set(null);
    }
  });

  it('pages forward and backward with cursors, counting all matches', async () => {
    const order = { field: 'USER_NAME', direction: 'ASC' };
    const p1 = await users({ orderBy: order, first: 2 });
    expect(names(p1)).toEqual(['ada', 'alan']);
    expect(p1.tenant.users.totalCount).toBe(5);
    expect(p1.tenant.users.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const p2 = await users({ orderBy: order, first: 2, after: p1.tenant.users.pageInfo.endCursor });
    expect(names(p2)).toEqual(['barbara', 'edsger']);
    const p3 = await users({ orderBy: order, first: 2, after: p2.tenant.users.pageInfo.endCursor });
    expect(names(p3)).toEqual(['grace']);
    expect(p3.tenant.users.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const back = await users({ orderBy: order, last: 2, before: p3.tenant.users.pageInfo.startCursor });
    expect(names(back)).toEqual(['barbara', 'edsger']);
    expect(back.tenant.users.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const tail = await users({ orderBy: order, last: 2 });
    expect(names(tail)).toEqual(['edsger', 'grace']);
    const desc = await users({ orderBy: { field: 'USER_NAME', direction: 'DESC' }, first: 2 });
    expect(names(desc)).toEqual(['grace', 'edsger']);
  });

  it.each<[string, Json, string[]]>([
    ['eq, case-insensitively', { userName: { eq: 'ADA@example.com' } }, ['ada']],
    ['ne', { active: { ne: true } }, ['alan']],
    ['co', { displayName: { co: 'ra' } }, ['barbara', 'edsger', 'grace']],
    ['sw', { displayName: { sw: 'a' } }, ['ada', 'alan']],
    ['ew', { userName: { ew: 'grace@example.com' } }, ['grace']],
    ['gt and lt together', { userName: { gt: 'alan', lt: 'edsger' } }, ['alan', 'barbara']],
    ['ge / le', { userName: { ge: 'edsger@example.com', le: 'grace@example.com' } }, ['edsger', 'grace']],
    ['pr', { title: { pr: true } }, ['ada']],
    ['not pr', { title: { pr: false }, active: { eq: true } }, ['barbara', 'edsger', 'grace']],
    ['nested name fields', { name: { familyName: { eq: 'hopper' } } }, ['grace']],
    ['enterprise fields', { enterprise: { department: { eq: 'analytics' } } }, ['ada', 'alan']],
    ['or', { or: [{ userName: { sw: 'ada' } }, { userName: { sw: 'grace' } }] }, ['ada', 'grace']],
    ['not', { not: { enterprise: { department: { pr: true } } } }, ['barbara', 'edsger']],
    ['and', { and: [{ displayName: { co: 'a' } }, { active: { eq: false } }] }, ['alan']],
    ['some email matches', { emails: { value: { ew: 'navy.example' } } }, ['grace']],
    ['some email matches two conditions at once', { emails: { type: { eq: 'home' }, value: { sw: 'ada' } } }, ['ada']],
    ['no element has both conditions', { emails: { type: { eq: 'home' }, primary: { eq: true } } }, []],
    ['has any phone number', { phoneNumbers: {} }, ['ada']],
    ['some address matches', { addresses: { country: { eq: 'us' } } }, ['grace']],
    ['some role matches', { roles: { value: { eq: 'admiral' } } }, ['grace']],
    ['member of a group', { groups: { id: { eq: 'ANALYTICS' } } }, ['ada', 'alan']],
    ['createdAt range', { createdAt: { gt: '2000-01-01T00:00:00Z', lt: '2999-01-01T00:00:00Z' }, userName: { sw: 'b' } }, ['barbara']],
  ])('filters with %s', async (_label, filter, expected) => {
    if (JSON.stringify(filter).includes('ANALYTICS')) filter = JSON.parse(JSON.stringify(filter).replace('ANALYTICS', ids.analytics));
    const d = await users({ filter, orderBy: { field: 'USER_NAME' } });
    expect(names(d)).toEqual(expected);
    expect(d.tenant.users.totalCount).toBe(expected.length);
  });

  it('answers a filter the domain refuses with BAD_USER_INPUT naming the field', async () => {
    const r = await gql(h, USERS, { filter: { displayName: { eq: 'x' }, active: { eq: null, pr: true }, createdAt: { eq: null, co: undefined } } }, t.readKey);
    expect(r.errors).toBeUndefined();
    const bad = await gql(h, USERS, { filter: { createdAt: { pr: true }, or: [] } }, t.readKey);
    expect(bad.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toContain('"or" needs at least one operand');
    let deep: Json = { userName: { eq: 'x' } };
    for (let i = 0; i < 70; i++) deep = { not: deep };
    const tooDeep = await gql(h, USERS, { filter: deep }, t.readKey);
    expect(tooDeep.code).toBe('BAD_USER_INPUT');
    expect(tooDeep.errors![0]!.extensions!.fields).toEqual(['filter']);
  });

  it('answers a filter whose values do not fit their types with BAD_USER_INPUT', async () => {
    const r = await gql(h, USERS, { filter: { active: { co: 'x' } } }, t.readKey);
    expect(r.status).toBe(400);
    expect(r.code).toBe('BAD_USER_INPUT');
  });

  it.each<[string, Json, string]>([
    ['both first and last', { first: 1, last: 1 }, 'first'],
    ['a page larger than allowed', { first: 1001 }, 'first'],
    ['a negative page', { last: -1 }, 'last'],
    ['a cursor it never issued', { after: 'bm90LWEtY3Vyc29y' }, 'cursor'],
  ])('refuses %s with BAD_USER_INPUT', async (_label, vars, field) => {
    const r = await gql(h, USERS, vars, t.readKey);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.fields).toEqual([field]);
  });

  it('lists the groups of a user, directly or transitively', async () => {
    const d = await gqlOk(h, `query($id: ID!) { tenant { user(id: $id) { direct: groups { displayName } all: groups(transitive: true) { displayName } } } }`, { id: ids.ada }, t.readKey);
    expect(d.tenant.user.direct.map((g: Json) => g.displayName)).toEqual(['Analytics', 'Pioneers']);
    expect(d.tenant.user.all.map((g: Json) => g.displayName)).toEqual(['Analytics', 'Everyone', 'Pioneers']);
  });
});

describe('groups', () => {
  it('exposes members as a connection of users and groups, with counts', async () => {
    const q = `query($first: Int, $after: String, $last: Int, $before: String) { tenant { groups(orderBy: { field: DISPLAY_NAME }) { totalCount edges { node {
      displayName memberCount groups { displayName }
      members(first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
        edges { cursor type node { __typename ... on User { userName } ... on Group { displayName } } } } } } } } }`;
    const d = await gqlOk(h, q, { first: 3 }, t.readKey);
    const groups = d.tenant.groups.edges.map((e: Json) => e.node);
    expect(d.tenant.groups.totalCount).toBe(3);
    expect(groups.map((g: Json) => [g.displayName, g.memberCount])).toEqual([['Analytics', 2], ['Everyone', 1], ['Pioneers', 5]]);
    expect(groups[1].members.edges).toEqual([expect.objectContaining({ type: 'GROUP', node: { __typename: 'Group', displayName: 'Pioneers' } })]);
    expect(groups[2].groups).toEqual([{ displayName: 'Everyone' }]);
    const pioneers = groups[2].members;
    expect(pioneers.totalCount).toBe(5);
    expect(pioneers.edges.map((e: Json) => e.node.userName)).toEqual(['ada@example.com', 'grace@example.com', 'alan@example.com']);
    expect(pioneers.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const next = await gqlOk(h, `query($id: ID!, $after: String) { tenant { group(id: $id) { members(first: 3, after: $after) { pageInfo { hasNextPage hasPreviousPage } edges { node { ... on User { userName } } } } } } }`,
      { id: ids.pioneers, after: pioneers.pageInfo.endCursor }, t.readKey);
    expect(next.tenant.group.members.edges.map((e: Json) => e.node.userName)).toEqual(['edsger@example.com', 'barbara@example.com']);
    expect(next.tenant.group.members.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });

    const last = await gqlOk(h, `query($id: ID!) { tenant { group(id: $id) { members(last: 2) { pageInfo { hasNextPage hasPreviousPage } edges { node { ... on User { userName } } } } } } }`, { id: ids.pioneers }, t.readKey);
    expect(last.tenant.group.members.edges.map((e: Json) => e.node.userName)).toEqual(['edsger@example.com', 'barbara@example.com']);
    expect(last.tenant.group.members.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it('filters groups, including by member', async () => {
    const q = `query($f: GroupFilter) { tenant { groups(filter: $f, orderBy: { field: DISPLAY_NAME, direction: DESC }) { edges { node { displayName } } } } }`;
    const shown = async (f: Json) => (await gqlOk(h, q, { f }, t.readKey)).tenant.groups.edges.map((e: Json) => e.node.displayName);
    expect(await shown({ displayName: { sw: 'p' } })).toEqual(['Pioneers']);
    expect(await shown({ members: { id: { eq: ids.alan } } })).toEqual(['Pioneers', 'Analytics']);
    expect(await shown({ members: { type: { eq: 'Group' } } })).toEqual(['Everyone']);
    expect(await shown({ not: { members: {} } })).toEqual([]);
  });
});

describe('node(id)', () => {
  it('finds users, groups, tenants and SCIM connections by their ids', async () => {
    const { createScimConnection } = await gqlOk(h, `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "entra" }) { connection { id } token } }`, { t: t.id });
    const q = `query($id: ID!) { node(id: $id) { __typename id ... on User { userName } ... on Group { displayName } ... on Tenant { name } ... on ScimConnection { name } } }`;
    const cases: [string, string, Json][] = [
      [ids.ada, 'User', { userName: 'ada@example.com' }],
      [ids.pioneers, 'Group', { displayName: 'Pioneers' }],
      [t.id, 'Tenant', { name: 'queries' }],
      [createScimConnection.connection.id, 'ScimConnection', { name: 'entra' }],
    ];
    for (const key of [h.adminKey, t.readKey]) {
      for (const [id, type, fields] of cases) {
        const d = await gqlOk(h, q, { id: id.toUpperCase() }, key);
        expect(d.node).toEqual({ __typename: type, id, ...fields });
      }
    }
  });

  it('answers null for unknown ids and for things that are not ids', async () => {
    for (const id of ['01900000-0000-7000-8000-00000000dead', 'not-an-id']) {
      expect((await gqlOk(h, 'query($id: ID!) { node(id: $id) { id } }', { id })).node).toBeNull();
    }
  });
});

describe('audit events and connections', () => {
  it('lists audit events newest first, filtered by resource, actor, action and time', async () => {
    const q = `query($f: AuditEventFilter, $first: Int, $after: String) { tenant { auditEvents(filter: $f, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { action resourceType resourceId actorType actorId changes requestId outcome occurredAt } } } } }`;
    const all = await gqlOk(h, q, { f: { resourceId: ids.ada } }, t.readKey);
    const actions = all.tenant.auditEvents.edges.map((e: Json) => e.node.action);
    expect(actions).toEqual(['user.update', 'user.create']);
    const update = all.tenant.auditEvents.edges[0].node;
    expect(update).toMatchObject({ resourceType: 'User', actorType: 'API_KEY', changes: ['enterprise.managerValue'], outcome: 'SUCCESS' });
    expect(update.requestId).toEqual(expect.any(String));

    const { viewer } = await gqlOk(h, '{ viewer { apiKey { id } } }');
    const q2 = q.replace('tenant {', 'tenant(id: $t) {').replace('$after: String)', '$after: String, $t: ID)');
    const byActor = await gqlOk(h, q2, { t: t.id, f: { actorId: viewer.apiKey.id, action: 'group.create' } });
    expect(byActor.tenant.auditEvents.edges).toHaveLength(3);
    const byOthers = await gqlOk(h, q2, { t: t.id, f: { actorType: 'CONNECTION' } });
    expect(byOthers.tenant.auditEvents.edges).toHaveLength(0);
    const future = await gqlOk(h, q, { f: { from: '2999-01-01T00:00:00Z' } }, t.readKey);
    expect(future.tenant.auditEvents.edges).toHaveLength(0);
    const past = await gqlOk(h, q, { f: { to: '2000-01-01T00:00:00Z' } }, t.readKey);
    expect(past.tenant.auditEvents.edges).toHaveLength(0);
    const window = await gqlOk(h, q, { f: { from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z', resourceType: 'Group' } }, t.readKey);
    expect(window.tenant.auditEvents.edges).toHaveLength(3);

    const page1 = await gqlOk(h, q, { first: 2 }, t.readKey);
    expect(page1.tenant.auditEvents.pageInfo.hasNextPage).toBe(true);
    const page2 = await gqlOk(h, q, { first: 2, after: page1.tenant.auditEvents.pageInfo.endCursor }, t.readKey);
    expect(page2.tenant.auditEvents.edges[0].node.occurredAt <= page1.tenant.auditEvents.edges[1].node.occurredAt).toBe(true);
  });

  it('lists SCIM connections with their times and policies, never a token', async () => {
    const d = await gqlOk(h, `{ tenant { scimConnections { id name createdAt rotatedAt lastUsedAt policies { loginName onLoginNameCollision matchBy onDelete } } } }`, {}, t.readKey);
    expect(d.tenant.scimConnections).toEqual([
      expect.objectContaining({ name: 'entra', rotatedAt: null, lastUsedAt: null, policies: { loginName: 'AS_SENT', onLoginNameCollision: 'SUFFIX', matchBy: [], onDelete: 'DELETE' } }),
    ]);
    const r = await gql(h, `{ tenant { scimConnections { token } } }`, {}, t.readKey);
    expect(r.status).toBe(400);
    expect(r.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
