/**
 * The loads of the HTTP benchmark. Each runs for a fixed time: the request/response ones with
 * autocannon over 10 connections, the initial sync with 16 workers of its own.
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { client, type Reply } from './client.js';
import { captureStatements, openConnections, replay, replicator, type Connections, type Copy } from './database-alone.js';
import type { ScimResponse } from '../../../src/scim/scim.call.js';
import type { InProcessScim } from './in-process.js';
import { percentile, type Driven } from './report.js';
import { expect2xx, userBody, userName, type Seeded } from './seed.js';

export const FLOOR_SCENARIO = 'floor: lookup by userName';
const DATABASE_ALONE_POST = 'PostgreSQL alone: the statements of SCIM POST /Users';
const DATABASE_ALONE_ADD = 'PostgreSQL alone: the statements of SCIM PATCH group add member';
const DATABASE_ALONE_ADD_IN_TURN = 'PostgreSQL alone: the statements of SCIM PATCH group add member, groups in turn';
const CONNECTIONS = 10;
const SYNC_WORKERS = 16;
/** Users per group in the initial sync, added in one PATCH once the group exists. */
const SYNC_GROUP_SIZE = 10;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface Context {
  readonly floorUrl: string;
  readonly rosterUrl: string;
  readonly adminToken: string;
  readonly seconds: number;
  readonly seeded: Seeded;
  /** Roster's database, for the cleanup after a scenario. */
  readonly rosterDb: string;
  /** Roster's SCIM facade in this process, for the in-process scenarios; null when none of them runs. */
  readonly inProcess: InProcessScim | null;
}

/** What a scenario set up before its load, unmeasured, and how to undo it once the load was measured. */
export interface Prepared {
  readonly groupIds: readonly string[];
  /** Statements to send from a bare pool, and its connections (database-alone.ts). */
  readonly replay?: { readonly connections: Connections; readonly copy: Copy };
  cleanup(): Promise<void>;
}

export interface Scenario {
  readonly name: string;
  /**
   * Work before the load that is not part of it (groups to change): it runs before the process
   * and the database are sampled, and its `cleanup` after, so that neither the setup nor what it
   * left behind is counted, here or in the scenarios after it.
   */
  prepare?(c: Context): Promise<Prepared>;
  /** Whether it loads Roster rather than the floor (whose process is then the one sampled). */
  readonly roster: boolean;
  /** Whether it needs the 100,000-member group of seed.ts. */
  readonly bigGroup?: boolean;
  /** Whether it calls Roster's SCIM facade in the benchmark's own process (which is then the one sampled), not over HTTP. */
  readonly inProcess?: boolean;
  run(c: Context, prepared?: Prepared): Promise<Driven>;
}

interface Load {
  readonly base: string;
  readonly token: string | null;
  readonly connections?: number;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly contentType?: string;
  /** The path and body of the i-th request, counted across all connections. */
  readonly request: (i: number) => { path: string; body?: unknown };
}

/** Drives one load with autocannon for the context's fixed time. */
async function drive(name: string, c: Context, load: Load): Promise<Driven> {
  let i = 0;
  const connections = load.connections ?? CONNECTIONS;
  const r = await autocannon({
    url: load.base,
    connections,
    duration: c.seconds,
    headers: {
      ...(load.token ? { authorization: `Bearer ${load.token}` } : {}),
      'content-type': load.contentType ?? 'application/scim+json',
    },
    requests: [
      {
        method: load.method,
        setupRequest: (req) => {
          const { path, body } = load.request(i++);
          return { ...req, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
        },
      },
    ],
  });
  const requests = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    scenario: name,
    perSecond: requests / r.duration,
    unit: 'req/s',
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests,
    non2xx: r.non2xx,
    errors: r.errors,
    connections,
  };
}

/**
 * Runs one load against the SCIM facade in this process, for the context's fixed time, over as
 * many concurrent loops as drive() opens connections. The body is parsed from its JSON text and the
 * answer's body serialised, as the server does; sockets, Koa, the request log and metrics are left out.
 */
