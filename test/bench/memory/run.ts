/**
 * `npm run bench:memory`: the Roster process's resident memory while it pages through every user
 * of a large tenant (SCIM startIndex paging, GraphQL cursors, a SCIM filter matching everyone) and
 * while it takes an Entra-style sync of many users. README "Performance" explains the figures.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { client, type Call } from '../http/client.js';
import { rosterNodeArgs, whole } from '../http/options.js';
import { sampleProcess, startPostgres, startRosterServer, type ProcessUsage } from '../http/processes.js';
import { percentile } from '../http/report.js';
import { entraSync } from '../http/scenarios.js';
import { pagedUserName, seedUsers } from './seed.js';

/** Its own database, so that runs may overlap. */
const ROSTER_DB = `roster_bench_memory_${process.pid}`;
const PHASES = ['scim', 'graphql', 'filter', 'sync'] as const;
type Phase = (typeof PHASES)[number];
/** The target of docs/architecture.md#performance-budgets, 300 MB (286 MiB), in MiB like every figure printed. */
const RSS_LIMIT_MIB = 300e6 / 2 ** 20;

interface Options {
  /** Users seeded in SQL and paged through (BENCH_MEMORY_USERS, default 1,000,000). */
  readonly users: number;
  /** Users created through SCIM by the sync phase (BENCH_MEMORY_SYNC, default 100,000). */
  readonly sync: number;
  /** Which phases run (BENCH_MEMORY_PHASES, comma-separated of scim, graphql, filter, sync; default all). */
  readonly phases: readonly Phase[];
  /** A paging pass stops, reported as incomplete, after this many seconds (BENCH_MEMORY_PASS_SECONDS; default none). */
  readonly passSeconds: number;
  /** GraphQL page size (BENCH_MEMORY_GRAPHQL_FIRST, default the server's maximum page size). */
  readonly graphqlFirst: number | null;
  readonly databaseUrl: string | undefined;
  /** Where the JSON goes (BENCH_OUT, default bench-memory.json). */
  readonly out: string;
  readonly rosterNodeArgs: readonly string[];
}

function readOptions(env: NodeJS.ProcessEnv): Options {
  const phases = (env.BENCH_MEMORY_PHASES ?? PHASES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = phases.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`BENCH_MEMORY_PHASES: unknown ${unknown.join(', ')}; choose from ${PHASES.join(', ')}`);
  return {
    users: whole(env, 'BENCH_MEMORY_USERS', 1_000_000),
    sync: whole(env, 'BENCH_MEMORY_SYNC', 100_000),
    phases: phases as Phase[],
    passSeconds: env.BENCH_MEMORY_PASS_SECONDS ? whole(env, 'BENCH_MEMORY_PASS_SECONDS', 1) : Infinity,
    graphqlFirst: env.BENCH_MEMORY_GRAPHQL_FIRST ? whole(env, 'BENCH_MEMORY_GRAPHQL_FIRST', 1) : null,
    databaseUrl: env.BENCH_DATABASE_URL || undefined,
    out: env.BENCH_OUT || 'bench-memory.json',
    rosterNodeArgs: rosterNodeArgs(env),
  };
}

