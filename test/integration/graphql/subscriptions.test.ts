import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { buildServices } from '../../../src/composition/services.js';
import { openOrm } from '../../../src/db/orm.js';
import { systemActor } from '../../../src/domain/context.js';
import { eventsOf } from '../../support/events.js';
import { profile } from '../../support/fixtures.js';
import { gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { CREDENTIAL_RECHECK_MS } from '../../../src/http/subscriptions.js';
import { SUBSCRIPTION_POLL_MS } from '../../../src/composition/app.js';
import { subscribe, wsClient } from '../../support/subscriptions.js';

let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
const clients: Client[] = [];
beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, `subs-${Date.now()}`);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await h.close();
});

const client = (params: Record<string, unknown> | null, onClose?: (code: number, reason: string) => void) => {
  const c = wsClient(h.baseUrl, params, onClose);
  clients.push(c);
  return c;
};
const ctxOf = (tenantId: string) => ({ tenantId, actor: systemActor, requestId: null });
const EVENTS = 'subscription($t: ID, $types: [String!], $after: String) { events(tenantId: $t, types: $types, after: $after) { id type position resourceId data } }';
type Ev = { events: Json };
const createUser = (userName: string, key = t.adminKey, tenantId = t.id) =>
  gqlOk(h, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { tenantId, userName } }, key);

