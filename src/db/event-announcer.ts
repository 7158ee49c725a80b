import type { MikroORM } from '@mikro-orm/postgresql';
import { EVENTS_CHANNEL } from './repositories/appends.js';
import { query, TEXT_ARRAY } from './sql.js';

/**
 * Tells every Roster process which tenants have new change events, after the transactions that
 * wrote them committed (docs/architecture.md#announcing-commits). A NOTIFY inside a writing
 * transaction makes PostgreSQL serialize the commits of all such transactions, each one waiting
 * for the one before it to reach the disk; sent afterwards from a transaction that writes nothing,
 * it holds that lock only for an instant. Announcements made while one is on its way, or in the
 * few milliseconds after it (ANNOUNCE_GAP_MS), are sent together by the next, one notification
 * per tenant: under a stream of writes a process announces a few dozen times a second, not once
 * per commit, and every listener wakes as often.
 *
 * A notification only wakes readers: one that never comes (the process stopped just after a
 * commit, the database was briefly unreachable) is made up for by the readers' poll.
 */
export interface EventAnnouncer {
  announce(tenantIds: Iterable<string>): void;
  /** Resolves once nothing is waiting to be sent. */
  settled(): Promise<void>;
}

const NOTIFY = `select pg_notify('${EVENTS_CHANNEL}', t) from unnest(${TEXT_ARRAY}) as t`;

/** The least time between two announcements of one process; the first after a quiet spell goes at once. */
export const ANNOUNCE_GAP_MS = 20;

export function createEventAnnouncer(orm: MikroORM): EventAnnouncer {
  const pending = new Set<string>();
  // Statements need an EntityManager only to reach the pool: one serves every announcement.
  const em = orm.em.fork();
  let sending: Promise<void> | null = null;

  const send = async (): Promise<void> => {
    while (pending.size > 0) {
      const tenants = [...pending];
      pending.clear();
      try {
        await query(em, NOTIFY, [tenants]);
      } catch {
        // Made up for by the readers' poll; an unreachable database is reported by the requests that need it.
      }
      await new Promise((resolve) => setTimeout(resolve, ANNOUNCE_GAP_MS));
    }
    sending = null;
  };

  return {
    announce(tenantIds) {
      for (const t of tenantIds) pending.add(t);
      if (pending.size > 0) sending ??= send();
    },
    settled: () => sending ?? Promise.resolve(),
  };
}

const announcers = new WeakMap<MikroORM, EventAnnouncer>();

/** The one announcer of a database's pool, shared by every store over it, so announcements coalesce. */
export function announcerOf(orm: MikroORM): EventAnnouncer {
  let a = announcers.get(orm);
  if (!a) announcers.set(orm, (a = createEventAnnouncer(orm)));
  return a;
}