async function driveInProcess(name: string, c: Context, load: Load): Promise<Driven> {
  const scim = c.inProcess;
  if (!scim || !load.token) throw new Error(`${name}: no in-process SCIM facade or token`);
  const token = load.token;
  const connections = load.connections ?? CONNECTIONS;
  const latencies: number[] = [];
  let i = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const stopAt = started + c.seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < stopAt) {
        const { path, body } = load.request(i++);
        const t = performance.now();
        try {
          const res = await scim.call(load.method, path, token, body === undefined ? undefined : JSON.parse(JSON.stringify(body)));
          if (res.body !== undefined) JSON.stringify(res.body);
          if (res.status < 200 || res.status > 299) non2xx++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    scenario: name,
    perSecond: latencies.length / seconds,
    unit: 'req/s',
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
    non2xx,
    errors,
    connections,
  };
}

const filterPath = (prefix: string, attribute: string, value: string) => `${prefix}/Users?filter=${encodeURIComponent(`${attribute} eq "${value}"`)}`;

/** Spreads the i-th request over all seeded users, so consecutive requests touch different rows. */
const spread = (i: number, n: number) => (i * 7919) % n;

const GRAPHQL_PAGE = `query Page($tenantId: ID!) {
  tenant(id: $tenantId) {
    users(first: 100) { edges { node { id userName emails { value } groups { displayName } enterprise { manager { userName } } } } }
  }
}`;

const floorLookup = (c: Context) => drive(FLOOR_SCENARIO, c, { base: c.floorUrl, token: null, method: 'GET', request: (i) => ({ path: filterPath('', 'userName', userName(spread(i, c.seeded.userIds.length))) }) });

/** The floor's req/s over a short load of `seconds`, run between Roster's scenarios for their ratios. */
export const floorRate = async (c: Context, seconds: number): Promise<number> => (await floorLookup({ ...c, seconds })).perSecond;

/**
 * Lookups on Roster and on the floor before anything is measured, so that the first scenario does
 * not pay alone for compiling the read path and collecting what the seeding left behind: it cost
 * the first Roster scenario about a third more CPU a request than the second.
 */
export async function warmUp(c: Context, seconds: number): Promise<void> {
  await drive('warm-up', { ...c, seconds }, lookupByUserName(c));
  await floorRate(c, seconds);
}

