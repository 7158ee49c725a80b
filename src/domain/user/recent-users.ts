import type { User } from './user.js';

/**
 * The states of the users this process read or wrote last, so that a change can be planned
 * without reading its user first (docs/architecture.md#remembered-users). A remembered state may
 * be stale: another process, or a write that does not pass through here, may have changed the
 * user since. That is safe because a change planned from it is written guarded by the version and
 * owner it holds (docs/architecture.md#optimistic-writes), so a stale one changes nothing and the
 * change is planned again from a read. Groups are not kept: a membership change does not move a
 * user's version, so a remembered list of groups could be stale unnoticed.
 */
export interface RecentUsers {
  /** The remembered state of the user, when the reader (`visibleTo`, as users are scoped) sees it. */
  get(tenantId: string, id: string, visibleTo: string | null): User | undefined;
  remember(user: User): void;
  /** Remembers a user just created, apart from the others until it is read or changed (see `recentUsers`). */
  rememberCreated(user: User): void;
  forget(tenantId: string, id: string): void;
}

/** Nothing remembered: every change reads its user. */
const NONE: RecentUsers = { get: () => undefined, remember: () => {}, rememberCreated: () => {}, forget: () => {} };

/** A remembered user: its state as JSON text, and what deciding whether to use or replace it needs. */
interface Entry {
  /** The key it was stored under (see `recentUsers`). */
  readonly key: string;
  readonly text: string;
  readonly version: number;
  readonly managedBy: string | null;
  readonly deprovisioned: boolean;
  readonly bytes: number;
}

/**
 * The user as JSON text, without its groups. Text, not the object: a user is some fifty objects
 * (its strings, arrays, values and the objects holding them), and V8 marks every object the
 * process keeps each time it collects its old generation; ten thousand users kept as objects made
 * every request of the process measurably slower, as text they are one string each
 * (docs/performance.md#remembered-users).
 */
function textOf(u: User): string {
  if (u.groups === undefined) return JSON.stringify(u);
  const { groups: _groups, ...rest } = u;
  return JSON.stringify(rest);
}

/** The user from its text: the three instants back as Dates, every other value as JSON gives it. */
function fromText(text: string): User {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const instant = (v: unknown): Date => new Date(v as string);
  parsed.createdAt = instant(parsed.createdAt);
  parsed.updatedAt = instant(parsed.updatedAt);
  parsed.deprovisionedAt = parsed.deprovisionedAt === null ? null : instant(parsed.deprovisionedAt);
  return parsed as unknown as User;
}

/** What a string of this text takes on the heap: a byte a character while every one fits in a byte, else two. */
const textBytes = (text: string): number => 64 + (BEYOND_A_BYTE.test(text) ? 2 : 1) * text.length;
const BEYOND_A_BYTE = /[\u0100-\uffff]/;

/** Entries stored into a segment without its iterator moving before the iterator is renewed (see `segment`). */
const RENEW_AFTER = 1024;

/** One least-recently-used table of entries, at most `maxBytes` of them. */
function segment(maxBytes: number) {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  // Each entry keeps the key it was stored under: moving it to the end stores that string again, not
  // the one just made for the look-up, which the old generation's table would keep alive (and so
  // copy out of the young generation) on every use.
  const entries = new Map<string, Entry>();
  let total = 0;
  // One iterator kept across calls: a Map's iterator stays valid as it changes, and a new one would
  // first step over every entry deleted since the table was last rebuilt. But an iterator that does
  // not move keeps every table the Map has outgrown since, with the entries deleted from them: a
  // segment that seldom forgets (created users that are read or changed soon move away) would keep
  // all it ever held. So after RENEW_AFTER entries stored without a move, a fresh one replaces it.
  let order = entries.keys();
  let unmoved = 0;
  const stored = () => {
    if (++unmoved > RENEW_AFTER) {
      order = entries.keys();
      unmoved = 0;
    }
  };
  const oldest = (): string => {
    unmoved = 0;
    let next = order.next();
    if (next.done) {
      order = entries.keys();
      next = order.next();
    }
    return next.value as string;
  };
  const drop = (key: string): void => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    total -= e.bytes;
  };
  return {
    get: (key: string): Entry | undefined => entries.get(key),
    /** Moves the entry to the most recently used end. */
    touch(key: string, e: Entry): void {
      entries.delete(key);
      entries.set(e.key, e);
      stored();
    },
    add(e: Entry): void {
      entries.set(e.key, e);
      stored();
      total += e.bytes;
      while (total > maxBytes) drop(oldest());
    },
    drop,
  };
}

/**
 * At most `maxBytes` of remembered users (their text and its bookkeeping), the least recently
 * used forgotten first; no single user larger than a sixty-fourth of that is kept. Users just
 * created go to a segment of their own, an eighth of the bytes, and move to the rest once read or
 * changed: an initial sync creates thousands of users, each changed once right after (its
 * manager), and would otherwise push out the users read before a change. 0 remembers nothing.
 */
export function recentUsers(maxBytes: number): RecentUsers {
  if (maxBytes <= 0) return NONE;
  const largest = maxBytes / 64;
  const created = segment(maxBytes / 8);
  const held = segment(maxBytes - maxBytes / 8);
  const keyOf = (tenantId: string, id: string) => `${tenantId}:${id}`;
  const entryOf = (key: string, user: User): Entry | null => {
    const text = textOf(user);
    const bytes = textBytes(text);
    return bytes > largest ? null : { key, text, version: user.version, managedBy: user.managedBy, deprovisioned: user.deprovisionedAt !== null, bytes };
  };
  return {
    get(tenantId, id, visibleTo) {
      const key = keyOf(tenantId, id);
      let e = held.get(key);
      if (e) held.touch(key, e);
      else {
        e = created.get(key);
        if (!e) return undefined;
        created.drop(key);
        held.add(e);
      }
      // What a connection sees (src/db/repositories/visibility.ts, usersVisible): its own users while not deprovisioned, and users no connection manages.
      const visible = visibleTo === null || e.managedBy === null || (e.managedBy === visibleTo && !e.deprovisioned);
      return visible ? fromText(e.text) : undefined;
    },
    remember(user) {
      const key = keyOf(user.tenantId, user.id);
      const h = held.get(key);
      // The same state (every change moves the version but the loss of an owner): kept as it is.
      if (h && h.version === user.version && h.managedBy === user.managedBy) {
        held.touch(key, h);
        return;
      }
      held.drop(key);
      created.drop(key);
      const e = entryOf(key, user);
      if (e) held.add(e);
    },
    rememberCreated(user) {
      const key = keyOf(user.tenantId, user.id);
      if (held.get(key)) return;
      created.drop(key);
      const e = entryOf(key, user);
      if (e) created.add(e);
    },
    forget(tenantId, id) {
      const key = keyOf(tenantId, id);
      held.drop(key);
      created.drop(key);
    },
  };
}
