import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';

/**
 * A cursor is a position in the order it came from (README "GraphQL API"): handed back in that
 * order it pages on, in another it is refused, never read as a position it is not.
 */

let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
const pad = (n: number) => String(n).padStart(2, '0');

beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, 'cursors');
  // userName, displayName and title each order the users differently; titles tie and some are missing.
  for (let i = 0; i < 20; i++) {
    await gqlOk(h, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', {
      i: { tenantId: t.id, userName: `user${pad(i)}@example.com`, displayName: `Name ${pad((i * 7) % 20)}`, title: i % 3 === 0 ? null : `Title ${(i * 3) % 5}`, active: i % 2 === 0 },
    });
  }
  for (let i = 0; i < 8; i++) {
    await gqlOk(h, 'mutation($t: ID!, $n: String!, $e: String) { createGroup(input: { tenantId: $t, displayName: $n, externalId: $e }) { group { id } } }', {
      t: t.id, n: `Group ${pad((i * 5) % 8)}`, e: `ext-${pad(7 - i)}`,
    });
  }
});
afterAll(async () => {
  await h.close();
});

const PAGE = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`;
const USERS = `query($t: ID, $filter: UserFilter, $orderBy: UserOrder, $first: Int, $after: String, $last: Int, $before: String) {
  tenant(id: $t) { users(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) { totalCount ${PAGE} } } }`;
const GROUPS = `query($t: ID, $orderBy: GroupOrder, $first: Int, $after: String, $last: Int, $before: String) {
  tenant(id: $t) { groups(orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) { totalCount ${PAGE} } } }`;

type Lists = 'users' | 'groups';
const QUERY: Record<Lists, string> = { users: USERS, groups: GROUPS };
const page = async (list: Lists, vars: Json): Promise<Json> => (await gqlOk(h, QUERY[list], { t: t.id, ...vars }, t.readKey)).tenant[list];
const ids = (p: Json): string[] => p.edges.map((e: Json) => e.node.id);

/** Every id of the list in `orderBy`, walked a page of 3 at a time with `after: endCursor`. */
async function walk(list: Lists, orderBy: Json | undefined, filter?: Json): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (;;) {
    const p: Json = await page(list, { orderBy, filter, first: 3, after });
    out.push(...ids(p));
    if (!p.pageInfo.hasNextPage) return out;
    after = p.pageInfo.endCursor;
  }
}

const OTHER_ORDER = /cursor belongs to another order/;

describe.each<[Lists, string[], number]>([
  ['users', ['USER_NAME', 'DISPLAY_NAME', 'TITLE', 'CREATED_AT', 'EXTERNAL_ID'], 20],
  ['groups', ['DISPLAY_NAME', 'EXTERNAL_ID', 'CREATED_AT'], 8],
])('%s', (list, fields, total) => {
  it('walks every order a page at a time, each item once', async () => {
    const all = await walk(list, undefined);
    expect(all).toHaveLength(total);
    for (const field of fields) {
      for (const direction of ['ASC', 'DESC']) {
        const walked = await walk(list, { field, direction });
        expect({ field, direction, sorted: [...walked].sort() }).toEqual({ field, direction, sorted: [...all].sort() });
      }
    }
  });

  it('refuses a cursor of the default order in another order with BAD_USER_INPUT, whichever way it pages', async () => {
    const first = await page(list, { first: 3 });
    for (const field of fields) {
      for (const direction of ['ASC', 'DESC']) {
        for (const args of [{ first: 3, after: first.pageInfo.endCursor }, { last: 3, before: first.pageInfo.startCursor }]) {
          const r = await gql(h, QUERY[list], { t: t.id, orderBy: { field, direction }, ...args }, t.readKey);
          expect({ field, direction, args, code: r.code, fields: r.errors?.[0]?.extensions?.fields }).toEqual({ field, direction, args, code: 'BAD_USER_INPUT', fields: ['cursor'] });
          expect(r.errors![0]!.message).toMatch(OTHER_ORDER);
          expect(r.errors![0]!.message).toMatch(/page again from the start/);
        }
      }
    }
  });

  it('refuses a cursor of one sort field with another, and in the default order', async () => {
    const [a, b] = fields as [string, string];
    const p = await page(list, { orderBy: { field: a }, first: 3 });
    for (const orderBy of [{ field: b }, { field: 'ID' }, undefined]) {
      const r = await gql(h, QUERY[list], { t: t.id, orderBy, first: 3, after: p.pageInfo.endCursor }, t.readKey);
      expect({ orderBy, code: r.code }).toEqual({ orderBy, code: 'BAD_USER_INPUT' });
      expect(r.errors![0]!.message).toMatch(OTHER_ORDER);
    }
  });

  it('takes a cursor of the default order with orderBy ID, and the other way round', async () => {
    const all = await walk(list, undefined);
    const byDefault = await page(list, { first: 3 });
    expect(ids(await page(list, { orderBy: { field: 'ID' }, first: 3, after: byDefault.pageInfo.endCursor }))).toEqual(all.slice(3, 6));
    const byId = await page(list, { orderBy: { field: 'ID' }, first: 3 });
    expect(ids(await page(list, { first: 3, after: byId.pageInfo.endCursor }))).toEqual(all.slice(3, 6));
  });

  it('reads on from the same position in the other direction: after it in DESC is before it in ASC, nearest first', async () => {
    for (const field of fields) {
      const asc = await walk(list, { field, direction: 'ASC' });
      const p = await page(list, { orderBy: { field, direction: 'ASC' }, first: 5 });
      const at = p.pageInfo.endCursor;
      const reversed = await page(list, { orderBy: { field, direction: 'DESC' }, first: 3, after: at });
      expect({ field, ids: ids(reversed) }).toEqual({ field, ids: asc.slice(1, 4).reverse() });
      expect(reversed.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
      const backward = await page(list, { orderBy: { field, direction: 'ASC' }, last: 3, before: at });
      expect(ids(backward)).toEqual([...ids(reversed)].reverse());
    }
  });
});

describe('users, filtered', () => {
  it('a cursor reads on from its position under another filter', async () => {
    const orderBy = { field: 'DISPLAY_NAME' };
    const all = await walk('users', orderBy);
    const active = await walk('users', orderBy, { active: { eq: true } });
    // A cursor from the unfiltered walk, then the active users after it.
    const p = await page('users', { orderBy, first: 7 });
    const after = await page('users', { orderBy, filter: { active: { eq: true } }, first: 20, after: p.pageInfo.endCursor });
    const rest = new Set(all.slice(7));
    expect(ids(after)).toEqual(active.filter((id) => rest.has(id)));
    expect(after.totalCount).toBe(10);
  });
});

describe('cursors issued before they named their order', () => {
  const legacy = (position: unknown[]) => Buffer.from(JSON.stringify(position)).toString('base64url');

  it('are taken in the order by id, where the sort value is the id', async () => {
    const all = await walk('users', undefined);
    const at = legacy([all[4], all[4]]);
    expect(ids(await page('users', { first: 3, after: at }))).toEqual(all.slice(5, 8));
    expect(ids(await page('users', { orderBy: { field: 'ID', direction: 'DESC' }, first: 2, after: at }))).toEqual([all[3], all[2]]);
    expect(ids(await page('users', { last: 2, before: at }))).toEqual(all.slice(2, 4));
  });

  it('are refused in any other order, saying to page again from the start', async () => {
    const all = await walk('users', { field: 'USER_NAME' });
    // user04's id: a real position in the order by userName, in the form cursors had.
    const id = all[4]!;
    for (const [orderBy, position] of [
      [{ field: 'USER_NAME' }, ['user04@example.com', id]],
      [{ field: 'CREATED_AT' }, [new Date().toISOString(), id]],
      [undefined, ['user04@example.com', id]],
    ] as const) {
      const r = await gql(h, USERS, { t: t.id, orderBy, first: 3, after: legacy([...position]) }, t.readKey);
      expect({ orderBy, code: r.code, fields: r.errors?.[0]?.extensions?.fields }).toEqual({ orderBy, code: 'BAD_USER_INPUT', fields: ['cursor'] });
      expect(r.errors![0]!.message).toMatch(/page again from the start/);
    }
  });
});

describe('an empty cursor', () => {
  // No cursor is the empty string: `after: ""` is refused like any string the API did not return,
  // rather than read as no cursor on a page that says items precede it.
  const groupId = async () => (await gqlOk(h, 'query($t: ID) { tenant(id: $t) { groups(first: 1) { nodes { id } } } }', { t: t.id }, t.readKey)).tenant.groups.nodes[0].id as string;
  const connections: [string, string, (id: string) => Json][] = [
    ['users', `query($t: ID, $after: String, $before: String) { tenant(id: $t) { users(after: $after, before: $before) { ${PAGE} } } }`, () => ({})],
    ['users by userName', `query($t: ID, $after: String, $before: String) { tenant(id: $t) { users(orderBy: { field: USER_NAME }, after: $after, before: $before) { ${PAGE} } } }`, () => ({})],
    ['groups', `query($t: ID, $after: String, $before: String) { tenant(id: $t) { groups(after: $after, before: $before) { ${PAGE} } } }`, () => ({})],
    ['audit events', `query($t: ID, $after: String, $before: String) { tenant(id: $t) { auditEvents(after: $after, before: $before) { ${PAGE} } } }`, () => ({})],
    ['change events', `query($t: ID, $after: String, $before: String) { tenant(id: $t) { events(after: $after, before: $before) { ${PAGE} } } }`, () => ({})],
    ['group members', `query($g: ID!, $after: String, $before: String) { tenant { group(id: $g) { members(after: $after, before: $before) { pageInfo { hasPreviousPage } } } } }`, (g) => ({ g })],
  ];

  it.each(connections)('is BAD_USER_INPUT as `after` and as `before` in %s', async (_name, query, extra) => {
    const vars = { t: t.id, ...extra(await groupId()) };
    for (const arg of ['after', 'before']) {
      const r = await gql(h, query, { ...vars, [arg]: '' }, t.readKey);
      expect({ arg, code: r.code, message: r.errors?.[0]?.message }).toEqual({ arg, code: 'BAD_USER_INPUT', message: expect.stringMatching(/not one this API returned/) });
    }
  });

  it('leaves an absent cursor as it was: the first page, with nothing before it', async () => {
    const p = await page('users', { first: 3, after: null });
    expect(p.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(p.totalCount).toBe(20);
  });
});
