/**
 * `npm run bench:webhooks`: how long a committed change takes to reach a webhook receiver, and how
 * many deliveries per second Roster sends (docs/architecture.md#webhooks). The real server process
 * on a fresh database (BENCH_DATABASE_URL, or an embedded PostgreSQL), a receiver on loopback that
 * verifies every signature with the standardwebhooks package. README "Performance" quotes it.
 *
 *   BENCH_WEBHOOK_CHANGES  changes per scenario (default 1000)
 *   BENCH_WEBHOOK_TENANTS  tenants, one endpoint each, in the throughput scenario (default 10)
 */
import { randomBytes } from 'node:crypto';
import { startPostgres, startRosterServer } from '../http/processes.js';
import { startReceiver, type Receiver } from '../../support/webhooks.js';

const DB = 'roster_bench_webhooks';
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Api {
  gql(query: string, variables?: Record<string, unknown>): Promise<Record<string, Record<string, unknown>>>;
}

function api(baseUrl: string, token: string): Api {
  return {
    async gql(query, variables = {}) {
      const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown };
      if (body.errors || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
  };
}

async function tenantWithEndpoint(a: Api, name: string, receiver: Receiver): Promise<string> {
  const t = (await a.gql('mutation($n: String!) { createTenant(input: { name: $n }) { tenant { id } } }', { n: name })).createTenant!.tenant as { id: string };
  const e = (await a.gql('mutation($t: ID!, $u: String!) { createWebhookEndpoint(input: { tenantId: $t, url: $u, events: ["user.created"] }) { secret } }', { t: t.id, u: receiver.url })).createWebhookEndpoint!;
  receiver.secret = e.secret as string;
  return t.id;
}

const createUser = (a: Api, tenantId: string, userName: string) => a.gql('mutation($t: ID!, $n: String!) { createUser(input: { tenantId: $t, userName: $n }) { user { id } } }', { t: tenantId, n: userName });

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Latency of each delivery: from the event's timestamp (taken in the writing transaction, just before it commits) to its arrival. */
function latencies(receiver: Receiver): number[] {
  const bad = receiver.received.filter((r) => r.verified === null).length;
  if (bad > 0) throw new Error(`${bad} deliveries failed signature verification`);
  return receiver.received.map((r) => r.at - Date.parse(r.verified!.timestamp)).sort((x, y) => x - y);
}

async function main(): Promise<void> {
  const changes = Number(process.env.BENCH_WEBHOOK_CHANGES ?? 1000);
  const tenants = Number(process.env.BENCH_WEBHOOK_TENANTS ?? 10);
  const pg = await startPostgres(process.env.BENCH_DATABASE_URL || undefined);
  const stops: (() => Promise<void>)[] = [() => pg.stop()];
  try {
    const url = await pg.freshDatabase(DB);
    stops.unshift(() => pg.dropDatabase(DB));
    const token = randomBytes(32).toString('hex');
    const roster = await startRosterServer(url, token, [], { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    stops.unshift(() => roster.stop());
    log(`roster pid ${roster.pid} on ${roster.baseUrl} (${pg.label}), log in ${roster.logFile}`);
    const a = api(roster.baseUrl, token);

    // 1. One change at a time, each made once the one before was delivered: the latency of the
    // pipeline itself (commit → notify → fan-out → claim → POST), with no queue ahead of it.
    const one = await startReceiver();
    stops.unshift(() => one.close());
    const t1 = await tenantWithEndpoint(a, 'latency', one);
    log(`latency: ${changes} changes, one at a time ...`);
    for (let i = 0; i < changes; i++) {
      await createUser(a, t1, `latency-${i}@example.com`);
      await one.waitFor(i + 1, 30_000);
    }
    const lat = latencies(one);

    // 2. A burst from 8 writers over `tenants` tenants, one endpoint each: deliveries per second.
    const many: Receiver[] = [];
    const ids: string[] = [];
    for (let t = 0; t < tenants; t++) {
      const r = await startReceiver();
      stops.unshift(() => r.close());
      many.push(r);
      ids.push(await tenantWithEndpoint(a, `burst-${t}`, r));
    }
    log(`throughput: ${changes} changes from 8 writers over ${tenants} tenants ...`);
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < changes) {
          const i = next++;
          await createUser(a, ids[i % tenants]!, `burst-${i}@example.com`);
        }
      }),
    );
    const written = Date.now();
    await Promise.all(many.map((r, t) => r.waitFor(Math.floor(changes / tenants) + (t < changes % tenants ? 1 : 0), 300_000)));
    const drained = Math.max(...many.flatMap((r) => r.received.map((x) => x.at)));
    const burst = many.flatMap((r) => latencies(r)).sort((x, y) => x - y);

    const ms = (n: number) => `${n.toFixed(0)} ms`;
    process.stdout.write(
      [
        '',
        `webhooks, ${pg.label}, Node.js ${process.version}`,
        `latency, ${changes} changes one at a time, each after the last was delivered: median ${ms(percentile(lat, 50))}, p99 ${ms(percentile(lat, 99))}, max ${ms(lat[lat.length - 1]!)}`,
        `burst, ${changes} changes from 8 writers over ${tenants} endpoints: written at ${((changes * 1000) / (written - started)).toFixed(0)} changes/s, delivered at ${((changes * 1000) / (drained - started)).toFixed(0)} events/s (last delivery ${ms(drained - written)} after the last write); latency median ${ms(percentile(burst, 50))}, p99 ${ms(percentile(burst, 99))}`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const stop of stops) await stop().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
