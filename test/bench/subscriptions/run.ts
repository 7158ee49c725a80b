/**
 * `npm run bench:subscriptions`: what one tenant's GraphQL subscribers cost the others
 * (docs/architecture.md#subscriptions). The real server process on a fresh database
 * (BENCH_DATABASE_URL, or an embedded PostgreSQL): tenant A's read-only key follows A's events with
 * N subscriptions, 20 a socket, while four workers of A create users through GraphQL and one
 * worker of tenant B reads pages of B's users. One row per N: what A wrote, what its subscribers
 * were sent, how long B waited, and how many transactions the database ran per write.
 * docs/performance.md quotes it.
 *
 *   BENCH_SUBSCRIPTIONS  the N of each row, comma-separated (default 0,100,2000)
 *   BENCH_SECONDS        seconds of load a row (default 15)
 *   SUBSCRIPTIONS_MAX_PER_TENANT  passed to the server (default: each row's N, so every one opens)
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { startPostgres, startRosterServer } from '../http/processes.js';

const DB = 'roster_bench_subscriptions';
const PER_SOCKET = 20;
const WRITERS = 4;
const log = (s: string) => process.stderr.write(`${s}\n`);

type Data = Record<string, Record<string, unknown>>;

async function gql(baseUrl: string, key: string, query: string, variables: Record<string, unknown> = {}): Promise<Data> {
  const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: Data; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function tenant(baseUrl: string, admin: string, name: string): Promise<{ id: string; admin: string; read: string }> {
  const id = (await gql(baseUrl, admin, 'mutation($n: String!) { createTenant(input: { name: $n }) { tenant { id } } }', { n: name })).createTenant!.tenant as { id: string };
  const key = async (role: string) =>
    (await gql(baseUrl, admin, 'mutation($t: ID, $r: ApiKeyRole!) { createApiKey(input: { tenantId: $t, name: "bench", role: $r }) { secret } }', { t: id.id, r: role })).createApiKey!.secret as string;
  return { id: id.id, admin: await key('ADMIN'), read: await key('READ_ONLY') };
}

const CREATE = 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }';
const PAGE = 'query($t: ID!) { tenant(id: $t) { users(first: 20) { edges { node { id userName } } } } }';
const EVENTS = 'subscription { events { id type position resourceId data } }';

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

async function transactions(url: string, database: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>('select xact_commit + xact_rollback as n from pg_stat_database where datname = $1', [database]);
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

interface Row {
  readonly subscriptions: number;
  readonly open: number;
  readonly refused: number;
  readonly writesPerSecond: number;
  readonly sentPerWrite: number;
  readonly otherTenantReads: number;
  readonly otherP50Ms: number;
  readonly otherP99Ms: number;
  readonly transactionsPerWrite: number;
}

async function row(n: number, seconds: number, postgres: Awaited<ReturnType<typeof startPostgres>>): Promise<Row> {
  const url = await postgres.freshDatabase(DB);
  const token = randomBytes(32).toString('hex');
  const cap = process.env.SUBSCRIPTIONS_MAX_PER_TENANT ?? String(Math.max(1, n));
  const roster = await startRosterServer(url, token, [], { SUBSCRIPTIONS_MAX_PER_TENANT: cap });
  const clients: Client[] = [];
  try {
    const a = await tenant(roster.baseUrl, token, 'followed');
    const b = await tenant(roster.baseUrl, token, 'other');
    for (let i = 0; i < 200; i++) await gql(roster.baseUrl, b.admin, CREATE, { i: { tenantId: b.id, userName: `b${i}@example.com` } });
    let sent = 0;
    let refused = 0;
    for (let s = 0; s * PER_SOCKET < n; s++) {
      const c = createClient({ url: `${roster.baseUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: a.read }, retryAttempts: 0, lazy: true, on: { closed: () => undefined } });
      clients.push(c);
      for (let j = 0; j < PER_SOCKET && s * PER_SOCKET + j < n; j++) {
        c.subscribe({ query: EVENTS }, { next: () => void sent++, error: () => void refused++, complete: () => undefined });
      }
    }
    // Every subscription is answered (live, or refused) well within this.
    await new Promise((r) => setTimeout(r, 3000));
    const before = await transactions(postgres.url, DB);
    let stop = false;
    let writes = 0;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        await gql(roster.baseUrl, a.admin, CREATE, { i: { tenantId: a.id, userName: `a${w}-${i}@example.com` } });
        writes++;
      }
    });
    const waits: number[] = [];
    const reader = (async () => {
      while (!stop) {
        const t = performance.now();
        await gql(roster.baseUrl, b.read, PAGE, { t: b.id });
        waits.push(performance.now() - t);
      }
    })();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    stop = true;
    await Promise.all([...writers, reader]);
    // The last events reach their subscribers.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await transactions(postgres.url, DB);
    waits.sort((x, y) => x - y);
    return {
      subscriptions: n,
      open: n - refused,
      refused,
      writesPerSecond: writes / seconds,
      sentPerWrite: writes ? sent / writes : 0,
      otherTenantReads: waits.length,
      otherP50Ms: percentile(waits, 50),
      otherP99Ms: percentile(waits, 99),
      transactionsPerWrite: writes ? (after - before) / writes : 0,
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await roster.stop();
    await postgres.dropDatabase(DB);
  }
}

async function main(): Promise<void> {
  const counts = (process.env.BENCH_SUBSCRIPTIONS ?? '0,100,2000').split(',').map(Number);
  const seconds = Number(process.env.BENCH_SECONDS ?? 15);
  const postgres = await startPostgres(process.env.BENCH_DATABASE_URL || undefined);
  const rows: Row[] = [];
  try {
    for (const n of counts) {
      log(`${n} subscriptions…`);
      rows.push(await row(n, seconds, postgres));
    }
  } finally {
    await postgres.stop();
  }
  const fixed = (v: number, d = 0) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const lines = [
    `${postgres.label}, ${WRITERS} writers of tenant A through GraphQL, one reader of tenant B, ${seconds} s a row`,
    '| subscriptions of A asked | open | refused | A writes/s | events sent per write | B pages read | B p50 ms | B p99 ms | DB transactions per write |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${fixed(r.subscriptions)} | ${fixed(r.open)} | ${fixed(r.refused)} | ${fixed(r.writesPerSecond)} | ${fixed(r.sentPerWrite)} | ${fixed(r.otherTenantReads)} | ${fixed(r.otherP50Ms, 1)} | ${fixed(r.otherP99Ms, 1)} | ${fixed(r.transactionsPerWrite, 1)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env.BENCH_OUT) {
    await writeFile(process.env.BENCH_OUT, JSON.stringify({ postgres: postgres.label, seconds, rows }, null, 2));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
