import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';
import { queuedDelivery } from '../../support/webhooks.js';

/**
 * Every query and mutation, tried with tenant A's admin key against tenant B's resources: each
 * answers nothing of B and changes nothing in B.
 */
let h: Harness;
let a: { id: string; adminKey: string; readKey: string };
let b: { id: string; adminKey: string; readKey: string };
const B: Record<string, string> = {};
let aGroup: string;

beforeAll(async () => {
  // Endpoints on loopback: nothing is delivered here (this harness runs no dispatcher).
  h = await startHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  a = await tenantWithKeys(h, 'tenant-a');
  b = await tenantWithKeys(h, 'tenant-b');
  B.user = (await gqlOk(h, `mutation($t: ID!) { createUser(input: { tenantId: $t, userName: "secret-user@b.example" }) { user { id } } }`, { t: b.id })).createUser.user.id;
  B.group = (await gqlOk(h, `mutation($t: ID!, $m: [ID!]) { createGroup(input: { tenantId: $t, displayName: "B secret group", memberIds: $m }) { group { id } } }`, { t: b.id, m: [B.user] })).createGroup.group.id;
  const c = await gqlOk(h, `mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "b-conn" }) { connection { id } token } }`, { t: b.id });
  B.connection = c.createScimConnection.connection.id;
  B.token = c.createScimConnection.token;
  B.apiKey = (await gqlOk(h, `{ viewer { apiKey { id } } }`, {}, b.readKey)).viewer.apiKey.id;
  B.endpoint = (await gqlOk(h, `mutation($t: ID!) { createWebhookEndpoint(input: { tenantId: $t, url: "http://127.0.0.1:9/b-secret-hook", events: ["user.created"] }) { endpoint { id } } }`, { t: b.id })).createWebhookEndpoint.endpoint.id;
  B.delivery = await queuedDelivery(h, b.id, B.endpoint);
  aGroup = (await gqlOk(h, `mutation($t: ID!) { createGroup(input: { tenantId: $t, displayName: "A group" }) { group { id } } }`, { t: a.id })).createGroup.group.id;
});
afterAll(async () => {
  await h.close();
});

type Case = [field: string, query: string, vars: () => Json];
const CASES: Case[] = [
  ['viewer', '{ viewer { tenant { id name } } }', () => ({})],
  ['tenants', '{ tenants { id name } }', () => ({})],
  ['tenant', 'query($id: ID) { tenant(id: $id) { id name users { totalCount edges { node { id } } } } }', () => ({ id: b.id })],
  ['node', 'query($id: ID!) { node(id: $id) { id } }', () => ({ id: B.user })],
  ['createTenant', 'mutation { createTenant(input: { name: "from-a" }) { tenant { id } } }', () => ({})],
  ['renameTenant', 'mutation($id: ID!) { renameTenant(input: { id: $id, name: "hijacked" }) { tenant { id } } }', () => ({ id: b.id })],
  ['deleteTenant', 'mutation($id: ID!) { deleteTenant(input: { id: $id }) { deletedId } }', () => ({ id: b.id })],
  ['createUser', 'mutation($t: ID!) { createUser(input: { tenantId: $t, userName: "intruder" }) { user { id } } }', () => ({ t: b.id })],
  ['updateUser', 'mutation($id: ID!) { updateUser(input: { id: $id, title: "pwned" }) { user { id } } }', () => ({ id: B.user })],
  ['deactivateUser', 'mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { id } } }', () => ({ id: B.user })],
  ['reactivateUser', 'mutation($id: ID!) { reactivateUser(input: { id: $id }) { user { id } } }', () => ({ id: B.user })],
  ['deleteUser', 'mutation($id: ID!) { deleteUser(input: { id: $id }) { deletedId } }', () => ({ id: B.user })],
  ['releaseFromScim', 'mutation($id: ID!) { releaseFromScim(input: { id: $id }) { node { id } } }', () => ({ id: B.group })],
  ['createGroup', 'mutation($t: ID!) { createGroup(input: { tenantId: $t, displayName: "intruders" }) { group { id } } }', () => ({ t: b.id })],
  ['renameGroup', 'mutation($id: ID!) { renameGroup(input: { id: $id, displayName: "pwned" }) { group { id } } }', () => ({ id: B.group })],
  ['deleteGroup', 'mutation($id: ID!) { deleteGroup(input: { id: $id }) { deletedId } }', () => ({ id: B.group })],
  ['addGroupMembers', 'mutation($g: ID!, $m: [ID!]!) { addGroupMembers(input: { groupId: $g, memberIds: $m }) { group { id } } }', () => ({ g: B.group, m: [B.user] })],
  ['removeGroupMembers', 'mutation($g: ID!, $m: [ID!]!) { removeGroupMembers(input: { groupId: $g, memberIds: $m }) { group { id } } }', () => ({ g: B.group, m: [B.user] })],
  ['createScimConnection', 'mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "evil" }) { token } }', () => ({ t: b.id })],
  ['rotateScimConnectionToken', 'mutation($id: ID!) { rotateScimConnectionToken(input: { id: $id }) { token } }', () => ({ id: B.connection })],
  ['updateScimConnection', 'mutation($id: ID!) { updateScimConnection(input: { id: $id, name: "evil" }) { connection { id } } }', () => ({ id: B.connection })],
  // Resume first: had pause worked across tenants, the token check at the end would find B's connection paused.
  ['resumeScimConnection', 'mutation($id: ID!) { resumeScimConnection(input: { id: $id }) { connection { id pausedAt } } }', () => ({ id: B.connection })],
  ['pauseScimConnection', 'mutation($id: ID!) { pauseScimConnection(input: { id: $id }) { connection { id pausedAt } } }', () => ({ id: B.connection })],
  ['deleteScimConnection', 'mutation($id: ID!) { deleteScimConnection(input: { id: $id }) { deletedId } }', () => ({ id: B.connection })],
  ['createApiKey', 'mutation($t: ID) { createApiKey(input: { tenantId: $t, name: "evil", role: ADMIN }) { secret } }', () => ({ t: b.id })],
  ['createWebhookEndpoint', 'mutation($t: ID!) { createWebhookEndpoint(input: { tenantId: $t, url: "http://127.0.0.1:9/evil", events: ["user.created"] }) { secret } }', () => ({ t: b.id })],
  ['updateWebhookEndpoint', 'mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, url: "http://127.0.0.1:9/evil" }) { endpoint { id } } }', () => ({ id: B.endpoint })],
  ['disableWebhookEndpoint', 'mutation($id: ID!) { disableWebhookEndpoint(input: { id: $id }) { endpoint { id } } }', () => ({ id: B.endpoint })],
  ['enableWebhookEndpoint', 'mutation($id: ID!) { enableWebhookEndpoint(input: { id: $id }) { endpoint { id } } }', () => ({ id: B.endpoint })],
  ['deleteWebhookEndpoint', 'mutation($id: ID!) { deleteWebhookEndpoint(input: { id: $id }) { deletedId } }', () => ({ id: B.endpoint })],
  ['rotateWebhookSecret', 'mutation($id: ID!) { rotateWebhookSecret(input: { id: $id }) { secret } }', () => ({ id: B.endpoint })],
  ['redeliverWebhook', 'mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) { delivery { id } } }', () => ({ id: B.delivery })],
  ['revokeApiKey', 'mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }', () => ({ id: B.apiKey })],
];

