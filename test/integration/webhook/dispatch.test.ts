import { Webhook } from 'standardwebhooks';
import { createWebhookDispatcher } from '../../../src/composition/webhooks.js';
import type { Config } from '../../../src/config/config.js';
import type { Ctx } from '../../../src/domain/context.js';
import { emptyProfile } from '../../../src/domain/user/user.js';
import type { Dispatcher } from '../../../src/domain/webhook/webhook.dispatcher.js';
import { gqlOk } from '../../support/graphql.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { startReceiver, type Received, type Receiver } from '../../support/webhooks.js';

/**
 * The dispatcher against a real PostgreSQL and receivers on loopback: signatures checked by the
 * standardwebhooks verifier, order per endpoint, retries with the same webhook-id, a dead endpoint
 * beside a live one, and an endpoint given up after its retry period.
 */
let h: Harness;
const dispatchers: Dispatcher[] = [];
const receivers: Receiver[] = [];
const quiet = { warn: () => undefined, info: () => undefined };

function dispatcher(settings: Partial<Config['webhooks']> = {}): Dispatcher {
  const d = createWebhookDispatcher(h.db.orm, {
    settings: { ...h.config.webhooks, pollIntervalMs: 50, timeoutMs: 1000, retryBaseMs: 100, retryMaxDelayMs: 300, retryForMs: 60_000, ...settings },
    log: quiet,
  });
  dispatchers.push(d);
  d.start();
  return d;
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

/** An endpoint for the receiver, registered through the API; the receiver verifies with its secret. */
async function endpoint(ctx: Ctx, r: Receiver, events = ['user.created', 'user.updated']): Promise<string> {
  const c = (await gqlOk(h, `mutation($t: ID!, $u: String!, $e: [String!]!) { createWebhookEndpoint(input: { tenantId: $t, url: $u, events: $e }) { endpoint { id } secret } }`, { t: ctx.tenantId, u: r.url, e: events })).createWebhookEndpoint;
  r.secret = c.secret;
  return c.endpoint.id as string;
}

/** The endpoint's deliveries, oldest first. */
const deliveriesOf = async (ctx: Ctx, id: string) => (await h.services.webhooks.deliveries(ctx, id, { cursor: null, limit: 100 })).items.map((i) => i.node).reverse();
const user = (ctx: Ctx, userName: string) => h.services.users.create(ctx, emptyProfile(userName)).then((r) => r.user);

beforeAll(async () => {
  h = await startHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
});
afterEach(async () => {
  // Receivers first: an attempt a receiver leaves hanging ends when its connection goes.
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
});

/** Waits until `check` holds of the endpoint's deliveries (they are recorded just after the receiver answers). */
async function settled(ctx: Ctx, id: string, check: (ds: Awaited<ReturnType<typeof deliveriesOf>>) => boolean) {
  const deadline = Date.now() + 20_000;
  let ds = await deliveriesOf(ctx, id);
  while (!check(ds) && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 50));
    ds = await deliveriesOf(ctx, id);
  }
  return ds;
}
afterAll(async () => h.close());

