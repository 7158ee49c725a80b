import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys, type GqlResponse } from '../../support/graphql.js';

/**
 * The validation at the domain's boundary reaches the GraphQL mutations too: the same refusals as
 * SCIM, as BAD_USER_INPUT naming the field (docs/architecture.md#robustness).
 */

let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
let userId = '';
let groupId = '';
beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, 'validation');
  userId = (await gqlOk(h, 'mutation($t: ID!) { createUser(input: { tenantId: $t, userName: "valid@example.com" }) { user { id } } }', { t: t.id })).createUser.user.id;
  groupId = (await gqlOk(h, 'mutation($t: ID!) { createGroup(input: { tenantId: $t, displayName: "Valid" }) { group { id } } }', { t: t.id })).createGroup.group.id;
});
afterAll(async () => h.close());

const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }';
const UPDATE_USER = 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id version } } }';

function expectBadInput(r: GqlResponse, field: string, message: RegExp): void {
  expect(r.errors).toHaveLength(1);
  expect(r.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fields: [field] } });
  expect(r.errors![0]!.message).toMatch(message);
}

const NUL = /U\+0000/;

describe('characters PostgreSQL cannot store', () => {
  it('a NUL in createUser is BAD_USER_INPUT naming the field', async () => {
    expectBadInput(await gql(h, CREATE_USER, { i: { tenantId: t.id, userName: 'nul\u0000x@example.com' } }), 'userName', NUL);
    expectBadInput(await gql(h, CREATE_USER, { i: { tenantId: t.id, userName: 'n2@example.com', emails: [{ value: 'a\u0000@example.com' }] } }), 'emails[0].value', NUL);
    expectBadInput(await gql(h, CREATE_USER, { i: { tenantId: t.id, userName: 'n3@example.com', name: { familyName: '\u0000' } } }), 'name.familyName', NUL);
    expectBadInput(await gql(h, CREATE_USER, { i: { tenantId: t.id, userName: 'n4@example.com', extensions: { 'urn:example:ext:1.0': { a: ['\u0000'] } } } }), 'extensions.urn:example:ext:1.0.a[0]', NUL);
  });

  it('an unpaired surrogate in updateUser is BAD_USER_INPUT naming the field', async () => {
    expectBadInput(await gql(h, UPDATE_USER, { i: { id: userId, title: 'x\ud800' } }), 'title', /surrogate/);
    expectBadInput(await gql(h, UPDATE_USER, { i: { id: userId, enterprise: { department: '\udfff' } } }), 'enterprise.department', /surrogate/);
  });

  it('group mutations and admin names refuse them too', async () => {
    expectBadInput(await gql(h, 'mutation($t: ID!) { createGroup(input: { tenantId: $t, displayName: "g\\u0000" }) { group { id } } }', { t: t.id }), 'displayName', NUL);
    expectBadInput(await gql(h, 'mutation($id: ID!) { renameGroup(input: { id: $id, displayName: "g\\u0000" }) { group { id } } }', { id: groupId }), 'displayName', NUL);
    expectBadInput(await gql(h, 'mutation { createTenant(input: { name: "t\\u0000" }) { tenant { id } } }'), 'name', NUL);
  });

  it('nothing was written', async () => {
    const { tenant } = await gqlOk(h, 'query($t: ID) { tenant(id: $t) { users { totalCount } user(id: "' + userId + '") { version } } }', { t: t.id });
    expect(tenant).toEqual({ users: { totalCount: 1 }, user: { version: 1 } });
  });
});

describe('types and sizes', () => {
  it('extension documents must be objects keyed by schema URN', async () => {
    expectBadInput(await gql(h, UPDATE_USER, { i: { id: userId, extensions: { plain: { a: 1 } } } }), 'extensions.plain', /is not a schema URN/);
    expectBadInput(await gql(h, UPDATE_USER, { i: { id: userId, extensions: { 'urn:example:ext:1.0': 'flat' } } }), 'extensions.urn:example:ext:1.0', /must be an object .* not a string/);
  });

  it('an extension nested past MAX_EXTENSION_DEPTH is BAD_USER_INPUT, sent as variables or inline', async () => {
    const deep = `${'['.repeat(3000)}1${']'.repeat(3000)}`;
    const body = `{"query":${JSON.stringify(UPDATE_USER)},"variables":{"i":{"id":"${userId}","extensions":{"urn:example:ext:1.0":{"a":${deep}}}}}}`;
    const res = await fetch(`${h.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminKey}` }, body });
    const r = (await res.json()) as { errors: GqlResponse['errors'] };
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['extensions'] });
  });

  it('more than MAX_VALUES_PER_ATTRIBUTE e-mails is BAD_USER_INPUT', async () => {
    const emails = Array.from({ length: 101 }, (_, i) => ({ value: `e${i}@example.com` }));
    expectBadInput(await gql(h, UPDATE_USER, { i: { id: userId, emails } }), 'emails', /has 101 values, more than 100/);
  });

  it('a string longer than MAX_STRING_LENGTH is BAD_USER_INPUT', async () => {
    expectBadInput(await gql(h, UPDATE_USER, { i: { id: userId, nickName: 'n'.repeat(16 * 1024 + 1) } }), 'nickName', /longer than 16384 bytes/);
  });
});