/** Waits until the server has answered the subscribe (a live subscription is reading). */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('subscription { events }', () => {
  it('streams the tenant\'s new events, in order, as they commit', async () => {
    const s = subscribe<Ev>(client({ authorization: `Bearer ${t.readKey}` }), EVENTS, {});
    await settle();
    const ann = (await createUser('ann@example.com')).createUser.user.id as string;
    await gqlOk(h, 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }', { i: { id: ann, title: 'Lead' } }, t.adminKey);
    await gqlOk(h, 'mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { user { id } } }', { i: { id: ann } }, t.adminKey);
    const got = await s.atLeast(3);
    expect(got.map((r) => r.events.type)).toEqual(['user.created', 'user.updated', 'user.deactivated']);
    expect(got.every((r) => r.events.resourceId === ann)).toBe(true);
    expect(got[2]!.events.data).toMatchObject({ id: ann, active: false });
    // The same events, in the same order, as the feed.
    const feed = await eventsOf(h.services, ctxOf(t.id), 3);
    expect(got.map((r) => r.events.id)).toEqual(feed.slice(-3).map((e) => e.id));
    s.stop();
  });

  it('resumes from a cursor: replays what followed it, then goes on live, filtered by type', async () => {
    const feed = await eventsOf(h.services, ctxOf(t.id), 3);
    const s = subscribe<Ev>(client({ apiKey: t.readKey }), EVENTS, { after: feed[0]!.position });
    const replayed = await s.atLeast(feed.length - 1);
    expect(replayed.map((r) => r.events.id)).toEqual(feed.slice(1).map((e) => e.id));
    await createUser('bob@example.com');
    const live = await s.atLeast(feed.length);
    expect(live.at(-1)!.events).toMatchObject({ type: 'user.created', data: { userName: 'bob@example.com' } });
    s.stop();

    const onlyCreated = subscribe<Ev>(client({ apiKey: t.readKey }), EVENTS, { after: feed[0]!.position, types: ['user.created'] });
    const created = await onlyCreated.atLeast(1);
    expect(created.map((r) => r.events.data.userName)).toEqual(['bob@example.com']);
    onlyCreated.stop();
  });

  it('sees events written through another database connection pool, as from another process', async () => {
    const s = subscribe<Ev>(client({ authorization: `Bearer ${t.adminKey}` }), EVENTS, {});
    await settle();
    const orm = await openOrm({ url: h.db.url, poolMax: 2 });
    try {
      await buildServices(orm).users.create(ctxOf(t.id), profile('elsewhere@example.com'));
    } finally {
      await orm.close(true);
    }
    const [got] = await s.atLeast(1);
    expect(got!.events.data.userName).toBe('elsewhere@example.com');
    s.stop();
  });

  it('gives another tenant\'s key nothing of this tenant', async () => {
    const other = await tenantWithKeys(h, `subs-other-${Date.now()}`);
    const refused = subscribe<Ev>(client({ apiKey: other.adminKey }), EVENTS, { t: t.id, after: null });
    await refused.ended;
    expect(refused.results).toEqual([]);
    expect(refused.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    // Its own subscription hears only its own tenant.
    const own = subscribe<Ev>(client({ apiKey: other.adminKey }), EVENTS, {});
    await settle();
    await createUser('not-theirs@example.com');
    await createUser('theirs@example.com', other.adminKey, other.id);
    const [got] = await own.atLeast(1);
    expect(got!.events.data.userName).toBe('theirs@example.com');
    await settle();
    expect(own.results).toHaveLength(1);
    own.stop();
  });

  it.each([
    ['no key', null],
    ['a wrong key', { authorization: 'Bearer roster_key_wrong' }],
    ['a key in the wrong place', { token: t?.adminKey }],
  ])('refuses %s with close code 4401', async (_what, params) => {
    let closed: { code: number; reason: string } | null = null;
    const s = subscribe<Ev>(client(params as Record<string, unknown> | null, (code, reason) => (closed = { code, reason })), EVENTS, {});
    await s.ended;
    expect(s.results).toEqual([]);
    expect(closed).toMatchObject({ code: 4401 });
  });

  it('ends a subscription whose key is revoked, closing its socket with 4401', async () => {
    const { createApiKey } = await gqlOk(h, 'mutation($t: ID) { createApiKey(input: { tenantId: $t, name: "short-lived", role: READ_ONLY }) { apiKey { id } secret } }', { t: t.id }, t.adminKey);
    let closed: { code: number; reason: string } | null = null;
    const s = subscribe<Ev>(client({ apiKey: createApiKey.secret }, (code, reason) => (closed = { code, reason })), EVENTS, {});
    await settle();
    await createUser('before-revoke@example.com');
    expect((await s.atLeast(1))[0]!.events.data.userName).toBe('before-revoke@example.com');
    await gqlOk(h, 'mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }', { id: createApiKey.apiKey.id }, t.adminKey);
    const revokedAt = Date.now();
    await s.ended;
    expect(closed).toMatchObject({ code: 4401 });
    expect(Date.now() - revokedAt).toBeLessThan(CREDENTIAL_RECHECK_MS + 5_000);
    // A subscription on a key still valid goes on.
    const other = subscribe<Ev>(client({ apiKey: t.readKey }), EVENTS, {});
    await settle();
    await createUser('after-revoke@example.com');
    expect((await other.atLeast(1))[0]!.events.data.userName).toBe('after-revoke@example.com');
    other.stop();
  }, 30_000);

  it('checks open sockets\' keys from the credential cache: a round sends no statement while no key changed', async () => {
    // Only this socket is open, on a key looked up as it opened (cache entries live 30 s).
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    const { createApiKey } = await gqlOk(h, 'mutation($t: ID) { createApiKey(input: { tenantId: $t, name: "watcher", role: READ_ONLY }) { secret } }', { t: t.id }, t.adminKey);
    const s = subscribe<Ev>(client({ apiKey: createApiKey.secret }), EVENTS, {});
    await settle();
    h.db.statements.length = 0;
    await new Promise((r) => setTimeout(r, CREDENTIAL_RECHECK_MS + 1_500));
    expect(h.db.statements.filter((q) => q.includes('api_keys'))).toEqual([]);
    // The socket passed its check and is still served.
    await createUser('rechecked@example.com');
    expect((await s.atLeast(1))[0]!.events.data.userName).toBe('rechecked@example.com');
    s.stop();
  }, 30_000);

  it('ends the subscriptions of a deleted tenant\'s keys, closing their sockets with 4401', async () => {
    const doomed = await tenantWithKeys(h, `subs-doomed-${Date.now()}`);
    let closed: { code: number; reason: string } | null = null;
    const s = subscribe<Ev>(client({ apiKey: doomed.readKey }, (code, reason) => (closed = { code, reason })), EVENTS, {});
    await settle();
    await gqlOk(h, 'mutation($id: ID!) { deleteTenant(input: { id: $id }) { deletedId } }', { id: doomed.id });
    const deletedAt = Date.now();
    await s.ended;
    expect(closed).toMatchObject({ code: 4401 });
    expect(Date.now() - deletedAt).toBeLessThan(CREDENTIAL_RECHECK_MS + 5_000);
  }, 30_000);

  it('ends a platform key\'s subscription to a tenant once the tenant is deleted, with NOT_FOUND', async () => {
    const doomed = await tenantWithKeys(h, `subs-doomed-platform-${Date.now()}`);
    const s = subscribe<Ev>(client({ apiKey: h.adminKey }), EVENTS, { t: doomed.id });
    await settle();
    await gqlOk(h, 'mutation($id: ID!) { deleteTenant(input: { id: $id }) { deletedId } }', { id: doomed.id });
    const deletedAt = Date.now();
    await s.ended;
    expect(s.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
    expect(Date.now() - deletedAt).toBeLessThan(SUBSCRIPTION_POLL_MS + 5_000);
  }, 30_000);

  it('refuses bad arguments, queries over the socket and operations past the limits with coded errors', async () => {
    const c = client({ apiKey: t.readKey });
    const cases: [string, Record<string, unknown>, string][] = [
      [EVENTS, { after: 'not-a-cursor' }, 'BAD_USER_INPUT'],
      [EVENTS, { types: ['user.exploded'] }, 'BAD_USER_INPUT'],
      ['{ viewer { platform } }', {}, 'BAD_REQUEST'],
      ['subscription { nope }', {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['subscription {', {}, 'GRAPHQL_PARSE_FAILED'],
      [`subscription { events { id ${'data '.repeat(1)} } } ${'{'.repeat(300)}`, {}, 'QUERY_TOO_DEEP'],
    ];
    for (const [query, vars, code] of cases) {
      const s = subscribe(c, query, vars);
      await s.ended;
      expect([query, s.errors]).toMatchObject([query, [{ extensions: { code } }]]);
    }
  });

  it('refuses variables that do not fit their types with BAD_USER_INPUT, as over HTTP, and logs neither an error nor the values', async () => {
    const c = client({ apiKey: t.readKey });
    const from = h.logs.length;
    const cases: [string, Record<string, unknown>][] = [
      [EVENTS, { t: { email: 'marker.secret@example.com' } }],
      [EVENTS, { types: [null] }],
      [EVENTS, { types: true, t: 5 }],
      ['subscription($t: ID!) { events(tenantId: $t) { id } }', {}],
    ];
    for (const [query, vars] of cases) {
      const s = subscribe(c, query, vars);
      await s.ended;
      expect([vars, s.errors]).toMatchObject([vars, [{ extensions: { code: 'BAD_USER_INPUT' } }]]);
    }
    const logged = h.logs.slice(from);
    expect(logged.filter((l) => typeof l.level !== 'number' || l.level >= 50)).toEqual([]);
    expect(JSON.stringify(logged)).not.toContain('marker.secret');
  });

  it('closes a socket that sends a frame over the body limit with 1009, logging it as a JSON line, never through the console', async () => {
    // What reaches the console instead of the log, caught for the test's length.
    const printed: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    const from = h.logs.length;
    try {
      const ws = new WebSocket(`${h.baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      // Before any connection_init: anyone may send it.
      ws.send('x'.repeat(1024 * 1024 + 1));
      expect(await closed).toBe(1009);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(printed).toEqual([]);
      expect(h.logs.slice(from)).toContainEqual(expect.objectContaining({ level: 40, component: 'subscriptions', msg: 'websocket closed on a protocol error' }));
    } finally {
      console.error = consoleError;
    }
  });

  it('lets the subscribers of a tenant at the same position share one read of the outbox each time they are woken', async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    const busy = await tenantWithKeys(h, `subs-shared-${Date.now()}`);
    const many = [0, 1].flatMap(() => {
      const c = client({ apiKey: busy.readKey });
      return Array.from({ length: 20 }, () => subscribe<Ev>(c, EVENTS, {}));
    });
    const typed = subscribe<Ev>(client({ apiKey: busy.readKey }), EVENTS, { types: ['user.created'] });
    // Every subscription is live once each heard a first event.
    await settle();
    await createUser('first@example.com', busy.adminKey, busy.id);
    for (const s of [...many, typed]) await s.atLeast(1);
    await new Promise((r) => setTimeout(r, 1_500));
    h.db.statements.length = 0;
    await createUser('shared@example.com', busy.adminKey, busy.id);
    for (const s of [...many, typed]) expect((await s.atLeast(2))[1]!.events.data.userName).toBe('shared@example.com');
    // The notification's wake-up and the two after it (100 ms, 1 s), and perhaps a poll: a few
    // reads for each filter, however many follow it.
    await new Promise((r) => setTimeout(r, 1_500));
    const reads = h.db.statements.filter((q) => q.includes('from change_events'));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.length).toBeLessThanOrEqual(10);
    for (const s of [...many, typed]) s.stop();
  }, 30_000);

  it('says which name was wrong when operationName names no operation of the document', async () => {
    const s = subscribe(client({ apiKey: t.readKey }), 'subscription A { events { id } }', {}, 'B');
    await s.ended;
    expect(s.errors).toMatchObject([{ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/no operation named/i) }]);
  });
});

describe('subscriptions of one tenant, at most SUBSCRIPTIONS_MAX_PER_TENANT', () => {
  let small: Harness;
  const opened: Client[] = [];
  beforeAll(async () => {
    small = await startHarness({ SUBSCRIPTIONS_MAX_PER_TENANT: '3' });
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.dispose()));
    await small.close();
  });
  const socket = (apiKey: string, onClose?: (code: number, reason: string) => void) => {
    const c = wsClient(small.baseUrl, { apiKey }, onClose);
    opened.push(c);
    return c;
  };
  const live = async (s: { results: unknown[]; errors: unknown[]; ended: Promise<void> }) => {
    // Live once the server answered the subscribe with nothing: refused ones end with errors by then.
    await Promise.race([s.ended, settle()]);
    expect(s.errors).toEqual([]);
  };

  it('refuses a tenant\'s subscription and socket past the cap with coded answers, and leaves other tenants and platform keys their own', async () => {
    const a = await tenantWithKeys(small, `cap-a-${Date.now()}`);
    const b = await tenantWithKeys(small, `cap-b-${Date.now()}`);
    const [c1, c2, c3] = [socket(a.readKey), socket(a.adminKey), socket(a.readKey)];
    const s1 = subscribe<Ev>(c1, EVENTS, {});
    const s2 = subscribe<Ev>(c2, EVENTS, {});
    const s3 = subscribe<Ev>(c3, EVENTS, { types: ['user.created'] });
    for (const s of [s1, s2, s3]) await live(s);

    // A fourth subscription of the tenant, on a socket with room for more: refused.
    const fourth = subscribe<Ev>(c1, EVENTS, {});
    await fourth.ended;
    expect(fourth.errors).toMatchObject([{ extensions: { code: 'BAD_REQUEST' }, message: expect.stringContaining('At most 3 subscriptions of one tenant') }]);
    // A fourth socket of the tenant: closed with 1008 (policy), saying why.
    let closed: { code: number; reason: string } | null = null;
    const c4 = socket(a.readKey, (code, reason) => (closed = { code, reason }));
    const onC4 = subscribe<Ev>(c4, EVENTS, {});
    await onC4.ended;
    expect(closed).toMatchObject({ code: 1008, reason: expect.stringContaining('At most 3 sockets of one tenant') });

    // Another tenant and a platform key are lanes of their own.
    const other = subscribe<Ev>(socket(b.readKey), EVENTS, {});
    const platform = subscribe<Ev>(socket(small.adminKey), EVENTS, { t: a.id });
    for (const s of [other, platform]) await live(s);

    // Ending one makes room for another, and the ones that run still hear the tenant.
    s2.stop();
    await settle();
    const again = subscribe<Ev>(c1, EVENTS, {});
    await live(again);
    await gqlOk(small, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { tenantId: a.id, userName: 'capped@example.com' } }, a.adminKey);
    for (const s of [s1, s3, again, platform]) expect((await s.atLeast(1))[0]!.events.data.userName).toBe('capped@example.com');
    expect(other.results).toEqual([]);
  }, 30_000);
});
