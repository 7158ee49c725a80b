import pg from 'pg';
import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { patchBody, USER_SCHEMA, type ScimClient, type ScimReply } from '../../support/scim.js';

/**
 * Database connections that end under a stream of SCIM writes (a restart, a failover,
 * pg_terminate_backend) while a tenant's creates and changes go in batches, pipelined on one
 * shared connection (docs/architecture.md#pipelined-writes): each request is answered 2xx or 503
 * with Retry-After and a SCIM error body, never a 500 and never not at all; the service serves
 * writes again by itself within seconds; every write answered 2xx is in the database, with its
 * audit and change events; and no write is there in part, whatever it was answered
 * (docs/architecture.md#robustness).
 */

const ACQUIRE_MS = 3000;
const STATEMENT_MS = 5000;
const RETRY_AFTER = '3';
// The longest any request may take: its tenant's turn and a connection (each waited for at most
// ACQUIRE_MS), one statement, and slack for a busy machine. Past it a request counts as hung.
const BOUND_MS = 2 * ACQUIRE_MS + STATEMENT_MS + 2000;
const WORKERS = 10;
const LOAD_MS = 3000;
// The database ends every session of Roster's this often while the load runs.
const FAULT_EVERY_MS = 700;
const FAULTS = 3;
const RECOVERY_DEADLINE_MS = 10_000;

let h: Harness;
let scim: ScimClient;
let admin: pg.Client;