export const scenarios: readonly Scenario[] = [
  { name: FLOOR_SCENARIO, roster: false, run: floorLookup },
  {
    name: 'SCIM lookup by userName',
    roster: true,
    run: (c) => drive('SCIM lookup by userName', c, lookupByUserName(c)),
  },
  {
    name: 'SCIM lookup by externalId',
    roster: true,
    run: (c) =>
      drive('SCIM lookup by externalId', c, {
        base: c.rosterUrl,
        token: c.seeded.token,
        method: 'GET',
        request: (i) => ({ path: filterPath('/scim/v2', 'externalId', `ext-${spread(i, c.seeded.userIds.length)}`) }),
      }),
  },
  {
    name: 'SCIM GET /Users/{id}',
    roster: true,
    run: (c) =>
      drive('SCIM GET /Users/{id}', c, {
        base: c.rosterUrl,
        token: c.seeded.token,
        method: 'GET',
        request: (i) => ({ path: `/scim/v2/Users/${c.seeded.userIds[spread(i, c.seeded.userIds.length)]}` }),
      }),
  },
  {
    name: 'SCIM POST /Users',
    roster: true,
    run: (c) => drive('SCIM POST /Users', c, createUsers(c)),
  },
  {
    name: 'SCIM PATCH user (replace title)',
    roster: true,
    run: (c) => {
      // A title no earlier run set, so every request changes its user.
      const run = Date.now().toString(36);
      return drive('SCIM PATCH user (replace title)', c, {
        base: c.rosterUrl,
        token: c.seeded.token,
        method: 'PATCH',
        request: (i) => ({
          path: `/scim/v2/Users/${c.seeded.userIds[i % c.seeded.userIds.length]}`,
          body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: `Title ${run} ${i}` }] },
        }),
      });
    },
  },
  {
    name: 'SCIM PATCH group add member',
    roster: true,
    // Fresh groups, enough that no request re-adds a member (which would change nothing).
    prepare: (c) => memberGroups(c, 'add', MAX_ADDS_PER_SECOND, false),
    run: async (c, prepared) => {
      const groups = prepared!.groupIds;
      return checked(c, groups, await drive('SCIM PATCH group add member', c, memberPatch(c.rosterUrl, c.seeded.token, groups, c.seeded.userIds, 'add')));
    },
  },
  {
    name: 'SCIM PATCH group remove member',
    roster: true,
    // Groups of their own, each holding every seeded user, enough that each request removes a member.
    prepare: (c) => memberGroups(c, 'remove', MAX_REMOVES_PER_SECOND, true),
    run: async (c, prepared) => {
      const groups = prepared!.groupIds;
      return checked(c, groups, await drive('SCIM PATCH group remove member', c, memberPatch(c.rosterUrl, c.seeded.token, groups, c.seeded.userIds, 'remove')));
    },
  },
  {
    name: 'SCIM PATCH group add member, 100k members',
    roster: true,
    bigGroup: true,
    run: async (c) => {
      const big = c.seeded.big;
      if (!big) throw new Error('the 100,000-member group was not seeded (BENCH_BIG_GROUP=0)');
      const m = await drive('SCIM PATCH group add member, 100k members', c, memberPatch(c.rosterUrl, big.token, [big.groupId], big.spareUserIds, 'add'));
      warnIfRepeated(m, big.spareUserIds.length);
      return m;
    },
  },
  { name: 'Entra initial sync, 16 workers', roster: true, run: initialSync },
  ...[1, 10].map(
    (connections): Scenario => ({
      name: `GraphQL 100 users + emails, groups, manager`,
      roster: true,
      run: async (c) => {
        // GraphQL answers errors with status 200: check once that the page is a page.
        const variables = { tenantId: c.seeded.tenantId };
        const probe = await client(c.rosterUrl, c.adminToken, 1)('POST', '/graphql', { query: GRAPHQL_PAGE, variables });
        if (probe.body?.errors || probe.body?.data?.tenant?.users?.edges?.length !== Math.min(100, c.seeded.userIds.length)) {
          throw new Error(`GraphQL page: ${JSON.stringify(probe.body).slice(0, 300)}`);
        }
        return drive('GraphQL 100 users + emails, groups, manager', c, {
          base: c.rosterUrl,
          token: c.adminToken,
          connections,
          method: 'POST',
          contentType: 'application/json',
          request: () => ({ path: '/graphql', body: { query: GRAPHQL_PAGE, variables } }),
        });
      },
    }),
  ),
  // Last, so the users they create do not change what the others read.
  { name: 'in-process SCIM lookup by userName, no HTTP', roster: true, inProcess: true, run: (c) => driveInProcess('in-process SCIM lookup by userName, no HTTP', c, lookupByUserName(c)) },
  { name: 'in-process SCIM POST /Users, no HTTP', roster: true, inProcess: true, run: (c) => driveInProcess('in-process SCIM POST /Users, no HTTP', c, createUsers(c)) },
  ...[
    { name: DATABASE_ALONE_POST, prepare: databaseAlonePost },
    { name: DATABASE_ALONE_ADD, prepare: (c: Context) => databaseAloneAdd(c, DATABASE_ALONE_ADD, false) },
    { name: DATABASE_ALONE_ADD_IN_TURN, prepare: (c: Context) => databaseAloneAdd(c, DATABASE_ALONE_ADD_IN_TURN, true) },
  ].map(
    ({ name, prepare }): Scenario => ({
      name,
      roster: true,
      inProcess: true,
      prepare,
      run: async (c, prepared) => {
        if (!prepared?.replay) throw new Error(`${name}: nothing captured`);
        return replay(prepared.replay.connections, name, prepared.replay.copy, c.seconds);
      },
    }),
  ),
];

