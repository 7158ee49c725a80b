import pg from 'pg';
import { captureStatements, openConnections, replay, replicator } from '../../bench/http/database-alone.js';
import { userBody } from '../../bench/http/seed.js';
import { scimSuite } from '../../support/harness.js';

/**
 * The benchmark's "PostgreSQL alone" row replays the statements of a real SCIM POST /Users for new
 * users: each copy must write what Roster writes for a create, for its own user.
 */
const s = scimSuite();

describe('PostgreSQL alone: the statements of a SCIM POST /Users', () => {
  it('are captured from the real request and, sent again, create other users with their values, audit and change events', async () => {
    const manager = await s.c.post('/Users', userBody('manager@example.com', 'manager', null));
    expect(manager.status).toBe(201);
    // The first create prepares the statements and caches the credential, as in the benchmark.
    expect((await s.c.post('/Users', userBody('warm@example.com', 'warm', manager.body.id))).status).toBe(201);
    let created: { status: number; body: { id: string } } | undefined;
    const statements = await captureStatements(async () => {
      created = await s.c.post('/Users', userBody('captured@example.com', 'captured', manager.body.id));
    });
    expect(created?.status).toBe(201);
    const writes = statements.filter((x) => !/\bpg_notify\s*\(/.test(x.text));
    expect(writes.some((x) => /\binsert into users\b/.test(x.text))).toBe(true);

    const keep = new Set([s.c.ctx.tenantId, s.c.connection.id, manager.body.id]);
    const copy = replicator(writes, keep, { 'captured@example.com': (i) => `copy${i}@example.com`, captured: (i) => `copy-${i}` });
    const connections = await openConnections(s.h.db.url, 2);
    let m;
    try {
      m = await replay(connections, 'alone', copy, 0.3);
    } finally {
      await connections.close();
    }
    expect(m.errors).toBe(0);
    expect(m.requests).toBeGreaterThan(1);

    const db = new pg.Client({ connectionString: s.h.db.url });
    await db.connect();
    try {
      const users = await db.query<{ id: string; user_name: string; external_id: string; manager_value: string | null; values: string; audits: string; events: string }>(
        `select u.id, u.user_name, u.external_id, u.manager_value,
           (select count(*) from user_values v where v.user_id = u.id)::text as values,
           (select count(*) from audit_events a where a.resource_id = u.id and a.action = 'user.create')::text as audits,
           (select count(*) from change_events e where e.resource_id = u.id and e.type = 'user.created')::text as events
         from users u where u.tenant_id = $1 and u.user_name like 'copy%' order by u.user_name`,
        [s.c.ctx.tenantId],
      );
      expect(users.rows).toHaveLength(m.requests);
      const original = await db.query<{ values: string }>('select count(*)::text as values from user_values where user_id = $1', [created!.body.id]);
      for (const u of users.rows) {
        expect(u.id).not.toBe(created!.body.id);
        expect(u.external_id).toBe(u.user_name.replace(/^copy(\d+)@example\.com$/, 'copy-$1'));
        expect(u.manager_value).toBe(manager.body.id);
        expect(u.values).toBe(original.rows[0]!.values);
        expect([u.audits, u.events]).toEqual(['1', '1']);
      }
      // SCIM serves a copy as a user of the tenant.
      const got = await s.c.get(`/Users/${users.rows[0]!.id}`);
      expect(got.status).toBe(200);
      expect(got.body.userName).toBe(users.rows[0]!.user_name);
    } finally {
      await db.end();
    }
  });
});
