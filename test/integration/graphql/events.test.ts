import { startHarness, type Harness } from '../../support/harness.js';
import { eventsOf } from '../../support/events.js';
import { gql, gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';

let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
const ids: Record<string, string> = {};
beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, `feed-${Date.now()}`);
  const mk = async (userName: string) => (await gqlOk(h, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { tenantId: t.id, userName } }, t.adminKey)).createUser.user.id as string;
  ids.ann = await mk('ann@example.com');
  ids.bob = await mk('bob@example.com');
  await gqlOk(h, 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }', { i: { id: ids.ann, title: 'Lead' } }, t.adminKey);
  ids.group = (await gqlOk(h, 'mutation($i: CreateGroupInput!) { createGroup(input: $i) { group { id } } }', { i: { tenantId: t.id, displayName: 'Feed', memberIds: [ids.ann, ids.bob] } }, t.adminKey)).createGroup.group.id;
  await gqlOk(h, 'mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { user { id } } }', { i: { id: ids.bob } }, t.adminKey);
  // Everything above is readable before the tests start.
  await eventsOf(h.services, { tenantId: t.id, actor: { type: 'system' }, requestId: null }, 6);
});
afterAll(async () => {
  await h.close();
});

const FEED = `query($t: ID, $first: Int, $after: String, $last: Int, $before: String, $f: ChangeEventFilter) {
  tenant(id: $t) { events(first: $first, after: $after, last: $last, before: $before, filter: $f) {
    edges { cursor node { id type position occurredAt resourceType resourceId actorType actorId requestId changedAttributes data } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
const feed = async (vars: Json, key = t.readKey) => (await gqlOk(h, FEED, { t: t.id, ...vars }, key)).tenant.events as Json;
const types = (c: Json) => (c.edges as Json[]).map((e) => e.node.type as string);

describe('tenant.events', () => {
  it('lists the tenant\'s change events oldest first, with every field', async () => {
    const c = await feed({});
    expect(types(c)).toEqual(['user.created', 'user.created', 'user.updated', 'group.created', 'group.members_added', 'user.deactivated']);
    const first = (c.edges as Json[])[0]!;
    expect(first.cursor).toBe(first.node.position);
    expect(first.node).toMatchObject({ resourceType: 'User', resourceId: ids.ann, actorType: 'API_KEY', data: { id: ids.ann, userName: 'ann@example.com', active: true } });
    expect(typeof first.node.requestId).toBe('string');
    expect((c.edges as Json[])[2]!.node.changedAttributes).toEqual(['title']);
    expect((c.edges as Json[])[4]!.node.data.members).toEqual(expect.arrayContaining([{ id: ids.ann, type: 'User' }, { id: ids.bob, type: 'User' }]));
    expect(c.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('pages forward and replays from any cursor', async () => {
    const all = (await feed({})).edges as Json[];
    const p1 = await feed({ first: 2 });
    expect(types(p1)).toEqual(['user.created', 'user.created']);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = await feed({ first: 3, after: p1.pageInfo.endCursor });
    expect(types(p2)).toEqual(['user.updated', 'group.created', 'group.members_added']);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    // Replaying from an older cursor gives the same events again.
    for (let i = 0; i < all.length; i++) {
      const rest = await feed({ after: all[i]!.cursor });
      expect((rest.edges as Json[]).map((e) => e.node.id)).toEqual(all.slice(i + 1).map((e) => e.node.id));
    }
  });

  it('pages backward with last and before', async () => {
    const latest = await feed({ last: 2 });
    expect(types(latest)).toEqual(['group.members_added', 'user.deactivated']);
    expect(latest.pageInfo.hasPreviousPage).toBe(true);
    const earlier = await feed({ last: 10, before: latest.pageInfo.startCursor });
    expect(types(earlier)).toEqual(['user.created', 'user.created', 'user.updated', 'group.created']);
    expect(earlier.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('filters by types, resource and time', async () => {
    expect(types(await feed({ f: { types: ['user.created', 'user.deactivated'] } }))).toEqual(['user.created', 'user.created', 'user.deactivated']);
    expect(types(await feed({ f: { resourceId: ids.bob } }))).toEqual(['user.created', 'user.deactivated']);
    expect(types(await feed({ f: { since: new Date(Date.now() + 60_000).toISOString() } }))).toEqual([]);
    expect(types(await feed({ f: { since: new Date(Date.now() - 600_000).toISOString(), types: ['group.members_added'] } }))).toEqual(['group.members_added']);
  });

  it('refuses a cursor it did not issue, an unknown type and bad paging with BAD_USER_INPUT', async () => {
    for (const vars of [{ after: 'not-a-cursor' }, { before: '1.2.3' }, { f: { types: ['user.exploded'] } }, { f: { resourceId: 'nope' } }, { first: 1, last: 1 }, { first: -1 }, { after: 'x', last: 2 }]) {
      const r = await gql(h, FEED, { t: t.id, ...vars }, t.readKey);
      expect(r.code).toBe('BAD_USER_INPUT');
      expect(r.status).toBe(200);
    }
  });

  it('is not readable with another tenant\'s key', async () => {
    const other = await tenantWithKeys(h, `feed-other-${Date.now()}`);
    const r = await gql(h, FEED, { t: t.id }, other.adminKey);
    expect(r.code).toBe('FORBIDDEN');
    expect(JSON.stringify(r.data ?? null)).not.toContain(ids.ann);
    // Its own feed holds none of this tenant's events.
    const own = (await gqlOk(h, FEED, { t: other.id }, other.readKey)).tenant.events as Json;
    expect(own.edges).toEqual([]);
  });
});