/** Reads of B reachable other than by the top-level field: node() on every B id, and members added across tenants. */
const EXTRA: Case[] = [
  ['node', 'query($id: ID!) { node(id: $id) { id } }', () => ({ id: B.group })],
  ['node', 'query($id: ID!) { node(id: $id) { id } }', () => ({ id: B.connection })],
  ['node', 'query($id: ID!) { node(id: $id) { id } }', () => ({ id: b.id })],
  ['addGroupMembers', 'mutation($g: ID!, $m: [ID!]!) { addGroupMembers(input: { groupId: $g, memberIds: $m }) { group { id } } }', () => ({ g: aGroup, m: [B.user] })],
  ['tenant', 'query($id: ID!) { tenant { user(id: $id) { id } group: group(id: $id) { id } } }', () => ({ id: B.user })],
  ['tenant', 'query($id: ID) { tenant(id: $id) { webhookEndpoints { id url deliveries { edges { node { id } } } } } }', () => ({ id: b.id })],
  ['tenant', 'query($id: ID!) { tenant { webhookEndpoint(id: $id) { id url } } }', () => ({ id: B.endpoint })],
  ['tenant', 'query($id: ID) { tenant(id: $id) { events { edges { cursor node { id resourceId data } } } } }', () => ({ id: b.id })],
  ['tenant', 'query($r: ID) { tenant { events(filter: { resourceId: $r }) { edges { node { id resourceId data } } } } }', () => ({ r: B.user })],
];

describe("another tenant's key", () => {
  it('has a case below for every query and mutation in the schema', async () => {
    const d = await gqlOk(h, '{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } }');
    const all = [...d.q.fields, ...d.m.fields].map((f: Json) => f.name).sort();
    expect([...new Set(CASES.map((c) => c[0]))].sort()).toEqual(all);
  });

  it.each([...CASES, ...EXTRA])('%s: answers nothing of tenant B', async (_field, query, vars) => {
    const r = await gql(h, query, vars(), a.adminKey);
    const data = JSON.stringify(r.data ?? null);
    const errors = JSON.stringify(r.errors ?? []);
    for (const secret of [b.id, B.user, B.group, B.connection, B.apiKey, B.endpoint, B.delivery, 'b-secret-hook', 'secret-user', 'B secret group', 'tenant-b']) {
      expect(data).not.toContain(secret);
      // An error message may echo an id the caller sent; nothing else of B may appear in it.
      if (!JSON.stringify(vars()).includes(secret)) expect(errors).not.toContain(secret);
    }
    if (r.errors) expect(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT']).toContain(r.code);
  });

  it('changed nothing in tenant B', async () => {
    const d = await gqlOk(h, `query($t: ID!, $u: ID!, $g: ID!) { tenant(id: $t) { name users { totalCount } user(id: $u) { title active }
      group(id: $g) { displayName memberCount } scimConnections { id name } } }`, { t: b.id, u: B.user, g: B.group }, b.readKey);
    expect(d.tenant).toEqual({ name: 'tenant-b', users: { totalCount: 1 }, user: { title: null, active: true }, group: { displayName: 'B secret group', memberCount: 1 }, scimConnections: [{ id: B.connection, name: 'b-conn' }] });
    await expect(h.services.connections.authenticate(B.token)).resolves.toBeDefined();
    expect((await gql(h, '{ viewer { platform } }', {}, b.readKey)).status).toBe(200);
    const aGroupMembers = await gqlOk(h, `query($g: ID!) { tenant { group(id: $g) { memberCount } } }`, { g: aGroup }, a.readKey);
    expect(aGroupMembers.tenant.group.memberCount).toBe(0);
    const hooks = await gqlOk(h, `{ tenant { webhookEndpoints { id url enabled secretRotatedAt deliveries { edges { node { id } } } } } }`, {}, b.readKey);
    expect(hooks.tenant.webhookEndpoints).toEqual([{ id: B.endpoint, url: 'http://127.0.0.1:9/b-secret-hook', enabled: true, secretRotatedAt: null, deliveries: { edges: [{ node: { id: B.delivery } }] } }]);
  });
});