beforeAll(async () => {
  h = await startHarness({
    DB_POOL_MAX: '4',
    DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_MS),
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
    RETRY_AFTER_SECONDS: RETRY_AFTER,
  });
  scim = await scimTenant(h);
  // The session that ends the others, and reads what landed: never one of those it ends.
  admin = new pg.Client({ connectionString: h.db.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await h?.close();
});

/** One request as sent and answered: `reply` is null when nothing came back within BOUND_MS. */
interface Answered {
  readonly what: string;
  readonly at: number;
  readonly ms: number;
  readonly reply: ScimReply | null;
  readonly error?: string;
}

async function timed(what: string, request: () => Promise<ScimReply>): Promise<Answered> {
  const at = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), BOUND_MS)));
  try {
    const reply = await Promise.race([request(), late]);
    return { what, at, ms: performance.now() - at, reply };
  } catch (e) {
    // No HTTP answer at all: the listener dropped the socket.
    return { what, at, ms: performance.now() - at, reply: null, error: String(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** What a client was told of one user: its create, and its change if one was sent (at most one). */
interface Sent {
  readonly userName: string;
  create: Answered;
  id?: string;
  title?: string;
  patch?: Answered;
}

const users: Sent[] = [];
const answers: Answered[] = [];
let n = 0;

const post = async (): Promise<Sent> => {
  const userName = `write.fault.${++n}@example.com`;
  const create = await timed(`POST ${userName}`, () => scim.post('/Users', { schemas: [USER_SCHEMA], userName }));
  const sent: Sent = { userName, create };
  if (create.reply?.status === 201) sent.id = String(create.reply.body.id);
  users.push(sent);
  answers.push(create);
  return sent;
};

const patch = async (sent: Sent): Promise<Answered> => {
  const title = `title of ${sent.userName}`;
  sent.title = title;
  const answered = await timed(`PATCH ${sent.userName}`, () => scim.patch(`/Users/${sent.id}`, patchBody({ op: 'replace', path: 'title', value: title })));
  sent.patch = answered;
  answers.push(answered);
  return answered;
};

/** Ends every session of the app's database but its own; how many it ended. */
async function endSessions(): Promise<number> {
  const r = await admin.query<{ n: number }>(
    'select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()) t',
  );
  return r.rows[0]!.n;
}

const describeAnswer = (a: Answered): string => `${a.what}: ${a.reply ? `${a.reply.status} ${a.reply.text.slice(0, 300)}` : `no answer in ${Math.round(a.ms)} ms${a.error ? ` (${a.error})` : ''}`}`;

function expectUnavailable(a: Answered): void {
  const r = a.reply!;
  expect({ what: a.what, status: r.status, retryAfter: r.headers.get('retry-after') }).toEqual({ what: a.what, status: 503, retryAfter: RETRY_AFTER });
  expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
}

describe('SCIM writes while the database ends its connections', () => {
  let faults: number[] = [];
  let lastFault = 0;

  it('answers every write 201, 200 or 503 with Retry-After, never a 500 and never not at all', async () => {
    const start = performance.now();
    const worker = async () => {
      let i = 0;
      while (performance.now() - start < LOAD_MS) {
        const sent = await post();
        // About half of the users created are changed once, right after.
        if (sent.id !== undefined && i++ % 2 === 0) await patch(sent);
      }
    };
    const fault = async () => {
      const ended: number[] = [];
      for (let k = 1; k <= FAULTS; k++) {
        await new Promise((r) => setTimeout(r, start + k * FAULT_EVERY_MS - performance.now()));
        ended.push(await endSessions());
        lastFault = performance.now();
      }
      return ended;
    };
    [faults] = await Promise.all([fault(), ...Array.from({ length: WORKERS }, worker)]);
    // Each time, the database ended sessions of Roster's that were in use or pooled.
    for (const ended of faults) expect(ended).toBeGreaterThan(0);

    // A 409 cannot be right here: every create names a userName no one sent before, and no
    // request is sent again, so a name can be taken only by its own create.
    const wrong = answers.filter((a) => a.reply === null || ![200, 201, 503].includes(a.reply.status));
    expect(wrong.map(describeAnswer)).toEqual([]);
    for (const a of answers.filter((x) => x.reply!.status === 503)) expectUnavailable(a);
  });

  it('serves writes again by itself once the faults stop', async () => {
    // The first write answered after the last fault, by the load or by this loop.
    let recovered = answers.find((a) => a.at > lastFault && a.reply?.status === 201);
    const deadline = performance.now() + RECOVERY_DEADLINE_MS;
    while (!recovered && performance.now() < deadline) {
      const sent = await post();
      if (sent.create.reply?.status === 201) recovered = sent.create;
      else {
        // Until then, refused as during the faults.
        expect(sent.create.reply).not.toBeNull();
        expectUnavailable(sent.create);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(recovered).toBeDefined();
    const recoveryMs = Math.round(recovered!.at + recovered!.ms - lastFault);

    // Then every write succeeds: one after the other, then side by side (creates and changes of
    // the tenant in one queue, docs/architecture.md#pipelined-writes).
    const after: Answered[] = [];
    const sequential: Sent[] = [];
    for (let i = 0; i < 10; i++) {
      const sent = await post();
      after.push(sent.create);
      sequential.push(sent);
      if (i < 5 && sent.id !== undefined) after.push(await patch(sent));
    }
    const unchanged = sequential.slice(5).filter((s) => s.id !== undefined);
    after.push(...(await Promise.all([...Array.from({ length: 5 }, () => post().then((s) => s.create)), ...unchanged.map(patch)])));
    expect(after.filter((a) => a.reply?.status !== (a.what.startsWith('PATCH') ? 200 : 201)).map(describeAnswer)).toEqual([]);
    expect(after.length).toBe(25);
    // No connection stays held by a unit, or a pipeline, whose connection ended.
    // The announcements of the last commits take a connection for a moment (docs/architecture.md#announcing-commits).
    await h.db.settled();
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^roster_db_pool_in_use 0$/m);
    expect(metrics).toMatch(/^roster_db_pool_waiting 0$/m);

    const count = (kind: string, status: number) => answers.filter((a) => a.what.startsWith(kind) && a.reply?.status === status).length;
    process.stdout.write(
      `write faults: ${faults.join('+')} sessions ended; ${count('POST', 201)} creates and ${count('PATCH', 200)} changes acknowledged, ` +
        `${count('POST', 503)} creates and ${count('PATCH', 503)} changes answered 503; ` +
        `writes served again ${recoveryMs} ms after the last fault\n`,
    );
  });

  it('holds every write it acknowledged, with its audit and change events, and no write in part', async () => {
    const byName = new Map(users.map((u) => [u.userName, u]));
    const acknowledged = users.filter((u) => u.create.reply?.status === 201);
    const problems: string[] = [];

    // Through the API: each user whose create was answered 201 is there with its userName, and
    // with the title of its change when that was answered 200.
    for (let i = 0; i < acknowledged.length; i += 10) {
      await Promise.all(
        acknowledged.slice(i, i + 10).map(async (u) => {
          const r = await scim.get(`/Users/${u.id}`);
          if (r.status !== 200) return void problems.push(`GET ${u.userName} (${u.id}): ${r.status}`);
          if (r.body.userName !== u.userName) problems.push(`GET ${u.id}: userName ${r.body.userName}, created as ${u.userName}`);
          if (u.patch?.reply?.status === 200 && r.body.title !== u.title) problems.push(`GET ${u.userName}: title ${r.body.title}, changed to "${u.title}" (answered 200)`);
          if (!u.patch && r.body.title !== undefined) problems.push(`GET ${u.userName}: title ${r.body.title}, never changed`);
        }),
      );
    }

    // In the database: every user's row came with exactly one audit event and one change event of
    // its create, and one of each of every change that moved its version, whatever the request
    // was answered (a write whose connection ended may have committed, docs/architecture.md#robustness);
    // and no event names a user that is not there.
    const tenant = scim.ctx.tenantId;
    const rows = (await admin.query<{ id: string; user_name: string; title: string | null; version: number }>('select id, user_name, title, version from users where tenant_id = $1', [tenant])).rows;
    const counted = async (sql: string): Promise<Map<string, number>> => {
      const r = await admin.query<{ resource_id: string; kind: string; n: number }>(sql, [tenant]);
      return new Map(r.rows.map((x) => [`${x.resource_id} ${x.kind}`, x.n]));
    };
    const audit = await counted("select resource_id, action as kind, count(*)::int as n from audit_events where tenant_id = $1 and resource_type = 'User' and outcome = 'success' group by 1, 2");
    const events = await counted("select resource_id, type as kind, count(*)::int as n from change_events where tenant_id = $1 and resource_type = 'User' group by 1, 2");
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const key of [...audit.keys(), ...events.keys()]) if (!byId.has(key.split(' ')[0]!)) problems.push(`an event with no user: ${key}`);
    let landedThough503 = 0;
    for (const row of rows) {
      const sent = byName.get(row.user_name);
      const of = (m: Map<string, number>, kind: string) => m.get(`${row.id} ${kind}`) ?? 0;
      const seen = {
        creates: [of(audit, 'user.create'), of(events, 'user.created')],
        changes: [of(audit, 'user.update'), of(events, 'user.updated')],
      };
      const want = { creates: [1, 1], changes: [row.version - 1, row.version - 1] };
      if (JSON.stringify(seen) !== JSON.stringify(want)) problems.push(`user ${row.user_name} at version ${row.version}: events ${JSON.stringify(seen)}`);
      if (!sent) {
        problems.push(`user ${row.user_name}: no create sent such a userName`);
        continue;
      }
      if (sent.create.reply?.status === 201 && sent.id !== row.id) problems.push(`user ${row.user_name}: id ${row.id}, answered ${sent.id}`);
      if (sent.create.reply?.status !== 201) landedThough503++;
      // Each user is changed at most once, to the title sent.
      const title = row.version === 2 ? sent.title : row.version === 1 ? undefined : 'a version neither 1 nor 2';
      if ((row.title ?? undefined) !== title || (row.version === 2 && !sent.patch)) problems.push(`user ${row.user_name}: version ${row.version}, title ${row.title}`);
    }
    for (const u of acknowledged) if (!byId.has(u.id!)) problems.push(`user ${u.userName} (${u.id}), answered 201, is not in the database`);
    for (const u of users) if (u.patch?.reply?.status === 200 && byId.get(u.id!)?.version !== 2) problems.push(`the change of ${u.userName}, answered 200, is not in the database`);
    expect(problems).toEqual([]);
    process.stdout.write(`write faults: ${rows.length} users in the database, ${acknowledged.length} acknowledged, ${landedThough503} created though answered 503\n`);
  });
});
