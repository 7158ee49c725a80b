import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { recentUsers } from '../../../../src/domain/user/recent-users.js';
import type { User } from '../../../../src/domain/user/user.js';
import { profile } from '../../../support/fixtures.js';

const TENANT = '01900000-0000-7000-8000-000000000001';
const CONNECTION = '01900000-0000-7000-8000-0000000000c1';

function user(i: number, extra: Partial<User> = {}): User {
  return {
    ...profile(`user${i}@example.com`),
    id: `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    tenantId: TENANT,
    loginName: `user${i}@example.com`,
    managedBy: null,
    deprovisionedAt: null,
    version: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...extra,
  };
}

/** What a user takes in `recentUsers`' count: its JSON text and a little bookkeeping. */
const bytesOf = (u: User) => 64 + JSON.stringify(u).length;

describe('recentUsers', () => {
  it('remembers nothing with no bytes to spend', () => {
    const r = recentUsers(0);
    r.remember(user(1));
    expect(r.get(TENANT, user(1).id, null)).toBeUndefined();
  });

  it('gives a remembered user back as it was, without its groups, and only in its own tenant', () => {
    const r = recentUsers(1024 * 1024);
    const u = user(1, {
      groups: [{ id: 'g', displayName: 'G' }],
      title: 'Engineer \ud800 ✓',
      deprovisionedAt: new Date('2026-01-02T03:04:05.678Z'),
      updatedAt: new Date('2026-01-01T00:00:00.001Z'),
      extensions: { 'urn:example:x': { createdAt: '2026-01-01T00:00:00.000Z', n: [1, null, { deep: true }] } },
    });
    r.remember(u);
    const got = r.get(TENANT, u.id, null);
    const { groups: _groups, ...rest } = u;
    expect(got).toEqual(rest);
    expect(got!.createdAt).toBeInstanceOf(Date);
    expect(got!.deprovisionedAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    // A copy each time: whatever the caller does with it leaves the remembered state alone.
    expect(r.get(TENANT, u.id, null)).not.toBe(got);
    expect(got && 'groups' in got).toBe(false);
    expect(r.get('01900000-0000-7000-8000-000000000002', u.id, null)).toBeUndefined();
    r.forget(TENANT, u.id);
    expect(r.get(TENANT, u.id, null)).toBeUndefined();
  });

  it('shows a connection only what it sees: users no connection manages, and its own until it deprovisions them', () => {
    const r = recentUsers(1024 * 1024);
    const unmanaged = user(1);
    const own = user(2, { managedBy: CONNECTION });
    const gone = user(3, { managedBy: CONNECTION, deprovisionedAt: new Date(0) });
    const others = user(4, { managedBy: '01900000-0000-7000-8000-0000000000c2' });
    for (const u of [unmanaged, own, gone, others]) r.remember(u);
    const seen = (u: User) => r.get(TENANT, u.id, CONNECTION) !== undefined;
    expect([unmanaged, own, gone, others].map(seen)).toEqual([true, true, false, false]);
    // Admins see them all.
    expect([unmanaged, own, gone, others].every((u) => r.get(TENANT, u.id, null) !== undefined)).toBe(true);
  });

  it('forgets the least recently used first once its bytes are spent', () => {
    // Room for 64 users of this size in the seven eighths not kept for created users, and a little more.
    const r = recentUsers((bytesOf(user(9)) * 64.5 * 8) / 7);
    const held = (ids: readonly number[]) => ids.filter((i) => r.get(TENANT, user(i).id, null) !== undefined);
    for (let i = 1; i <= 64; i++) r.remember(user(i));
    expect(held([1, 2, 64])).toEqual([1, 2, 64]);
    // Reading 1, 2 and 64 (above) left 3 the least recently used.
    r.remember(user(65));
    expect(held([1, 2, 3, 4, 64, 65])).toEqual([1, 2, 4, 64, 65]);
    // Many more, long after the first ones: never more than the budget holds, the last ones kept.
    for (let i = 66; i < 5_000; i++) r.remember(user(i));
    const all = held(Array.from({ length: 5_000 }, (_, i) => i));
    expect(all.length).toBeGreaterThan(50);
    expect(all.length).toBeLessThanOrEqual(64);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => 5_000 - all.length + i));
  });

  it('keeps created users apart, so that many creates push out only created users, until one is read or changed', () => {
    // An eighth for created users: room for 8 of them; 56 for the others.
    const r = recentUsers(bytesOf(user(9)) * 64.5);
    const held = (ids: readonly number[]) => ids.filter((i) => r.get(TENANT, user(i).id, null) !== undefined);
    for (let i = 1; i <= 40; i++) r.remember(user(i));
    for (let i = 1_000; i < 3_000; i++) r.rememberCreated(user(i));
    // Every user read or changed is still there; of the created ones, the last few.
    expect(held(Array.from({ length: 40 }, (_, i) => i + 1))).toHaveLength(40);
    const created = held(Array.from({ length: 2_000 }, (_, i) => 1_000 + i));
    expect(created.length).toBeGreaterThan(4);
    expect(created.length).toBeLessThanOrEqual(8);
    expect(created).toEqual(Array.from({ length: created.length }, (_, i) => 3_000 - created.length + i));
    // The created users just read moved to the others: more creates no longer push them out.
    for (let i = 3_000; i < 4_000; i++) r.rememberCreated(user(i));
    expect(held(created)).toEqual(created);
    // A create of a user already among the others leaves its state there alone.
    r.remember(user(5, { version: 3 }));
    r.rememberCreated(user(5, { version: 1 }));
    expect(r.get(TENANT, user(5).id, null)?.version).toBe(3);
    // A changed created user is among the others, and forgotten from both.
    r.rememberCreated(user(4_000));
    r.remember(user(4_000, { version: 2 }));
    for (let i = 5_000; i < 6_000; i++) r.rememberCreated(user(i));
    expect(r.get(TENANT, user(4_000).id, null)?.version).toBe(2);
    r.rememberCreated(user(6_000));
    r.forget(TENANT, user(6_000).id);
    r.forget(TENANT, user(4_000).id);
    expect(held([4_000, 6_000])).toEqual([]);
  });

  it('keeps nothing of the users it forgot, even while it forgets none for being full', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = async () => {
      await new Promise((r) => setImmediate(r));
      gc();
      return process.memoryUsage().heapUsed;
    };
    const r = recentUsers(64 * 1024 * 1024);
    const big = (i: number) => user(i, { title: `${'t'.repeat(2000)}${i}` });
    const before = await heap();
    // Created, then read (moved to the others) or deleted: the created users' segment never fills,
    // so it never has to forget its oldest; 30,000 users of 2 KB passed through it.
    for (let i = 0; i < 30_000; i++) {
      r.rememberCreated(big(i));
      if (i >= 8) r.forget(TENANT, big(i - 8).id);
    }
    const after = await heap();
    // Still in use, so that what it keeps is measured.
    expect(r.get(TENANT, big(29_999).id, null)?.title).toBe(big(29_999).title);
    expect((after - before) / 1024 / 1024).toBeLessThan(10);
  });

  it('keeps no user larger than a sixty-fourth of its bytes, and the state remembered last', () => {
    const r = recentUsers(128 * 1024);
    r.remember(user(1, { extensions: { 'urn:example:big': { text: 'x'.repeat(2048) } } }));
    expect(r.get(TENANT, user(1).id, null)).toBeUndefined();
    // Characters beyond a byte count twice.
    r.remember(user(3, { extensions: { 'urn:example:big': { text: 'é'.repeat(500) } } }));
    expect(r.get(TENANT, user(3).id, null)).toBeDefined();
    r.remember(user(4, { extensions: { 'urn:example:big': { text: '✓'.repeat(500) } } }));
    expect(r.get(TENANT, user(4).id, null)).toBeUndefined();
    r.remember(user(2, { version: 1 }));
    r.remember(user(2, { version: 2 }));
    expect(r.get(TENANT, user(2).id, null)?.version).toBe(2);
  });
});
