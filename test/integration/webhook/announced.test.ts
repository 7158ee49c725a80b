import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createWebhookDispatcher } from '../../../src/composition/webhooks.js';
import { WEBHOOK_ENDPOINTS_CHANNEL } from '../../../src/db/repositories/webhook.repository.js';
import { createStore } from '../../../src/db/store.js';
import type { Ctx } from '../../../src/domain/context.js';
import { emptyProfile } from '../../../src/domain/user/user.js';
import { createDispatcher, type Dispatcher } from '../../../src/domain/webhook/webhook.dispatcher.js';
import { fanOut, type FanOutResult } from '../../../src/domain/webhook/webhook.fanout.js';
import { gqlOk } from '../../support/graphql.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { startReceiver, type Receiver } from '../../support/webhooks.js';

/**
 * Fan-outs that follow announcements, against a real PostgreSQL: while no endpoint is enabled
 * anywhere, an announced commit starts none (the poll's fan-out moves past the events), and an
 * endpoint that is created or enabled again is announced by a trigger, so fan-out after each commit
 * starts again at once, in every process.
 */
let h: Harness;
const stops: (() => Promise<unknown>)[] = [];
const quiet = { warn: () => undefined, info: () => undefined };
/** Longer than any test here: only announcements can start a fan-out after the first. */
const NO_POLL_MS = 60_000;

