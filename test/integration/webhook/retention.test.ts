import { Writable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { startEventPruning } from '../../../src/composition/event-retention.js';
import { createRosterLogger } from '../../../src/composition/logger.js';
import type { Ctx } from '../../../src/domain/context.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * Delivery records are pruned once delivered or given up and older than the retention, in small
 * batches, beside the change events; a pending delivery stays whatever its age.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
});
afterAll(async () => h.close());

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

async function endpoint(ctx: Ctx): Promise<string> {
  return (await h.services.webhooks.create(ctx, { url: 'http://127.0.0.1:9/hook', events: ['user.created'] })).endpoint.id;
}

/** A delivery in a given state, as the dispatcher would have left it. */
async function delivery(
  ctx: Ctx,
  endpointId: string,
  d: { status: 'pending' | 'delivered' | 'failed'; createdAt: Date; lastAttemptAt?: Date | null; deliveredAt?: Date | null },
): Promise<string> {
  const id = uuidv7();
  await h.db.orm.em.fork().execute(
    `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, payload, status, attempts, last_attempt_at, delivered_at, next_attempt_at, created_at)
     values (?, ?, ?, ?, 'user.created', '{}'::jsonb, ?, ?, ?, ?, ?, ?)`,
    [id, ctx.tenantId, endpointId, uuidv7(), d.status, d.lastAttemptAt ? 1 : 0, d.lastAttemptAt ?? null, d.deliveredAt ?? null, d.status === 'pending' ? d.createdAt : null, d.createdAt],
  );
  return id;
}

const remaining = async (ctx: Ctx, endpointId: string) =>
  new Set((await h.services.webhooks.deliveries(ctx, endpointId, { cursor: null, limit: 1000 })).items.map((i) => i.node.id));

describe('webhook delivery retention', () => {
  it('deletes delivered and given-up deliveries past the retention, in batches, and never a pending one', async () => {
    const ctx = await h.tenant();
    const other = await h.tenant();
    const ep = await endpoint(ctx);
    const otherEp = await endpoint(other);
    const old = daysAgo(40);
    const gone = [
      await delivery(ctx, ep, { status: 'delivered', createdAt: old, lastAttemptAt: old, deliveredAt: old }),
      await delivery(ctx, ep, { status: 'delivered', createdAt: old, lastAttemptAt: daysAgo(31), deliveredAt: daysAgo(31) }),
      await delivery(ctx, ep, { status: 'failed', createdAt: daysAgo(45), lastAttemptAt: daysAgo(42) }),
      // Given up without an attempt (its endpoint was disabled for failing): its age is its queuing.
      await delivery(ctx, ep, { status: 'failed', createdAt: old }),
      await delivery(other, otherEp, { status: 'delivered', createdAt: old, lastAttemptAt: old, deliveredAt: old }),
    ];
    const kept = [
      // Waiting for 40 days behind a disabled endpoint, or retried for as long: still owed.
      await delivery(ctx, ep, { status: 'pending', createdAt: old }),
      await delivery(ctx, ep, { status: 'pending', createdAt: old, lastAttemptAt: daysAgo(35) }),
      // Queued long ago, but delivered or given up within the retention.
      await delivery(ctx, ep, { status: 'delivered', createdAt: old, lastAttemptAt: daysAgo(29), deliveredAt: daysAgo(29) }),
      await delivery(ctx, ep, { status: 'failed', createdAt: old, lastAttemptAt: daysAgo(2) }),
      await delivery(ctx, ep, { status: 'delivered', createdAt: new Date(), lastAttemptAt: new Date(), deliveredAt: new Date() }),
    ];

    // Batches of 2: three statements for the five, each its own transaction.
    h.db.statements.length = 0;
    expect(await h.services.webhooks.pruneDeliveries(30, 2)).toBe(5);
    expect(h.db.statements.filter((s) => s.includes('delete from webhook_deliveries'))).toHaveLength(3);

    const left = await remaining(ctx, ep);
    expect(gone.filter((id) => left.has(id))).toEqual([]);
    expect(kept.filter((id) => !left.has(id))).toEqual([]);
    expect(await remaining(other, otherEp)).toEqual(new Set());
    // Nothing is left to prune: a second run deletes nothing.
    expect(await h.services.webhooks.pruneDeliveries(30, 2)).toBe(0);
  });

  it('goes by its own retention: a shorter one takes what a longer one keeps', async () => {
    const ctx = await h.tenant();
    const ep = await endpoint(ctx);
    const tenDays = await delivery(ctx, ep, { status: 'delivered', createdAt: daysAgo(10), lastAttemptAt: daysAgo(10), deliveredAt: daysAgo(10) });
    const fiveDays = await delivery(ctx, ep, { status: 'delivered', createdAt: daysAgo(5), lastAttemptAt: daysAgo(5), deliveredAt: daysAgo(5) });
    await h.services.webhooks.pruneDeliveries(30);
    expect(await remaining(ctx, ep)).toEqual(new Set([tenDays, fiveDays]));
    await h.services.webhooks.pruneDeliveries(7);
    expect(await remaining(ctx, ep)).toEqual(new Set([fiveDays]));
  });

  it('forgets a replaced signing secret once its overlap has ended, in the same runs', async () => {
    const ctx = await h.tenant();
    const ended = await endpoint(ctx);
    const running = await endpoint(ctx);
    await h.services.webhooks.rotateSecret(ctx, ended, { overlapSeconds: 3600 });
    await h.services.webhooks.rotateSecret(ctx, running, { overlapSeconds: 3600 });
    await h.db.orm.em.fork().execute(`update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = ?`, [ended]);
    const pruning = startEventPruning(h.services, { retentionDays: 30, deliveryRetentionDays: 30, logger: createRosterLogger('info', new Writable({ write: (_c, _e, cb) => cb() })) });
    const kept = async () =>
      (await h.db.orm.em.fork().execute<{ id: string; previous_secret: string | null }[]>(`select id, previous_secret from webhook_endpoints where tenant_id = ? order by id`, [ctx.tenantId]))
        .filter((e) => e.previous_secret !== null)
        .map((e) => e.id);
    try {
      const deadline = Date.now() + 20_000;
      while ((await kept()).includes(ended) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await pruning.stop();
    }
    expect(await kept()).toEqual([running]);
  });

  it('is pruned with the change events when the process starts, and the log gives the count', async () => {
    const ctx = await h.tenant();
    const ep = await endpoint(ctx);
    for (let i = 0; i < 3; i++) await delivery(ctx, ep, { status: 'delivered', createdAt: daysAgo(20), lastAttemptAt: daysAgo(20), deliveredAt: daysAgo(20) });
    const pending = await delivery(ctx, ep, { status: 'pending', createdAt: daysAgo(20) });
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const pruning = startEventPruning(h.services, { retentionDays: 30, deliveryRetentionDays: 14, logger: createRosterLogger('info', sink) });
    try {
      const deadline = Date.now() + 20_000;
      while (!lines.some((l) => l.msg === 'webhook deliveries pruned') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await pruning.stop();
    }
    expect(lines.find((l) => l.msg === 'webhook deliveries pruned')).toMatchObject({ pruned: 3, retentionDays: 14 });
    expect(await remaining(ctx, ep)).toEqual(new Set([pending]));
  });
});