describe('webhook delivery', () => {
  it('POSTs every matching event once, signed, in feed order, with the event id as webhook-id', async () => {
    const ctx = await h.tenant();
    const r = await receiver();
    await endpoint(ctx, r, ['user.created']);
    dispatcher();
    const users = [];
    for (let i = 0; i < 25; i++) users.push(await user(ctx, `ordered-${i}@example.com`));
    await h.services.users.update(ctx, users[0]!.id, (u) => ({ ...u, title: 'not subscribed' }));
    const got = await r.waitFor(25);
    await new Promise((res) => setTimeout(res, 300));
    expect(got).toHaveLength(25);
    for (const g of got) {
      expect(g.verified).not.toBeNull();
      expect(g.headers['content-type']).toBe('application/json');
      expect(Number(g.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
    }
    expect(got.map((g) => g.verified!.data.userName)).toEqual(users.map((u) => u.userName));
    expect(got.map((g) => g.verified!.type)).toEqual(Array(25).fill('user.created'));
    const events = (await h.services.events.list(ctx, { types: ['user.created'] }, { direction: 'forward', after: null, before: null, limit: 100 })).items.map((i) => i.node.id);
    expect(got.map((g) => g.headers['webhook-id'])).toEqual(events);
  });

  it('retries a refused delivery with the same webhook-id, and holds the endpoint\'s next event until then', async () => {
    const ctx = await h.tenant();
    const r = await receiver();
    let refusals = 2;
    r.answer = () => (refusals-- > 0 ? 500 : 200);
    const id = await endpoint(ctx, r);
    dispatcher();
    const first = await user(ctx, 'retried@example.com');
    await h.services.users.update(ctx, first.id, (u) => ({ ...u, title: 'Second event' }));
    const got = await r.waitFor(4);
    expect(got.map((g) => g.verified?.type)).toEqual(['user.created', 'user.created', 'user.created', 'user.updated']);
    expect(new Set(got.slice(0, 3).map((g) => g.headers['webhook-id'])).size).toBe(1);
    expect(got.every((g) => g.verified !== null)).toBe(true);
    const ds = await settled(ctx, id, (x) => x.every((d) => d.status === 'delivered'));
    expect(ds.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode])).toEqual([
      ['user.created', 'delivered', 3, 200],
      ['user.updated', 'delivered', 1, 200],
    ]);
  });

  it('lets a dead endpoint hold one slot only: another tenant\'s endpoint gets all its events meanwhile', async () => {
    const deadTenant = await h.tenant();
    const liveTenant = await h.tenant();
    const dead = await receiver();
    dead.answer = () => 'hang';
    const live = await receiver();
    await endpoint(deadTenant, dead);
    await endpoint(liveTenant, live);
    dispatcher({ timeoutMs: 20_000 });
    await user(deadTenant, 'stuck@example.com');
    await dead.waitFor(1);
    for (let i = 0; i < 10; i++) await user(liveTenant, `live-${i}@example.com`);
    const got = await live.waitFor(10);
    expect(got.map((g) => g.verified?.data.userName)).toEqual(Array.from({ length: 10 }, (_, i) => `live-${i}@example.com`));
    // The dead endpoint is still on its first attempt, unanswered.
    expect(dead.received).toHaveLength(1);
  });

  it('gives up after the retry period, disables the endpoint and says so in the audit log', async () => {
    const ctx = await h.tenant();
    const r = await receiver();
    r.answer = () => 503;
    const id = await endpoint(ctx, r);
    dispatcher({ retryForMs: 800 });
    await user(ctx, 'never@example.com');
    await user(ctx, 'behind@example.com');
    const deadline = Date.now() + 20_000;
    let e;
    do {
      await new Promise((res) => setTimeout(res, 100));
      e = await h.services.webhooks.get(ctx, id);
    } while (e.enabled && Date.now() < deadline);
    expect(e).toMatchObject({ enabled: false, disabledReason: 'failing' });
    expect(r.received.length).toBeGreaterThan(2);
    // Only the oldest delivery was attempted; the one behind it was given up without an attempt.
    expect(new Set(r.received.map((g) => g.verified?.data.userName))).toEqual(new Set(['never@example.com']));
    const ds = await deliveriesOf(ctx, id);
    expect(ds.map((d) => [d.status, d.lastStatusCode, d.nextAttemptAt])).toEqual([
      ['failed', 503, null],
      ['failed', null, null],
    ]);
    const audit = await h.services.audit.list(ctx, { resourceId: id, action: 'webhookEndpoint.disable' }, { cursor: null, limit: 10 });
    expect(audit.items.map((i) => [i.node.actorType, i.node.changes])).toEqual([['system', ['enabled']]]);
    // The event is readable once no older transaction is still running.
    const disabledEvents = async () => (await h.services.events.list(ctx, { types: ['webhook_endpoint.disabled'] }, { direction: 'forward', after: null, before: null, limit: 10 })).items.map((i) => i.node);
    let said = await disabledEvents();
    while (said.length === 0 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      said = await disabledEvents();
    }
    expect(said.map((x) => [x.resourceId, x.actorType, x.data.enabled, x.data.disabledReason])).toEqual([[id, 'system', false, 'failing']]);
    expect(JSON.stringify(said)).not.toContain('whsec_');
  });

  it('checks the address again at delivery: an endpoint inside the network is not reached once that is no longer allowed', async () => {
    const ctx = await h.tenant();
    const r = await receiver();
    const id = await endpoint(ctx, r);
    dispatcher({ allowPrivateNetworks: false, retryForMs: 60_000 });
    await user(ctx, 'guarded@example.com');
    const ds = await settled(ctx, id, (x) => (x[0]?.attempts ?? 0) >= 2 && x[0]!.lastError !== null);
    expect(r.received).toHaveLength(0);
    expect(ds[0]).toMatchObject({ status: 'pending', lastStatusCode: null });
    expect(ds[0].lastError).toMatch(/private/);
  });

  it('signs with the new and the replaced secret during a rotation\'s overlap, then with the new one only', async () => {
    const ctx = await h.tenant();
    // This receiver keeps the secret it was given at registration throughout.
    const r = await receiver();
    const id = await endpoint(ctx, r);
    const old = r.secret!;
    dispatcher();
    const rotate = async (overlapSeconds?: number) =>
      (await gqlOk(h, `mutation($id: ID!, $o: Int) { rotateWebhookSecret(input: { id: $id, overlapSeconds: $o }) { secret endpoint { previousSecretExpiresAt } } }`, { id, o: overlapSeconds ?? null })).rotateWebhookSecret;
    const rotated = await rotate();
    expect(Date.parse(rotated.endpoint.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    const verifiesWith = (secret: string, g: Received) => {
      try {
        new Webhook(secret).verify(g.body, g.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    };

    await user(ctx, 'during@example.com');
    const [during] = await r.waitFor(1);
    expect(during!.verified?.data.userName).toBe('during@example.com');
    expect(verifiesWith(rotated.secret, during!)).toBe(true);
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);

    // The overlap ends (its end is moved to a second ago, as the clock would have): the old secret no longer verifies.
    await h.db.orm.em.fork().execute(`update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = ?`, [id]);
    await user(ctx, 'after@example.com');
    const [, after] = await r.waitFor(2);
    expect(after!.verified).toBeNull();
    expect(verifiesWith(old, after!)).toBe(false);
    expect(verifiesWith(rotated.secret, after!)).toBe(true);
    expect(String(after!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect((await h.services.webhooks.get(ctx, id)).previousSecretExpiresAt).toBeNull();

    // A rotation without overlap (the secret leaked) stops the replaced secret at once.
    const now = await rotate(0);
    expect(now.endpoint.previousSecretExpiresAt).toBeNull();
    await user(ctx, 'leaked@example.com');
    const [, , third] = await r.waitFor(3);
    expect(verifiesWith(rotated.secret, third!)).toBe(false);
    expect(verifiesWith(now.secret, third!)).toBe(true);
  });

  it('sends nothing for a change that was refused and rolled back', async () => {
    const ctx = await h.tenant();
    const r = await receiver();
    await endpoint(ctx, r);
    dispatcher();
    await user(ctx, 'taken@example.com');
    await expect(user(ctx, 'TAKEN@example.com')).rejects.toMatchObject({ code: 'CONFLICT' });
    await user(ctx, 'after@example.com');
    const got = await r.waitFor(2);
    await new Promise((res) => setTimeout(res, 300));
    expect(got.map((g) => g.verified?.data.userName)).toEqual(['taken@example.com', 'after@example.com']);
  });
});
