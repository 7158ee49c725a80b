import { v7 as uuidv7 } from 'uuid';
import { buildServices } from '../../src/composition/services.js';
import { createEventRepository } from '../../src/db/repositories/event.repository.js';
import { systemActor } from '../../src/domain/context.js';
import { eventsOf } from '../support/events.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { USER_SCHEMA } from '../support/scim.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { runCliProcess, startRoster } from '../support/server-process.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('change events in the real process', () => {
  it('keeps the event of every acknowledged change when killed with SIGKILL mid-traffic, and prunes past the retention at start', async () => {
    const env = { DATABASE_URL: db.url };
    const tenant = JSON.parse((await runCliProcess(['--json', 'tenant', 'create', '--name', 'Killed'], env)).stdout) as { id: string };
    const { token } = JSON.parse((await runCliProcess(['--json', 'connection', 'create', '--tenant', tenant.id, '--name', 'idp'], env)).stdout) as { token: string };
    const p = await startRoster(env);
    const acknowledged: string[] = [];
    let sent = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const userName = `killed-${sent++}@example.com`;
        try {
          const res = await fetch(`${p.baseUrl}/scim/v2/Users`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
            body: JSON.stringify({ schemas: [USER_SCHEMA], userName }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          return; // the process is gone
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
    // Killed while requests are in flight: no shutdown hook runs.
    expect(await p.stop('SIGKILL')).toBeNull();
    stop = true;
    await Promise.all(workers);
    expect(sent).toBeGreaterThan(acknowledged.length);

    // An event past the retention: the restarted process prunes it as it starts.
    const old = uuidv7();
    await db.orm.em.fork().transactional((em) =>
      createEventRepository(em).append({
        id: old, tenantId: tenant.id, occurredAt: new Date(Date.now() - 3 * 86_400_000), actorType: 'system', actorId: null, requestId: null,
        type: 'user.updated', resourceType: 'User', resourceId: acknowledged[0]!, changedAttributes: [], data: {},
      }),
    );
    const again = await startRoster({ ...env, EVENT_RETENTION_DAYS: '2' });
    try {
      const services = buildServices(db.orm);
      const ctx = { tenantId: tenant.id, actor: systemActor, requestId: null };
      const events = await eventsOf(services, ctx, acknowledged.length);
      const created = new Set(events.filter((e) => e.type === 'user.created').map((e) => e.resourceId));
      expect(acknowledged.filter((id) => !created.has(id))).toEqual([]);
      // And no event without its change: every event's user exists.
      const users = await services.users.getMany(ctx, [...created]);
      expect(users.length).toBe(created.size);
      const deadline = Date.now() + 15_000;
      while (again.logs.every((l) => l.msg !== 'change events pruned') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(again.logs.find((l) => l.msg === 'change events pruned')).toMatchObject({ pruned: 1, retentionDays: 2 });
      const left = await eventsOf(services, ctx, acknowledged.length);
      expect(left.some((e) => e.id === old)).toBe(false);
      expect(left.length).toBe(events.filter((e) => e.id !== old).length);
    } finally {
      await again.stop();
    }
  });
});

describe('subscriptions on the real process', () => {
  it('streams events written through SCIM to a graphql-ws client, and closes its socket on shutdown', async () => {
    const key = `roster_key_${'e'.repeat(48)}`;
    const env = { DATABASE_URL: db.url, BOOTSTRAP_ADMIN_TOKEN: key };
    const tenant = JSON.parse((await runCliProcess(['--json', 'tenant', 'create', '--name', 'Streamed'], env)).stdout) as { id: string };
    const { token } = JSON.parse((await runCliProcess(['--json', 'connection', 'create', '--tenant', tenant.id, '--name', 'idp'], env)).stdout) as { token: string };
    const p = await startRoster(env);
    let closed: number | null = null;
    const client = wsClient(p.baseUrl, { authorization: `Bearer ${key}` }, (code) => (closed = code));
    try {
      const s = subscribe<{ events: { type: string; data: { userName: string } } }>(client, 'subscription($t: ID) { events(tenantId: $t) { type data } }', { t: tenant.id });
      await new Promise((r) => setTimeout(r, 500));
      for (const userName of ['s1@example.com', 's2@example.com']) {
        const res = await fetch(`${p.baseUrl}/scim/v2/Users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify({ schemas: [USER_SCHEMA], userName }),
        });
        expect(res.status).toBe(201);
      }
      const got = await s.atLeast(2);
      expect(got.map((r) => [r.events.type, r.events.data.userName])).toEqual([['user.created', 's1@example.com'], ['user.created', 's2@example.com']]);
      expect(await p.stop('SIGTERM')).toBe(0);
      await s.ended;
      expect(closed).toBe(1001);
    } finally {
      await client.dispose();
      if (p.proc.exitCode === null) await p.stop('SIGKILL');
    }
  });
});
