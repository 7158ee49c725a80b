import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStore } from '../../../src/db/store.js';
import { systemActor, type Ctx } from '../../../src/domain/context.js';
import type { ChangeEvent } from '../../../src/domain/event/event.js';
import { runCliIn } from '../../support/cli.js';
import { eventsOf, typesOf } from '../../support/events.js';
import { profile } from '../../support/fixtures.js';
import { gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';
import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { GROUP_SCHEMA, patchBody, USER_SCHEMA, type ScimClient } from '../../support/scim.js';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(path.join(tmpdir(), 'roster-events-'));
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const ctxOf = (tenantId: string): Ctx => ({ tenantId, actor: systemActor, requestId: null });

/** Events of the tenant after a marker write: any event a failed write had left would be readable by then. */
async function eventsAfterMarker(ctx: Ctx): Promise<ChangeEvent[]> {
  const { user } = await h.services.users.create(ctx, profile(`marker-${Date.now()}@example.com`));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const events = await eventsOf(h.services, ctx, 1);
    if (events.some((e) => e.resourceId === user.id) || Date.now() > deadline) return events.filter((e) => e.resourceId !== user.id);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const USER_FIELDS = 'id tenantId userName loginName externalId displayName title active version managedBy createdAt updatedAt extensions name { givenName familyName formatted middleName honorificPrefix honorificSuffix } emails { value type primary display } enterprise { department managerValue employeeNumber costCenter organization division }';

describe('change events through SCIM', () => {
  let c: ScimClient;
  beforeAll(async () => {
    c = await scimTenant(h);
  });

  it('writes one event per change, in order, with the resource as it is after the change', async () => {
    const u = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ev.scim@example.com', name: { givenName: 'Ev' }, active: true });
    expect(u.status).toBe(201);
    const id = u.body.id as string;
    expect((await c.patch(`/Users/${id}`, patchBody({ op: 'Replace', path: 'name.givenName', value: 'Eve' }, { op: 'Replace', path: 'title', value: 'Ops' }))).status).toBe(200);
    expect((await c.patch(`/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }))).status).toBe(200);
    expect((await c.patch(`/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'True' }))).status).toBe(200);
    const other = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ev.other@example.com' })).body.id as string;
    const g = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ev Group' });
    const gid = g.body.id as string;
    expect((await c.patch(`/Groups/${gid}`, patchBody({ op: 'Add', path: 'members', value: [{ value: id }, { value: other }] }))).status).toBe(204);
    expect((await c.patch(`/Groups/${gid}`, patchBody({ op: 'Remove', path: 'members', value: [{ value: other }] }))).status).toBe(204);
    expect((await c.patch(`/Groups/${gid}`, patchBody({ op: 'Replace', path: 'displayName', value: 'Ev Group 2' }))).status).toBe(204);
    expect((await c.del(`/Groups/${gid}`)).status).toBe(204);
    expect((await c.del(`/Users/${id}`)).status).toBe(204);

    const events = await eventsOf(h.services, c.ctx, 11);
    expect(typesOf(events)).toEqual([
      'user.created', 'user.updated', 'user.deactivated', 'user.reactivated', 'user.created',
      'group.created', 'group.members_added', 'group.members_removed', 'group.updated', 'group.deleted', 'user.deleted',
    ]);
    const [created, updated, deactivated, reactivated, , groupCreated, added, removed, renamed, groupDeleted, deleted] = events as [ChangeEvent, ...ChangeEvent[]];
    expect(created).toMatchObject({ resourceType: 'User', resourceId: id, actorType: 'connection', actorId: c.connection.id, tenantId: c.ctx.tenantId });
    expect(created.data).toMatchObject({ id, userName: 'ev.scim@example.com', active: true, version: 1, managedBy: c.connection.id, name: { givenName: 'Ev' } });
    expect(updated!.changedAttributes).toEqual(['name.givenName', 'title']);
    expect(updated!.data).toMatchObject({ version: 2, title: 'Ops', name: { givenName: 'Eve' } });
    expect(deactivated!).toMatchObject({ changedAttributes: ['active'], data: { active: false, version: 3 } });
    expect(reactivated!).toMatchObject({ changedAttributes: ['active'], data: { active: true, version: 4 } });
    expect(groupCreated!.data).toMatchObject({ id: gid, displayName: 'Ev Group', version: 1 });
    // One event per request, naming every member it changed.
    expect(added!.data).toMatchObject({ id: gid, members: expect.arrayContaining([{ id, type: 'User' }, { id: other, type: 'User' }]) });
    expect((added!.data.members as unknown[]).length).toBe(2);
    expect(removed!.data).toMatchObject({ members: [{ id: other, type: 'User' }] });
    expect(renamed!).toMatchObject({ changedAttributes: ['displayName'], data: { displayName: 'Ev Group 2' } });
    expect(groupDeleted!.data).toEqual({ id: gid, tenantId: c.ctx.tenantId, displayName: 'Ev Group 2', externalId: null });
    expect(deleted!.data).toEqual({ id, tenantId: c.ctx.tenantId, userName: 'ev.scim@example.com', loginName: 'ev.scim@example.com', displayName: null, externalId: null });
    // Positions strictly increase and ids are distinct.
    const positions = events.map((e) => e.position);
    expect([...positions].sort()).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('writes nothing for a write that changes nothing', async () => {
    const ctx = (await scimTenant(h)).ctx;
    const d = await scimTenant(h);
    const u = await d.post('/Users', { schemas: [USER_SCHEMA], userName: 'same@example.com', title: 'Same' });
    expect((await d.patch(`/Users/${u.body.id}`, patchBody({ op: 'Replace', path: 'title', value: 'Same' }))).status).toBe(200);
    const g = await d.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Same', members: [{ value: u.body.id }] });
    expect((await d.patch(`/Groups/${g.body.id}`, patchBody({ op: 'Add', path: 'members', value: [{ value: u.body.id }] }))).status).toBe(204);
    expect((await d.patch(`/Groups/${g.body.id}`, patchBody({ op: 'Replace', path: 'displayName', value: 'Same' }))).status).toBe(204);
    // Added and removed in one request: the membership is as it was.
    const v = await d.post('/Users', { schemas: [USER_SCHEMA], userName: 'transient@example.com' });
    expect((await d.patch(`/Groups/${g.body.id}`, patchBody({ op: 'Add', path: 'members', value: [{ value: v.body.id }] }, { op: 'Remove', path: 'members', value: [{ value: v.body.id }] }))).status).toBe(204);
    expect(typesOf(await eventsAfterMarker(d.ctx))).toEqual(['user.created', 'group.created', 'group.members_added', 'user.created']);
    expect(await eventsAfterMarker(ctx)).toEqual([]);
  });
});

describe('change events through GraphQL', () => {
  it('writes the same events, with data as the GraphQL API shows the resource', async () => {
    const t = await tenantWithKeys(h, `events-gql-${Date.now()}`);
    const ctx = ctxOf(t.id);
    const create = await gqlOk(h, `mutation($i: CreateUserInput!) { createUser(input: $i) { user { ${USER_FIELDS} } } }`, {
      i: { tenantId: t.id, userName: 'gq@example.com', displayName: 'G Q', name: { givenName: 'G' }, emails: [{ value: 'gq@example.com', primary: true }], enterprise: { department: 'R&D' } },
    }, t.adminKey);
    const user = create.createUser.user as Json;
    const upd = await gqlOk(h, `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { ${USER_FIELDS} } } }`, { i: { id: user.id, displayName: 'Gee Q' } }, t.adminKey);
    const deact = await gqlOk(h, `mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { user { ${USER_FIELDS} } } }`, { i: { id: user.id } }, t.adminKey);
    const react = await gqlOk(h, `mutation($i: ReactivateUserInput!) { reactivateUser(input: $i) { user { ${USER_FIELDS} } } }`, { i: { id: user.id } }, t.adminKey);
    const g = (await gqlOk(h, 'mutation($i: CreateGroupInput!) { createGroup(input: $i) { group { id displayName version } } }', { i: { tenantId: t.id, displayName: 'GQ', memberIds: [user.id] } }, t.adminKey)).createGroup.group as Json;
    await gqlOk(h, 'mutation($i: RemoveGroupMembersInput!) { removeGroupMembers(input: $i) { group { id } } }', { i: { groupId: g.id, memberIds: [user.id] } }, t.adminKey);
    await gqlOk(h, 'mutation($i: AddGroupMembersInput!) { addGroupMembers(input: $i) { group { id } } }', { i: { groupId: g.id, memberIds: [user.id] } }, t.adminKey);
    await gqlOk(h, 'mutation($i: RenameGroupInput!) { renameGroup(input: $i) { group { id } } }', { i: { id: g.id, displayName: 'GQ2' } }, t.adminKey);
    await gqlOk(h, 'mutation($i: DeleteGroupInput!) { deleteGroup(input: $i) { deletedId } }', { i: { id: g.id } }, t.adminKey);
    await gqlOk(h, 'mutation($i: DeleteUserInput!) { deleteUser(input: $i) { deletedId } }', { i: { id: user.id } }, t.adminKey);
    const conn = (await gqlOk(h, 'mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "idp" }) { connection { id } } }', { t: t.id }, t.adminKey)).createScimConnection.connection as Json;
    const rotated = (await gqlOk(h, 'mutation($i: RotateScimConnectionTokenInput!) { rotateScimConnectionToken(input: $i) { token connection { id name rotatedAt createdAt } } }', { i: { id: conn.id } }, t.adminKey))
      .rotateScimConnectionToken as Json;

    const events = await eventsOf(h.services, ctx, 12);
    expect(typesOf(events)).toEqual([
      'user.created', 'user.updated', 'user.deactivated', 'user.reactivated',
      'group.created', 'group.members_added', 'group.members_removed', 'group.members_added', 'group.updated', 'group.deleted', 'user.deleted',
      'connection.token_rotated',
    ]);
    // The data of a user event is what GraphQL answered for the same change.
    expect(events[0]!.data).toMatchObject(user);
    expect(events[1]!.data).toMatchObject(upd.updateUser.user as Json);
    expect(events[1]!.changedAttributes).toEqual(['displayName']);
    expect(events[2]!.data).toMatchObject(deact.deactivateUser.user as Json);
    expect(events[3]!.data).toMatchObject(react.reactivateUser.user as Json);
    expect(events[0]).toMatchObject({ actorType: 'apiKey' });
    expect(events[5]!.data).toMatchObject({ id: g.id, displayName: 'GQ', members: [{ id: user.id, type: 'User' }] });
    const rot = events[11]!;
    expect(rot).toMatchObject({ resourceType: 'ScimConnection', resourceId: conn.id, changedAttributes: ['token'] });
    expect(rot.data).toMatchObject(rotated.connection as Json);
    // The token itself is never part of an event.
    expect(JSON.stringify(events)).not.toContain(rotated.token as string);
  });
});

describe('change events through the import command', () => {
  it('writes user.created, group.created and group.members_added for imported lines', async () => {
    const a = await h.tenant();
    const { user: ann } = await h.services.users.create(a, profile('ann@example.com'));
    const { user: bob } = await h.services.users.create(a, profile('bob@example.com'));
    await h.services.groups.create(a, { displayName: 'Imported', externalId: null, extensions: {} }, [{ id: ann.id }, { id: bob.id }]);
    const b = await h.tenant();
    const cli = (...args: string[]) => runCliIn(h.db.url, args);
    expect((await cli('users', 'export', '--tenant', a.tenantId, '--out', path.join(dir, 'u.jsonl'))).code).toBe(0);
    expect((await cli('groups', 'export', '--tenant', a.tenantId, '--out', path.join(dir, 'g.jsonl'))).code).toBe(0);
    expect((await cli('users', 'import', '--tenant', b.tenantId, path.join(dir, 'u.jsonl'))).code).toBe(0);
    expect((await cli('groups', 'import', '--tenant', b.tenantId, path.join(dir, 'g.jsonl'))).code).toBe(0);
    const events = await eventsOf(h.services, b, 4);
    expect(typesOf(events)).toEqual(['user.created', 'user.created', 'group.created', 'group.members_added']);
    expect(events.map((e) => e.data.userName ?? e.data.displayName)).toEqual(['ann@example.com', 'bob@example.com', 'Imported', 'Imported']);
    expect((events[3]!.data.members as unknown[]).length).toBe(2);
    expect(events.every((e) => e.actorType === 'system')).toBe(true);
  });
});

describe('no event without its change', () => {
  it('writes no event for a write that fails after changing rows', async () => {
    const ctx = await h.tenant();
    const { user } = await h.services.users.create(ctx, profile('taken@example.com'));
    // The group row is inserted, then an unknown member fails the transaction.
    await expect(h.services.groups.create(ctx, { displayName: 'Half', externalId: null, extensions: {} }, [{ id: user.id }, { id: '0190d7a0-0000-7000-8000-000000000000' }])).rejects.toThrow(/no user or group/);
    // A uniqueness conflict at the database.
    await expect(h.services.users.create(ctx, profile('TAKEN@example.com'))).rejects.toThrow(/taken/);
    const other = await h.services.users.create(ctx, profile('other@example.com'));
    await expect(h.services.users.update(ctx, other.user.id, (u) => ({ ...u, userName: 'taken@example.com' }))).rejects.toThrow(/taken/);
    // An error thrown inside the transaction after the event was appended.
    const store = createStore(h.db.orm);
    await expect(store.write(async (r) => {
      await r.events.append({ id: '0190d7a0-0000-7000-8000-000000000001', tenantId: ctx.tenantId, occurredAt: new Date(), actorType: 'system', actorId: null, requestId: null, type: 'user.updated', resourceType: 'User', resourceId: user.id, changedAttributes: [], data: {} });
      throw new Error('fails after the event');
    })).rejects.toThrow('fails after the event');
    const events = await eventsAfterMarker(ctx);
    expect(typesOf(events)).toEqual(['user.created', 'user.created']);
    expect(events.map((e) => e.data.userName)).toEqual(['taken@example.com', 'other@example.com']);
    expect((await h.services.groups.list(ctx, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: true })).total).toBe(0);
  });
});

describe('isolation', () => {
  it('a tenant reads only its own events', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    await h.services.users.create(a, profile('a@example.com'));
    await h.services.users.create(b, profile('b@example.com'));
    expect((await eventsOf(h.services, a, 1)).map((e) => e.data.userName)).toEqual(['a@example.com']);
    const keyOfB = { tenantId: a.tenantId, actor: { type: 'apiKey' as const, id: '0190d7a0-0000-7000-8000-000000000002', tenantId: b.tenantId, role: 'admin' as const }, requestId: null };
    await expect(h.services.events.list(keyOfB, {}, { direction: 'forward', after: null, before: null, limit: 10 })).rejects.toThrow(/cannot access/);
    await expect(h.services.events.listAfter(keyOfB.actor, null, 10)).rejects.toThrow(/platform/);
  });

  it('refuses an unknown event type in a filter as bad input', async () => {
    await expect(h.services.events.list(await h.tenant(), { types: ['user.exploded' as never] }, { direction: 'forward', after: null, before: null, limit: 10 })).rejects.toThrow(/not an event type/);
  });
});
