import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, tenantWithKeys } from '../../support/graphql.js';
import { queuedDelivery } from '../../support/webhooks.js';

/** Webhook endpoints through the GraphQL API: registration, changes, secrets, refusals and the audit log. */
let h: Harness;
let t: { id: string; adminKey: string; readKey: string };

const CREATE = `mutation($t: ID!, $url: String!, $events: [String!]!, $d: String) {
  createWebhookEndpoint(input: { tenantId: $t, url: $url, events: $events, description: $d }) {
    endpoint { id tenantId url events description enabled disabledReason createdAt updatedAt secretRotatedAt } secret } }`;

beforeAll(async () => {
  h = await startHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  t = await tenantWithKeys(h, 'hooks');
});
afterAll(async () => h.close());

describe('webhook endpoints', () => {
  it('are created with a secret shown once, listed without it, changed, disabled, enabled, rotated and deleted, each audited', async () => {
    const c = (await gqlOk(h, CREATE, { t: t.id, url: 'http://127.0.0.1:8080/hooks', events: ['user.created', 'group.members_added', 'user.created'], d: 'Billing sync' })).createWebhookEndpoint;
    expect(c.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(c.endpoint).toMatchObject({ tenantId: t.id, url: 'http://127.0.0.1:8080/hooks', events: ['user.created', 'group.members_added'], description: 'Billing sync', enabled: true, disabledReason: null, secretRotatedAt: null });
    const id = c.endpoint.id as string;

    const listed = await gqlOk(h, `{ tenant { webhookEndpoints { id url events } } }`, {}, t.readKey);
    expect(listed.tenant.webhookEndpoints).toEqual([{ id, url: 'http://127.0.0.1:8080/hooks', events: ['user.created', 'group.members_added'] }]);
    expect(JSON.stringify(listed)).not.toContain(c.secret.slice(6, 20));

    const u = await gqlOk(h, `mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, events: ["user.deleted"], description: "" }) { endpoint { events description url } } }`, { id }, t.adminKey);
    expect(u.updateWebhookEndpoint.endpoint).toEqual({ events: ['user.deleted'], description: null, url: 'http://127.0.0.1:8080/hooks' });

    const off = await gqlOk(h, `mutation($id: ID!) { disableWebhookEndpoint(input: { id: $id }) { endpoint { enabled disabledReason } } }`, { id });
    expect(off.disableWebhookEndpoint.endpoint).toEqual({ enabled: false, disabledReason: 'MANUAL' });
    const on = await gqlOk(h, `mutation($id: ID!) { enableWebhookEndpoint(input: { id: $id }) { endpoint { enabled disabledReason } } }`, { id });
    expect(on.enableWebhookEndpoint.endpoint).toEqual({ enabled: true, disabledReason: null });

    const r = (await gqlOk(h, `mutation($id: ID!) { rotateWebhookSecret(input: { id: $id }) { secret endpoint { secretRotatedAt } } }`, { id })).rotateWebhookSecret;
    expect(r.secret).toMatch(/^whsec_/);
    expect(r.secret).not.toBe(c.secret);
    expect(r.endpoint.secretRotatedAt).not.toBeNull();

    const audit = await gqlOk(h, `query($id: ID!) { tenant { auditEvents(filter: { resourceId: $id }) { edges { node { action changes actorType } } } } }`, { id }, t.readKey);
    expect(audit.tenant.auditEvents.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual([
      'webhookEndpoint.rotate',
      'webhookEndpoint.enable',
      'webhookEndpoint.disable',
      'webhookEndpoint.update',
      'webhookEndpoint.create',
    ]);
    expect(JSON.stringify(audit)).not.toContain('127.0.0.1');

    expect((await gqlOk(h, `mutation($id: ID!) { deleteWebhookEndpoint(input: { id: $id }) { deletedId } }`, { id })).deleteWebhookEndpoint.deletedId).toBe(id);
    expect((await gqlOk(h, `query($id: ID!) { tenant { webhookEndpoint(id: $id) { id } } }`, { id }, t.readKey)).tenant.webhookEndpoint).toBeNull();
    expect((await gql(h, `mutation($id: ID!) { deleteWebhookEndpoint(input: { id: $id }) { deletedId } }`, { id })).code).toBe('NOT_FOUND');
  });

  it.each([
    ['no event types', { url: 'http://127.0.0.1/x', events: [] }, 'events'],
    ['an unknown event type', { url: 'http://127.0.0.1/x', events: ['user.exploded'] }, 'events'],
    ['a link-local address', { url: 'http://169.254.169.254/latest/meta-data', events: ['user.created'] }, 'url'],
    ['an IPv4-mapped loopback', { url: 'http://[::ffff:127.0.0.1]/x', events: ['user.created'] }, 'url'],
    ['plain http to a public address', { url: 'http://93.184.216.34/x', events: ['user.created'] }, 'url'],
    ['credentials in the URL', { url: 'https://u:p@127.0.0.1/x', events: ['user.created'] }, 'url'],
    ['not a URL', { url: 'hooks', events: ['user.created'] }, 'url'],
    ['a description that is too long', { url: 'http://127.0.0.1/x', events: ['user.created'], d: 'x'.repeat(1001) }, 'description'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_what, vars, field) => {
    const r = await gql(h, CREATE, { t: t.id, ...vars });
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.fields).toEqual([field]);
    expect((await gqlOk(h, `{ tenant { webhookEndpoints { id } } }`, {}, t.readKey)).tenant.webhookEndpoints).toEqual([]);
  });

  it('keeps the replaced secret signing for the overlap a rotation asks for, and refuses an overlap out of range', async () => {
    const id = (await gqlOk(h, CREATE, { t: t.id, url: 'http://127.0.0.1:9/rotated', events: ['user.created'] })).createWebhookEndpoint.endpoint.id as string;
    const ROTATE = `mutation($id: ID!, $o: Int) { rotateWebhookSecret(input: { id: $id, overlapSeconds: $o }) { secret endpoint { secretRotatedAt previousSecretExpiresAt } } }`;
    const before = Date.now();
    const r = (await gqlOk(h, ROTATE, { id, o: 1 })).rotateWebhookSecret.endpoint;
    const until = Date.parse(r.previousSecretExpiresAt);
    expect(until).toBeGreaterThanOrEqual(Date.parse(r.secretRotatedAt) + 1000);
    expect(until).toBeLessThan(before + 60_000);
    await new Promise((res) => setTimeout(res, Math.max(0, until - Date.now()) + 100));
    const Q = `query($id: ID!) { tenant { webhookEndpoint(id: $id) { previousSecretExpiresAt } } }`;
    expect((await gqlOk(h, Q, { id }, t.readKey)).tenant.webhookEndpoint.previousSecretExpiresAt).toBeNull();

    for (const o of [-1, 604_801]) {
      const refused = await gql(h, ROTATE, { id, o });
      expect(refused.code).toBe('BAD_USER_INPUT');
      expect(refused.errors![0]!.extensions!.fields).toEqual(['overlapSeconds']);
    }
    // A refused rotation changed nothing.
    const audit = await gqlOk(h, `query($id: ID!) { tenant { auditEvents(filter: { resourceId: $id, action: "webhookEndpoint.rotate" }) { edges { node { action } } } } }`, { id }, t.readKey);
    expect(audit.tenant.auditEvents.edges).toHaveLength(1);
  });

  it('answers FORBIDDEN to a read-only key for every change', async () => {
    expect((await gql(h, CREATE, { t: t.id, url: 'http://127.0.0.1/x', events: ['user.created'] }, t.readKey)).code).toBe('FORBIDDEN');
  });

  it('lists deliveries newest first, pages them, and queues a redelivery behind the others', async () => {
    const id = (await gqlOk(h, CREATE, { t: t.id, url: 'http://127.0.0.1:9/paged', events: ['user.created'] })).createWebhookEndpoint.endpoint.id as string;
    const first = await queuedDelivery(h, t.id, id);
    const second = await queuedDelivery(h, t.id, id);
    const Q = `query($id: ID!, $after: String) { tenant { webhookEndpoint(id: $id) { deliveries(first: 1, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { id eventId eventType status attempts lastStatusCode nextAttemptAt deliveredAt } } } } } }`;
    const p1 = (await gqlOk(h, Q, { id }, t.readKey)).tenant.webhookEndpoint.deliveries;
    expect(p1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([second]);
    expect(p1.edges[0].node).toMatchObject({ eventType: 'user.created', status: 'PENDING', attempts: 0, lastStatusCode: null, deliveredAt: null });
    const p2 = (await gqlOk(h, Q, { id, after: p1.pageInfo.endCursor }, t.readKey)).tenant.webhookEndpoint.deliveries;
    expect(p2.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([first]);
    expect(p2.pageInfo.hasNextPage).toBe(false);

    const again = (await gqlOk(h, `mutation($d: ID!) { redeliverWebhook(input: { deliveryId: $d }) { delivery { id eventId status attempts } } }`, { d: first })).redeliverWebhook.delivery;
    expect(again).toMatchObject({ eventId: p2.edges[0].node.eventId, status: 'PENDING', attempts: 0 });
    expect(again.id).not.toBe(first);
    expect((await gql(h, Q, { id, after: 'not-a-cursor' }, t.readKey)).code).toBe('BAD_USER_INPUT');
    // The empty string is no cursor either, not the first page again.
    expect((await gql(h, Q, { id, after: '' }, t.readKey)).code).toBe('BAD_USER_INPUT');
    expect((await gql(h, `mutation { redeliverWebhook(input: { deliveryId: "0190a5d0-0000-7000-8000-000000000000" }) { delivery { id } } }`)).code).toBe('NOT_FOUND');
  });
});

describe('without WEBHOOK_ALLOW_PRIVATE_NETWORKS', () => {
  let closed: Harness;
  beforeAll(async () => {
    closed = await startHarness();
  });
  afterAll(async () => closed.close());

  it.each(['http://127.0.0.1:8080/x', 'https://127.0.0.1/x', 'https://10.0.0.8/x', 'https://[::1]/x', 'https://localhost/x', 'https://[fd00::1]/x', 'https://100.64.1.1/x'])(
    'refuses %s after resolving it',
    async (url) => {
      const ctx = await closed.tenant();
      const r = await gql(closed, CREATE, { t: ctx.tenantId, url, events: ['user.created'] });
      expect(r.code).toBe('BAD_USER_INPUT');
      expect(r.errors![0]!.extensions!.fields).toEqual(['url']);
    },
  );
});