/** The connection ids of the seeded tenant, which the statements of its requests name and a copy keeps. */
async function connectionIds(c: Context): Promise<string[]> {
  const db = new pg.Client({ connectionString: c.rosterDb });
  await db.connect();
  try {
    const r = await db.query<{ id: string }>('select id::text from scim_connections where tenant_id = $1', [c.seeded.tenantId]);
    return r.rows.map((row) => row.id);
  } finally {
    await db.end();
  }
}

/**
 * Captures the statements of one request to the in-process SCIM facade (database-alone.ts) after a
 * first, uncaptured one that warms the credential cache and prepares the statements, and opens the
 * bare pool that sends them again. The commit's announcement is left out: a process announces a
 * few dozen times a second, not once per write (docs/architecture.md#announcing-commits).
 */
async function captureForReplay(
  c: Context,
  scenario: string,
  o: {
    readonly warm: () => Promise<ScimResponse>;
    readonly captured: () => Promise<ScimResponse>;
    /** What a copy must write: a table the captured statements insert into. */
    readonly writes: string;
    readonly keep: readonly string[];
    readonly named: Record<string, (i: number) => string>;
    readonly groupIds?: readonly string[];
    readonly cleanup?: () => Promise<void>;
  },
): Promise<Prepared> {
  const warm = await o.warm();
  expect2xx(`${scenario}: the warming request`, { status: warm.status, body: warm.body });
  let status = 0;
  const statements = (
    await captureStatements(async () => {
      status = (await o.captured()).status;
    })
  ).filter((x) => !/\bpg_notify\s*\(/.test(x.text));
  expect2xx(`${scenario}: the captured request`, { status, body: null });
  if (!statements.some((x) => new RegExp(`\\binsert into ${o.writes}\\b`, 'i').test(x.text))) {
    throw new Error(`${scenario}: the captured statements do not write ${o.writes}: ${statements.map((x) => x.text.slice(0, 80)).join(' | ')}`);
  }
  const copy = replicator(statements, new Set([c.seeded.tenantId, ...(await connectionIds(c)), ...o.keep]), o.named);
  const connections = await openConnections(c.rosterDb, CONNECTIONS);
  return {
    groupIds: o.groupIds ?? [],
    replay: { connections, copy },
    async cleanup() {
      await connections.close();
      await o.cleanup?.();
    },
  };
}

/**
 * `POST /Users` sent again for new users: the tenant, its connection and the manager stay, every
 * other id is new, and the userName and externalId are new wherever they stand.
 */
async function databaseAlonePost(c: Context): Promise<Prepared> {
  const scim = c.inProcess;
  if (!scim) throw new Error(`${DATABASE_ALONE_POST}: no in-process SCIM facade`);
  const run = Date.now().toString(36);
  const name = (i: number | string) => `alone-${run}-${i}@example.com`;
  const external = (i: number | string) => `alone-${run}-${i}`;
  const manager = c.seeded.userIds[0]!;
  const create = (i: string) => () => scim.call('POST', '/scim/v2/Users', c.seeded.token, userBody(name(i), external(i), manager));
  return captureForReplay(c, DATABASE_ALONE_POST, {
    warm: create('warm'),
    captured: create('captured'),
    writes: 'users',
    keep: [manager],
    named: { [name('captured')]: (i) => name(i), [external('captured')]: (i) => external(i) },
  });
}

/**
 * A member added, sent again for other users and groups: the i-th copy adds a seeded user to one
 * of the fresh groups, and every other id is new. `inTurn` false: as the add-member scenario sends
 * them, the (i mod n)-th user to one group, the next group every n copies, so that concurrent adds
 * wait for one another on the group's row; true: each copy to the next group in turn, so that none
 * waits. The first group takes the warming and the captured adds.
 */
async function databaseAloneAdd(c: Context, scenario: string, inTurn: boolean): Promise<Prepared> {
  const scim = c.inProcess;
  if (!scim) throw new Error(`${scenario}: no in-process SCIM facade`);
  const groups = await memberGroups(c, 'alone add', MAX_ADDS_PER_SECOND, false);
  const [first, ...rest] = groups.groupIds;
  const users = c.seeded.userIds;
  if (!first || rest.length === 0 || users.length < 2) throw new Error(`${scenario}: too few groups or users`);
  const add = (user: string) => () =>
    scim.call('PATCH', `/scim/v2/Groups/${first}`, c.seeded.token, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: user }] }] });
  const [user, group] = inTurn
    ? [(i: number) => users[Math.floor(i / rest.length) % users.length]!, (i: number) => rest[i % rest.length]!]
    : [(i: number) => users[i % users.length]!, (i: number) => rest[Math.floor(i / users.length) % rest.length]!];
  return captureForReplay(c, scenario, {
    warm: add(users[0]!),
    captured: add(users[1]!),
    writes: 'memberships',
    keep: [],
    named: { [users[1]!]: user, [first]: group },
    groupIds: groups.groupIds,
    cleanup: () => groups.cleanup(),
  });
}

