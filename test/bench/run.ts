/**
 * `npm run bench`: measures the budgets of docs/architecture.md#performance-budgets against a real PostgreSQL.
 *
 *   BENCH_USERS (default 200000; the budget is stated for 1000000), BENCH_GROUPS (default 10000),
 *   BENCH_DATABASE_URL (a server to use; else TEST_DATABASE_URL; else an embedded PostgreSQL),
 *   BENCH_KEEP=1 (keep the seeded database `roster_bench` afterwards).
 *
 * It seeds one tenant with set-based SQL (seeding speed is not what is measured), then times the
 * domain services — the code both front doors call — and prints medians and ratios.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { migrate, openOrm } from '../../src/db/orm.js';
import { exec, query } from '../../src/db/sql.js';
import { systemActor, type Ctx } from '../../src/domain/context.js';
import type { ListQuery } from '../../src/domain/ports.js';
import { f } from '../../src/domain/shared/filter.js';
import { createServer } from 'node:http';
import { loadConfig } from '../../src/config/config.js';
import { createReadinessProbe } from '../../src/db/database.js';
import { createLogger } from '../../src/http/logger.js';
import { createRosterApp } from '../../src/composition/app.js';
import { buildServices } from '../../src/composition/services.js';

const USERS = Number(process.env.BENCH_USERS ?? 200_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 10_000);
const BIG = Math.min(100_000, USERS);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(out);
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | null = null;
  let dir: string | null = null;
  let server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!server) {
    dir = await mkdtemp(path.join(tmpdir(), 'roster-bench-'));
    embedded = await startEmbeddedPostgres(dir, { database: 'postgres', persistent: false });
    server = embedded.url;
  }
  const admin = new URL(server);
  admin.pathname = '/postgres';
  const name = 'roster_bench';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  let statements = 0;
  // Seeding a million users takes longer than a request's statement_timeout.
  const orm = await openOrm({ url: url.toString(), statementTimeoutMs: 3_600_000, onQuery: () => statements++ });
  await migrate(orm);
  const services = buildServices(orm);
  const tenant = await services.tenants.create(systemActor, 'bench');
  const ctx: Ctx = { tenantId: tenant.id, actor: systemActor, requestId: null };
  const em = () => orm.em.fork();

  console.log(`seeding ${USERS} users, ${GROUPS} groups, a group of ${BIG} members ...`);
  const t0 = Date.now();
  await exec(
    em(),
    `insert into users (id, tenant_id, user_name, login_name, external_id, display_name, active, extensions, version, created_at, updated_at, emails)
     select gen_random_uuid(), ?, 'user' || g || '@example.com', 'user' || g || '@example.com', 'ext-' || g, 'User ' || g, true, '{}', 1, now(), now(),
       json_build_array(json_build_object('value', 'user' || g || '@example.com', 'type', 'work', 'primary', true, 'display', null))
     from generate_series(1, ?) g`,
    [tenant.id, USERS],
  );
  await exec(
    em(),
    // The same e-mail as a value row, which filters search (docs/architecture.md#multi-valued-attributes).
    `insert into user_values (tenant_id, user_id, attribute, position, value, type, "primary", display)
     select tenant_id, id, 'emails', 0, user_name, 'work', true, null from users where tenant_id = ?`,
    [tenant.id],
  );
  await exec(
    em(),
    `insert into groups (id, tenant_id, display_name, extensions, version, created_at, updated_at)
     select gen_random_uuid(), ?, 'group ' || g, '{}', 1, now(), now() from generate_series(1, ?) g`,
    [tenant.id, GROUPS],
  );
  const [big, small] = await query<{ id: string }>(em(), `select id from groups where tenant_id = ? and display_name in ('group 1', 'group 2') order by display_name`, [tenant.id]);
  await exec(
    em(),
    `insert into memberships (tenant_id, group_id, member_user_id, created_at)
     select ?, ?, id, now() from (select id from users where tenant_id = ? order by id limit ?) u`,
    [tenant.id, big!.id, tenant.id, BIG],
  );
  await exec(
    em(),
    `insert into memberships (tenant_id, group_id, member_user_id, created_at)
     select ?, ?, id, now() from (select id from users where tenant_id = ? order by id limit 10) u`,
    [tenant.id, small!.id, tenant.id],
  );
  await exec(em(), 'vacuum analyze');
  console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

  const pick = (i: number) => 1 + ((i * 7919) % USERS);
  const one = (filter: ReturnType<typeof f.eq>): ListQuery => ({ filter, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: false });
  const lookups: [string, (i: number) => ListQuery][] = [
    ['userName eq', (i) => one(f.eq('userName', `USER${pick(i)}@example.com`))],
    ['externalId eq', (i) => one(f.eq('externalId', `ext-${pick(i)}`))],
    ['emails[value eq]', (i) => one(f.some('emails', f.eq('value', `user${pick(i)}@example.com`)))],
  ];
  const rows: [string, string][] = [];
  for (const [label, q] of lookups) {
    statements = 0;
    const t = await time(200, async (i) => {
      const r = await services.users.list(ctx, q(i));
      if (r.items.length !== 1) throw new Error(`${label}: expected one match`);
    });
    rows.push([`lookup by ${label} (median of 200)`, `${ms(t)}, ${statements / 200} statement(s) each`]);
  }

  // Keyset paging through every user: time and heap stay bounded by the page, not the table.
  const heap: number[] = [];
  let seen = 0;
  let cursor: string | null = null;
  const tp = Date.now();
  for (;;) {
    const page = await services.users.list(ctx, { filter: null, sort: null, page: { mode: 'keyset', direction: 'forward', cursor, limit: 1000 }, withTotal: false });
    seen += page.items.length;
    if (seen % 20_000 === 0) heap.push(process.memoryUsage().heapUsed);
    if (!page.hasMore) break;
    cursor = page.items.at(-1)!.cursor;
  }
  if (seen !== USERS) throw new Error(`paged ${seen} of ${USERS} users`);
  rows.push([`page through all ${USERS} users, 1000 a page`, `${((Date.now() - tp) / 1000).toFixed(1)} s; heap ${(Math.min(...heap) / 2 ** 20).toFixed(0)}–${(Math.max(...heap) / 2 ** 20).toFixed(0)} MiB`]);

  // Membership changes: the same cost in a group of 10 and of BIG members.
  const fresh = await query<{ id: string }>(em(), `select id from users where tenant_id = ? order by id desc limit 10`, [tenant.id]);
  const members = fresh.map((r) => ({ id: r.id, type: 'User' as const }));
  const change = async (groupId: string) =>
    time(30, async () => {
      await services.groups.addMembers(ctx, groupId, members);
      await services.groups.removeMembers(ctx, groupId, members.map((m) => m.id));
    });
  const smallT = await change(small!.id);
  const bigT = await change(big!.id);
  rows.push([`add+remove 10 members, group of 10 (median of 30)`, ms(smallT)]);
  rows.push([`add+remove 10 members, group of ${BIG}`, `${ms(bigT)} (ratio ${(bigT / smallT).toFixed(2)})`]);
  const getSmall = await time(100, () => services.groups.get(ctx, small!.id));
  const getBig = await time(100, () => services.groups.get(ctx, big!.id));
  rows.push([`read a group without members, group of 10 vs ${BIG}`, `${ms(getSmall)} vs ${ms(getBig)} (ratio ${(getBig / getSmall).toFixed(2)})`]);

  // SCIM over HTTP, as Entra calls it (which asks for at least 25 requests/second per tenant).
  // Client and server share this process and its two cores, so these are lower bounds.
  const { token } = await services.connections.create(ctx, 'bench');
  const readiness = createReadinessProbe(url.toString());
  const app = createRosterApp({ services, config: loadConfig({ LOG_LEVEL: 'silent' }), logger: createLogger('silent'), ready: () => readiness.check() });
  const http = createServer(app.callback());
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const addr = http.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/scim/v2`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  const load = async (label: string, seconds: number, concurrency: number, send: (i: number) => Promise<Response>) => {
    const latencies: number[] = [];
    const until = Date.now() + seconds * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          const i = n++;
          const t = process.hrtime.bigint();
          const res = await send(i);
          await res.arrayBuffer();
          if (res.status >= 400) throw new Error(`${label}: HTTP ${res.status}`);
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }),
    );
    rows.push([`SCIM ${label}, ${concurrency} concurrent, ${seconds} s`, `${(latencies.length / seconds).toFixed(0)} requests/s, median ${ms(median(latencies))}`]);
  };
  await load('GET /Users?filter=userName eq', 5, 8, (i) =>
    fetch(`${base}/Users?filter=${encodeURIComponent(`userName eq "user${pick(i)}@example.com"`)}`, { headers }),
  );
  const patchIds = (await query<{ id: string }>(em(), 'select id from users where tenant_id = ? order by id limit 1000', [tenant.id])).map((r) => r.id);
  await load('PATCH /Users/{id} (replace title)', 5, 8, (i) =>
    fetch(`${base}/Users/${patchIds[i % patchIds.length]}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value: `T${i}` }] }),
    }),
  );
  http.closeAllConnections();
  await new Promise((r) => http.close(r));

  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);

  await readiness.close();
  await orm.close(true);
  // BENCH_KEEP=1 leaves the seeded database behind for a closer look (EXPLAIN and the like).
  if (!process.env.BENCH_KEEP) {
    const drop = new pg.Client({ connectionString: admin.toString() });
    await drop.connect();
    await drop.query(`drop database if exists ${name} with (force)`);
    await drop.end();
  }
  await embedded?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