beforeAll(async () => {
  h = await startHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(async () => h.close());

const user = (ctx: Ctx, userName: string) => h.services.users.create(ctx, emptyProfile(userName));
const createEndpoint = async (ctx: Ctx, url: string, events = ['user.created']) => {
  const c = (await gqlOk(h, `mutation($t: ID!, $u: String!, $e: [String!]!) { createWebhookEndpoint(input: { tenantId: $t, url: $u, events: $e }) { endpoint { id } secret } }`, { t: ctx.tenantId, u: url, e: events }))
    .createWebhookEndpoint;
  return { id: c.endpoint.id as string, secret: c.secret as string };
};
const setEnabled = (id: string, enabled: boolean) =>
  gqlOk(h, `mutation($id: ID!) { ${enabled ? 'enableWebhookEndpoint' : 'disableWebhookEndpoint'}(input: { id: $id }) { endpoint { enabled } } }`, { id });

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Announces commits every 100 ms until `check` holds. A fan-out passes an event only once every
 * transaction that began before it, in any database of the cluster, has ended
 * (docs/architecture.md#change-events): another test file's long transaction (a stalled table
 * holds one for seconds) may keep a fan-out from seeing the event it was announced for, and only
 * the next announcement, or the poll, moves on.
 */
async function announcedUntil(d: Dispatcher, check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    d.eventsCommitted();
    await pause(100);
  }
}

describe('fan-out after announcements', () => {
  it('notifies the endpoints channel when an endpoint is created enabled or enabled again, and not when it is disabled or edited', async () => {
    const ctx = await h.tenant();
    const heard: string[] = [];
    const c = new pg.Client({ connectionString: h.db.url });
    await c.connect();
    stops.push(() => c.end());
    c.on('notification', (n) => heard.push(n.channel));
    await c.query(`listen ${WEBHOOK_ENDPOINTS_CHANNEL}`);
    const heardNow = async () => {
      // A notification sent at a commit reaches this connection once it round-trips after that.
      await c.query('select 1');
      return heard.splice(0).length;
    };

    const { id } = await createEndpoint(ctx, 'http://127.0.0.1:9/created');
    expect(await heardNow()).toBe(1);
    await setEnabled(id, false);
    expect(await heardNow()).toBe(0);
    await gqlOk(h, `mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, description: "edited" }) { endpoint { id } } }`, { id });
    expect(await heardNow()).toBe(0);
    await setEnabled(id, true);
    expect(await heardNow()).toBe(1);
    await setEnabled(id, false);
    expect(await heardNow()).toBe(0);
  });

  it('starts no fan-out for an announcement while no endpoint is enabled anywhere, and starts them again once one is', async () => {
    const ctx = await h.tenant();
    const store = createStore(h.db.orm);
    const fanOuts: FanOutResult[] = [];
    const d: Dispatcher = createDispatcher({
      store,
      now: () => new Date(),
      newId: uuidv7,
      limits: h.config.limits,
      sender: { send: () => Promise.resolve({ error: 'not sent in this test' }) },
      targets: { allowPrivateNetworks: true, resolve: () => Promise.resolve([]) },
      settings: { concurrency: 1, pollIntervalMs: NO_POLL_MS, timeoutMs: 1000, baseMs: 60_000, maxDelayMs: 60_000, retryForMs: 3_600_000 },
      fanOut: async () => {
        const r = await fanOut({ store, newId: uuidv7 }, 500);
        fanOuts.push(r);
        return r;
      },
      log: quiet,
    });
    d.start();
    stops.push(() => d.stop());
    await until(() => fanOuts.length === 1, 'the first fan-out');
    expect(fanOuts[0]!.endpoints).toBe(false);

    await user(ctx, 'unannounced-0@example.com');
    for (let i = 0; i < 3; i++) {
      d.eventsCommitted();
      await pause(50);
    }
    await pause(200);
    expect(fanOuts).toHaveLength(1);

    const { id } = await createEndpoint(ctx, 'http://127.0.0.1:9/announced');
    d.endpointsChanged();
    await until(() => fanOuts.length === 2, 'the fan-out after the endpoint was enabled');
    expect(fanOuts[1]).toMatchObject({ endpoints: true, queued: 0 });
    // The create before the endpoint existed is passed, not delivered.
    await announcedUntil(d, () => fanOuts.some((f) => f.moved >= 1), 'a fan-out that passed the unannounced create');
    expect(fanOuts.map((f) => f.queued)).toEqual(fanOuts.map(() => 0));

    await user(ctx, 'announced-1@example.com');
    await announcedUntil(d, () => fanOuts.some((f) => f.queued === 1), 'the fan-out of the announced create');

    // Disabled again: the next announced fan-out sees no endpoint, and the one after that does not start.
    await setEnabled(id, false);
    const before = fanOuts.length;
    d.eventsCommitted();
    await until(() => fanOuts.length > before && fanOuts.at(-1)!.endpoints === false, 'a fan-out that sees no endpoint');
    await pause(300);
    const settled = fanOuts.length;
    await user(ctx, 'unannounced-2@example.com');
    d.eventsCommitted();
    await pause(300);
    expect(fanOuts).toHaveLength(settled);
  });

  it('delivers the first event after an endpoint is created long before the poll, though the dispatcher had found no endpoint', async () => {
    const ctx = await h.tenant();
    const d = createWebhookDispatcher(h.db.orm, {
      settings: { ...h.config.webhooks, pollIntervalMs: NO_POLL_MS, timeoutMs: 1000, retryBaseMs: 60_000, retryMaxDelayMs: 60_000, retryForMs: 3_600_000 },
      log: quiet,
    });
    d.start();
    stops.push(() => d.stop());
    // The dispatcher's first fan-out, and with it the finding that no endpoint is enabled.
    await user(ctx, 'before-0@example.com');
    await pause(500);

    const r: Receiver = await startReceiver();
    stops.push(() => r.close());
    r.secret = (await createEndpoint(ctx, r.url)).secret;
    const created = await user(ctx, 'after-0@example.com');
    // Commits of another tenant announce again while the delivery is awaited (see announcedUntil);
    // each starts a fan-out only because the dispatcher heard that an endpoint now exists.
    const other = await h.tenant();
    const delivered = r.waitFor(1, 30_000);
    let done = false;
    void delivered.finally(() => (done = true)).catch(() => undefined);
    for (let i = 0; !done; i++) {
      await pause(200);
      if (!done) await user(other, `nudge-${i}@example.com`);
    }
    const [got] = await delivered;
    expect(got!.verified).toMatchObject({ type: 'user.created', data: { id: created.user.id } });
  });
});