function lookupByUserName(c: Context): Load {
  return {
    base: c.rosterUrl,
    token: c.seeded.token,
    method: 'GET',
    request: (i) => ({ path: filterPath('/scim/v2', 'userName', userName(spread(i, c.seeded.userIds.length))) }),
  };
}

/** New users, named after the time the load starts so that no earlier run created them. */
function createUsers(c: Context): Load {
  const run = Date.now().toString(36);
  return {
    base: c.rosterUrl,
    token: c.seeded.token,
    method: 'POST',
    request: (i) => ({ path: '/scim/v2/Users', body: userBody(`new-${run}-${i}@example.com`, `new-${run}-${i}`, c.seeded.userIds[0]!) }),
  };
}

/** Entra's member PATCH: a different user each time; removal in its filtered-path form (docs/entra.md#two-patch-dialects). */
/**
 * PATCHes of one member each: the i-th request adds (or removes) the (i mod n)-th user, in the
 * first group for the first n requests, the second for the next n, and so on, so that every
 * request changes the membership as long as there are groups left.
 */
function memberPatch(base: string, token: string, groupIds: readonly string[], userIds: readonly string[], op: 'add' | 'remove'): Load {
  return {
    base,
    token,
    method: 'PATCH',
    request: (i) => {
      const id = userIds[i % userIds.length]!;
      const groupId = groupIds[Math.floor(i / userIds.length) % groupIds.length]!;
      const operation = op === 'add' ? { op: 'Add', path: 'members', value: [{ value: id }] } : { op: 'Remove', path: `members[value eq "${id}"]` };
      return { path: `/scim/v2/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [operation] } };
    },
  };
}

/** More member changes a second than the machine serves, so the groups prepared are never used up. */
const MAX_ADDS_PER_SECOND = 10_000;
const MAX_REMOVES_PER_SECOND = 6_000;

/**
 * Enough fresh groups of the seeded tenant for `perSecond` member changes a second for the run,
 * each holding every seeded user when `filled`; the cleanup deletes them and vacuums memberships,
 * so that the users' groups, which later scenarios read, are what the seed made.
 */
async function memberGroups(c: Context, what: string, perSecond: number, filled: boolean): Promise<Prepared> {
  const scim = client(`${c.rosterUrl}/scim/v2`, c.seeded.token, 1);
  const count = Math.ceil((c.seconds * perSecond) / c.seeded.userIds.length);
  const tag = Date.now().toString(36);
  const ids: string[] = [];
  for (let g = 0; g < count; g++) {
    const group = await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `bench ${what} ${tag} ${g}` });
    expect2xx('POST /Groups', group);
    const id = group.body.id as string;
    for (let from = 0; filled && from < c.seeded.userIds.length; from += 1000) {
      const value = c.seeded.userIds.slice(from, from + 1000).map((v) => ({ value: v }));
      expect2xx('filling the group', await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value }] }));
    }
    ids.push(id);
  }
  return {
    groupIds: ids,
    async cleanup() {
      for (const id of ids) expect2xx('DELETE /Groups', await scim('DELETE', `/Groups/${id}`));
      const db = new pg.Client({ connectionString: c.rosterDb });
      await db.connect();
      try {
        await db.query('vacuum analyze memberships');
      } finally {
        await db.end();
      }
    },
  };
}

/** Says so when more requests were sent than distinct changes were prepared: the rest changed nothing, and the rate flatters. */
function warnIfRepeated(m: { scenario: string; requests: number }, distinct: number): void {
  if (m.requests > distinct) console.warn(`${m.scenario}: ${m.requests} requests for ${distinct} distinct member changes; the rest changed nothing`);
}

const checked = <M extends { scenario: string; requests: number }>(c: Context, groups: readonly string[], m: M): M => {
  warnIfRepeated(m, groups.length * c.seeded.userIds.length);
  return m;
};

/** What an Entra-style sync did: SCIM writes (creates and PATCHes) and every request's latency. */
export interface SyncTally {
  readonly writes: number;
  readonly usersCreated: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly latencies: readonly number[];
  readonly seconds: number;
}

/**
 * Entra's initial cycle, SYNC_WORKERS at a time: for each user a lookup by userName, a create, and
 * a PATCH of its manager; for every SYNC_GROUP_SIZE users a group lookup, a group create and one
 * PATCH adding them. Each worker starts another user while `another()` says so.
 */
export async function entraSync(o: { rosterUrl: string; token: string; firstManager: string; tag: string; another: () => boolean }): Promise<SyncTally> {
  const scim = client(`${o.rosterUrl}/scim/v2`, o.token, SYNC_WORKERS);
  const latencies: number[] = [];
  let writes = 0;
  let usersCreated = 0;
  let non2xx = 0;
  let errors = 0;
  const send = async (write: boolean, method: string, path: string, body?: unknown): Promise<Reply | null> => {
    try {
      const r = await scim(method, path, body);
      latencies.push(r.ms);
      if (r.status >= 200 && r.status <= 299) {
        if (write) writes++;
        return r;
      }
      non2xx++;
    } catch {
      errors++;
    }
    return null;
  };
  const started = Date.now();
  await Promise.all(
    Array.from({ length: SYNC_WORKERS }, async (_, w) => {
      let manager = o.firstManager;
      let pending: string[] = [];
      for (let j = 0; o.another(); j++) {
        const un = `sync-${o.tag}-${w}-${j}@example.com`;
        await send(false, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${un}"`)}`);
        const created = await send(true, 'POST', '/Users', userBody(un, `sync-${o.tag}-${w}-${j}`, null));
        if (!created) continue;
        usersCreated++;
        const id = created.body.id as string;
        await send(true, 'PATCH', `/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: manager }],
        });
        manager = id;
        pending.push(id);
        if (pending.length === SYNC_GROUP_SIZE) {
          const displayName = `sync ${o.tag} ${w} ${j}`;
          await send(false, 'GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`);
          const group = await send(true, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName, externalId: displayName });
          if (group) {
            await send(true, 'PATCH', `/Groups/${group.body.id as string}`, {
              schemas: [PATCH_OP],
              Operations: [{ op: 'Add', path: 'members', value: pending.map((value) => ({ value })) }],
            });
          }
          pending = [];
        }
      }
    }),
  );
  return { writes, usersCreated, non2xx, errors, latencies, seconds: (Date.now() - started) / 1000 };
}

/** The initial sync for the context's fixed time; its figure is SCIM writes per second. */
async function initialSync(c: Context): Promise<Driven> {
  const until = Date.now() + c.seconds * 1000;
  const t = await entraSync({ rosterUrl: c.rosterUrl, token: c.seeded.token, firstManager: c.seeded.userIds[0]!, tag: Date.now().toString(36), another: () => Date.now() < until });
  return {
    scenario: 'Entra initial sync, 16 workers',
    perSecond: t.writes / t.seconds,
    unit: 'writes/s',
    p50Ms: percentile(t.latencies, 50),
    p99Ms: percentile(t.latencies, 99),
    requests: t.latencies.length + t.errors,
    non2xx: t.non2xx,
    errors: t.errors,
    connections: SYNC_WORKERS,
  };
}
