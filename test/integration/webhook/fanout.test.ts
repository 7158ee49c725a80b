import { v7 as uuidv7 } from 'uuid';
import { createStore } from '../../../src/db/store.js';
import type { Ctx } from '../../../src/domain/context.js';
import { emptyProfile } from '../../../src/domain/user/user.js';
import { fanOut } from '../../../src/domain/webhook/webhook.fanout.js';
import { gqlOk } from '../../support/graphql.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * Fan-out against a real PostgreSQL, without a dispatcher: it moves past the events of tenants
 * that have no enabled endpoint by their positions alone, and reads and queues the others.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
});
afterAll(async () => h.close());

const endpoint = async (ctx: Ctx, events: string[]): Promise<string> =>
  (await gqlOk(h, `mutation($t: ID!, $e: [String!]!) { createWebhookEndpoint(input: { tenantId: $t, url: "http://127.0.0.1:9/hook", events: $e }) { endpoint { id } } }`, { t: ctx.tenantId, e: events }))
    .createWebhookEndpoint.endpoint.id as string;
const user = (ctx: Ctx, userName: string) => h.services.users.create(ctx, emptyProfile(userName));

describe('webhook fan-out', () => {
  it('passes the events of tenants without an enabled endpoint by position, reads the rest whole, and queues what endpoints subscribe to', async () => {
    const quiet = await h.tenant();
    const served = await h.tenant();
    const disabled = await h.tenant();
    const id = await endpoint(served, ['user.created']);
    const off = await endpoint(disabled, ['user.created']);
    await gqlOk(h, `mutation($id: ID!) { disableWebhookEndpoint(input: { id: $id }) { endpoint { enabled } } }`, { id: off });
    for (let i = 0; i < 3; i++) {
      await user(quiet, `quiet-${i}@example.com`);
      await user(served, `served-${i}@example.com`);
      await user(disabled, `disabled-${i}@example.com`);
    }
    const store = createStore(h.db.orm);
    const all = await store.read((r) => r.events.listAfter(null, 1000));
    const seen = await store.read((r) => r.events.listForFanOut(null, 1000));

    expect(seen.map((s) => s.position)).toEqual(all.map((e) => e.position));
    expect(seen.flatMap((s) => (s.event ? [s.event] : []))).toEqual(all.filter((e) => e.tenantId === served.tenantId));
    const passed = all.filter((e) => e.tenantId !== served.tenantId);
    expect(passed.filter((e) => e.tenantId === quiet.tenantId)).toHaveLength(3);
    expect(passed.filter((e) => e.tenantId === disabled.tenantId).length).toBeGreaterThanOrEqual(3);
    expect(seen.filter((s) => s.event === null)).toHaveLength(passed.length);

    // In batches of two, fan-out moves every event and queues one delivery per subscribed create.
    let moved = 0;
    let queued = 0;
    for (;;) {
      const step = await fanOut({ store, newId: uuidv7 }, 2);
      moved += step.moved;
      queued += step.queued;
      if (!step.more) break;
    }
    expect(moved).toBe(all.length);
    expect(queued).toBe(3);
    const deliveries = (await h.services.webhooks.deliveries(served, id, { cursor: null, limit: 100 })).items.map((i) => i.node);
    expect(deliveries.map((d) => d.eventId).sort()).toEqual(all.filter((e) => e.tenantId === served.tenantId && e.type === 'user.created').map((e) => e.id).sort());
    expect(await fanOut({ store, newId: uuidv7 }, 2)).toEqual({ moved: 0, queued: 0, more: false, endpoints: true });
  });
});