/** One pass of a phase: what it did, how long it took, and the Roster process's memory meanwhile. */
interface Pass {
  readonly phase: string;
  /** Users seen (paging) or created (sync), and whether the pass went to its end. */
  readonly users: number;
  readonly complete: boolean;
  /** Why a pass ended before its end: a refused page, or the time limit; null when complete. */
  readonly stoppedBy: string | null;
  readonly requests: number;
  readonly seconds: number;
  /** Request latencies in ms: median, 99th percentile, and the last request's (paging: the deepest page). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly lastMs: number;
  readonly non2xx: number;
  readonly startRssMiB: number | null;
  readonly usage: ProcessUsage;
}

interface Page {
  readonly ids: readonly string[];
  readonly next: boolean;
}

/** Pages through everything `fetchPage` yields until it says there is no more (or time is up), checking ids rise strictly. */
async function pageThrough(name: string, pid: number, seconds: number, fetchPage: (n: number) => Promise<Page & { ms: number }>): Promise<Omit<Pass, 'non2xx'>> {
  const startRssMiB = await rss(pid);
  const usage = await sampleProcess(pid, 100);
  const latencies: number[] = [];
  const started = Date.now();
  let seen = 0;
  let last = '';
  let stoppedBy: string | null = null;
  for (;;) {
    const page = await fetchPage(seen).catch((e: unknown) => {
      if (e instanceof Refused) return e;
      throw e;
    });
    if (page instanceof Refused) {
      stoppedBy = page.message;
      break;
    }
    latencies.push(page.ms);
      for (const id of page.ids) {
        if (id <= last) throw new Error(`${name}: id ${id} after ${last}: pages overlap or skip`);
        last = id;
      }
      seen += page.ids.length;
    if (!page.next) break;
    if (page.ids.length === 0) throw new Error(`${name}: an empty page that says more follow`);
    if (Date.now() - started > seconds * 1000) {
      stoppedBy = `the time limit of ${seconds} s`;
      break;
    }
  }
  return {
    phase: name,
    users: seen,
    complete: stoppedBy === null,
    stoppedBy,
    requests: latencies.length,
    seconds: (Date.now() - started) / 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    lastMs: latencies[latencies.length - 1] ?? 0,
    startRssMiB,
    usage: await usage.stop(),
  };
}

async function rss(pid: number): Promise<number | null> {
  const s = await sampleProcess(pid, 1000);
  return (await s.stop()).finalRssMiB;
}

/** A page Roster refused (a 503 past the statement timeout, say): the pass ends there and says so. */
class Refused extends Error {}

const ok = (what: string, r: { status: number; body: unknown }) => {
  if (r.status !== 200) throw new Refused(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
};

/** SCIM paging by startIndex (1-based offsets, RFC 7644 §3.4.2.4), `count` the server's maximum, optionally filtered. */
const scimPages = (scim: Call, count: number, filter: string | null) => async (seen: number) => {
  const q = `startIndex=${seen + 1}&count=${count}${filter ? `&filter=${encodeURIComponent(filter)}` : ''}`;
  const r = await scim('GET', `/Users?${q}`);
  ok(`GET /Users?${q}`, r);
  const ids = (r.body.Resources ?? []).map((u: { id: string }) => u.id) as string[];
  return { ids, next: seen + ids.length < (r.body.totalResults as number), ms: r.ms };
};

const GRAPHQL_USERS = `query Users($tenantId: ID!, $first: Int!, $after: String) {
  tenant(id: $tenantId) {
    users(first: $first, after: $after) { edges { node { id userName emails { value } } } pageInfo { hasNextPage endCursor } }
  }
}`;

/** GraphQL paging with the connection's cursors. */
const graphqlPages = (gql: Call, tenantId: string, first: number) => {
  let after: string | null = null;
  return async () => {
    const r = await gql('POST', '/graphql', { query: GRAPHQL_USERS, variables: { tenantId, first, after } });
    const users = r.body?.data?.tenant?.users;
    if (r.status !== 200 || r.body?.errors || !users) throw new Refused(`GraphQL users page: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    after = users.pageInfo.endCursor as string | null;
    return { ids: (users.edges as { node: { id: string } }[]).map((e) => e.node.id), next: users.pageInfo.hasNextPage as boolean, ms: r.ms };
  };
};

const mib = (v: number | null) => (v === null ? '?' : v.toFixed(0));

function formatTable(passes: readonly Pass[]): string {
  const head = ['phase', 'users', 'requests', 'seconds', 'p50 ms', 'p99 ms', 'last ms', 'RSS before MiB', 'peak RSS MiB', 'final RSS MiB'];
  const rows = passes.map((p) => [
    p.phase,
    `${p.users}${p.complete ? '' : ' (stopped)'}`,
    String(p.requests),
    p.seconds.toFixed(0),
    p.p50Ms.toFixed(1),
    p.p99Ms.toFixed(1),
    p.lastMs.toFixed(1),
    mib(p.startRssMiB),
    mib(p.usage.peakRssMiB),
    mib(p.usage.finalRssMiB),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const o = readOptions(process.env);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const paging = o.phases.some((p) => p !== 'sync');
  const pg = await startPostgres(o.databaseUrl);
  const stops: (() => Promise<void>)[] = [() => pg.stop()];
  const failures: string[] = [];
  try {
    const rosterDb = await pg.freshDatabase(ROSTER_DB);
    stops.unshift(() => pg.dropDatabase(ROSTER_DB));
    const adminToken = randomBytes(32).toString('hex');
    const roster = await startRosterServer(rosterDb, adminToken, o.rosterNodeArgs);
    stops.unshift(() => roster.stop());
    log(`roster pid ${roster.pid} on ${roster.baseUrl} (${pg.label}, node ${o.rosterNodeArgs.join(' ') || 'without flags'}), log in ${roster.logFile}`);
    const users = paging ? o.users : 1;
    const tenant = await seedUsers({ rosterUrl: roster.baseUrl, rosterDb, users, log });
    const scim = client(`${roster.baseUrl}/scim/v2`, tenant.token, 1);
    const config = await scim('GET', '/ServiceProviderConfig');
    ok('GET /ServiceProviderConfig', config);
    const maxPage = config.body.filter.maxResults as number;
    const passes: Pass[] = [];
    const record = (p: Omit<Pass, 'non2xx'> & { non2xx?: number }, expected: number) => {
      const pass = { non2xx: 0, ...p };
      passes.push(pass);
      log(`  ${pass.users} users in ${pass.seconds.toFixed(0)} s, peak RSS ${mib(pass.usage.peakRssMiB)} MiB`);
      if (pass.stoppedBy) failures.push(`${pass.phase}: stopped after ${pass.users} users by ${pass.stoppedBy}`);
      if (pass.complete && pass.users !== expected) failures.push(`${pass.phase}: ${pass.users} users where ${expected} were expected`);
      if ((pass.usage.peakRssMiB ?? 0) > RSS_LIMIT_MIB) failures.push(`${pass.phase}: peak RSS ${mib(pass.usage.peakRssMiB)} MiB is above 300 MB (${RSS_LIMIT_MIB.toFixed(0)} MiB)`);
    };
    if (o.phases.includes('scim')) {
      log(`SCIM: all ${users} users, ${maxPage} a page by startIndex ...`);
      record(await pageThrough(`SCIM GET /Users, startIndex paging, count=${maxPage}`, roster.pid, o.passSeconds, scimPages(scim, maxPage, null)), users);
    }
    if (o.phases.includes('graphql')) {
      const first = o.graphqlFirst ?? maxPage;
      log(`GraphQL: all ${users} users, ${first} a page by cursor ...`);
      const gql = client(roster.baseUrl, adminToken, 1);
      record(await pageThrough(`GraphQL users(first: ${first}, after), cursor paging`, roster.pid, o.passSeconds, graphqlPages(gql, tenant.tenantId, first)), users);
    }
    if (o.phases.includes('filter')) {
      const filter = 'userName sw "paged-"';
      log(`SCIM filter ${filter}: all ${users} users by startIndex ...`);
      if (!pagedUserName(0).startsWith('paged-')) throw new Error('the filter no longer matches the seeded userNames');
      record(await pageThrough(`SCIM GET /Users?filter=${filter}, startIndex paging`, roster.pid, o.passSeconds, scimPages(scim, maxPage, filter)), users);
    }
    if (o.phases.includes('sync')) {
      log(`sync: ${o.sync} users created through SCIM, 16 at a time ...`);
      const startRssMiB = await rss(roster.pid);
      const usage = await sampleProcess(roster.pid, 100);
      let begun = 0;
      const t = await entraSync({ rosterUrl: roster.baseUrl, token: tenant.token, firstManager: tenant.templateId, tag: 'memory', another: () => begun++ < o.sync });
      record(
        {
          phase: `Entra sync of ${o.sync} users (lookup, create, PATCH manager; a group of 10 each 10)`,
          users: t.usersCreated,
          complete: true,
          stoppedBy: null,
          requests: t.latencies.length + t.errors,
          seconds: t.seconds,
          p50Ms: percentile(t.latencies, 50),
          p99Ms: percentile(t.latencies, 99),
          lastMs: t.latencies[t.latencies.length - 1] ?? 0,
          non2xx: t.non2xx + t.errors,
          startRssMiB,
          usage: await usage.stop(),
        },
        o.sync,
      );
    }
    process.stdout.write(`\n${users} users paged, ${o.sync} synced, ${pg.label}, Node.js ${process.version} ${o.rosterNodeArgs.join(' ')}\n${formatTable(passes)}\n`);
    await writeFile(o.out, `${JSON.stringify({ startedAt, users, sync: o.sync, database: pg.label, node: process.version, nodeArgs: o.rosterNodeArgs, rssLimitMiB: RSS_LIMIT_MIB, passes }, null, 2)}\n`);
    log(`written to ${o.out}`);
  } finally {
    for (const stop of stops) await stop().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