describe('filters have a budget', () => {
  const USERS = 'query($t: ID, $f: UserFilter) { tenant(id: $t) { users(filter: $f) { totalCount } } }';

  it('more than FILTER_MAX_TERMS terms is BAD_USER_INPUT "filter too complex"', async () => {
    const or = Array.from({ length: 101 }, (_, i) => ({ userName: { eq: `u${i}` } }));
    expectBadInput(await gql(h, USERS, { t: t.id, f: { or } }), 'filter', /^filter too complex: 101 terms, at most 100$/);
    const ok = await gql(h, USERS, { t: t.id, f: { or: or.slice(1) } });
    expect(ok.errors).toBeUndefined();
  });

  it('a filter nested thousands of levels deep is BAD_USER_INPUT, not a stack overflow', async () => {
    let deep: Record<string, unknown> = { userName: { eq: 'x' } };
    for (let i = 0; i < 2000; i++) deep = { not: deep };
    const r = await gql(h, USERS, { t: t.id, f: deep });
    expect(r.status).toBeLessThan(500);
    expect(r.errors![0]!.extensions!.code).toMatch(/BAD_USER_INPUT|BAD_REQUEST/);
  });

  it('a NUL in a filter value is BAD_USER_INPUT', async () => {
    expectBadInput(await gql(h, USERS, { t: t.id, f: { displayName: { sw: '\u0000' } } }), 'displayName', NUL);
  });
});

describe('cursors', () => {
  const cursor = (text: string) => Buffer.from(text).toString('base64url');
  const ID = '0190a0a0-0000-7000-8000-000000000000';
  const ALL = ['', ', orderBy: { field: CREATED_AT }', ', orderBy: { field: USER_NAME }'];
  it.each([
    ['an object and a word', cursor('[{"a":1},"x"]'), ALL],
    ['a NUL as the sort value', cursor(`["\\u0000","${ID}"]`), ALL],
    ['a list as the sort value', cursor(`[[1],"${ID}"]`), ALL],
    ['a word where an id or a date belongs', cursor(`["x","${ID}"]`), ALL.slice(0, 2)],
    ['arrays nested 3,000 deep', cursor(`[${'['.repeat(3000)}${']'.repeat(3000)},"${ID}"]`), ALL],
    ['not base64 JSON at all', '%%%', ALL],
  ])('%s is BAD_USER_INPUT naming the cursor', async (_label, after, orders) => {
    for (const order of orders) {
      const r = await gql(h, `query($t: ID, $c: String) { tenant(id: $t) { users(after: $c${order}) { totalCount } } }`, { t: t.id, c: after });
      expect({ order, error: r.errors?.[0]?.extensions }).toEqual({ order, error: { code: 'BAD_USER_INPUT', fields: ['cursor'] } });
    }
  });
});

describe('documents the parser could not descend', () => {
  it('a literal nested 3,000 deep is QUERY_TOO_DEEP before parsing, not a parser stack overflow', async () => {
    const r = await gql(h, `{ node(id: ${'['.repeat(3000)}1${']'.repeat(3000)}) { id } }`);
    expect(r.status).toBe(400);
    expect(r.code).toBe('QUERY_TOO_DEEP');
    expect(r.errors![0]!.message).toMatch(/more than 256 levels deep/);
  });

  it('brackets inside strings, block strings and comments do not count', async () => {
    const r = await gql(h, `# ${'['.repeat(400)}\n{ node(id: "${'{'.repeat(400)}") { id } } # """${'('.repeat(400)}`);
    expect(r.code).not.toBe('QUERY_TOO_DEEP');
    const b = await gql(h, `{ node(id: """${'['.repeat(400)} \\""" ${'['.repeat(400)}""") { id } }`);
    expect(b.code).not.toBe('QUERY_TOO_DEEP');
  });
});
