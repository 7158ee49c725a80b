import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Repositories, Store } from '../domain/ports.js';
import {
  createApiKeyRepository,
  createAuditRepository,
  createConnectionRepository,
  createTenantRepository,
  NO_CREDENTIAL_CACHE,
  type CredentialScope,
} from './repositories/admin.repository.js';
import type { CredentialCache } from './credentials.cache.js';
import { createGroupRepository, createMembershipRepository } from './repositories/group.repository.js';
import { createEventRepository } from './repositories/event.repository.js';
import { flushAppends, newAppends, type Appends } from './repositories/appends.js';
import { createUserRepository } from './repositories/user.repository.js';
import { createWebhookDeliveryRepository, createWebhookEndpointRepository } from './repositories/webhook.repository.js';
import { UnavailableError, type UnavailableReason } from '../domain/errors.js';
import { pipelines, transaction, translateDbError, type Db } from './sql.js';
import { announcerOf } from './event-announcer.js';

/**
 * The repositories of one unit of work. `kept` holds the unit's audit and change events until
 * `flushAppends` writes them at its end; without it each is written when appended.
 */
export function createRepositories(db: Db, credentials: CredentialScope = NO_CREDENTIAL_CACHE, kept: Appends | null = null): Repositories {
  return {
    tenants: createTenantRepository(db, credentials),
    users: createUserRepository(db),
    groups: createGroupRepository(db),
    memberships: createMembershipRepository(db),
    connections: createConnectionRepository(db, credentials),
    apiKeys: createApiKeyRepository(db, credentials),
    audit: createAuditRepository(db, kept),
    webhookEndpoints: createWebhookEndpointRepository(db),
    webhookDeliveries: createWebhookDeliveryRepository(db),
    events: createEventRepository(db, kept),
  };
}

export interface StoreOptions {
  /** Hears of each database fault a retry may cure (for the rejection metric). */
  readonly onUnavailable?: (reason: UnavailableReason) => void;
  /** Verified credentials kept in the process (docs/architecture.md#credential-cache); none when absent. */
  readonly credentials?: CredentialCache | null;
}

/** Runs a unit of work, turning database faults into domain errors. */
function translating(o: StoreOptions) {
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const translated = translateDbError(e);
      if (translated instanceof UnavailableError && translated !== e) o.onUnavailable?.(translated.reason);
      throw translated;
    }
  };
}

/**
 * Runs a write's callback in its transaction, then writes its audit and change events in one
 * statement before the commit. The tenants it wrote events for are added to `announce`, to be
 * announced once the transaction committed.
 */
async function writeUnit<T>(db: Db, credentials: CredentialScope, announce: Set<string>, fn: (r: Repositories) => Promise<T>): Promise<T> {
  const kept = newAppends();
  const result = await fn(createRepositories(db, credentials, kept));
  for (const e of kept.events) announce.add(e.tenantId);
  await flushAppends(db, kept);
  return result;
}

/** How long a write that changed a credential waits to hear the change announced. */
const ANNOUNCEMENT_WAIT_MS = 1000;

/**
 * The domain's Store port over MikroORM: a fresh EntityManager per unit of work. Database
 * faults become domain errors here; `onUnavailable` hears of each one a retry may cure.
 */
export function createStore(orm: MikroORM, o: StoreOptions = {}): Store {
  const run = translating(o);
  const cache = o.credentials ?? null;
  const announcer = announcerOf(orm);
  const reading: CredentialScope = { cache, changed: () => undefined };
  // Repositories reach the database through the EntityManager's pool alone and keep no entities in
  // it, so every read and write shares one, not a fork each (a fork builds a unit of work).
  const em = orm.em.fork();
  // Repositories keep no state of a unit of work outside a transaction: every read shares one set.
  const readers = createRepositories(em, reading);
  const pipeline = pipelines(em);
  return {
    read: (fn) => run(() => fn(readers)),
    // One transaction per write: all of it lands, or none of it (docs/architecture.md#transactions).
    write: (fn, wo) =>
      run(async () => {
        // A credential this write changes is forgotten at once and again after commit, so no
        // lookup that read it before the commit keeps it (docs/architecture.md#credential-cache).
        // The answer waits until the change was announced (at most a second), so that the next
        // request to any process is refused an old credential.
        let announced: Promise<void> | null = null;
        const scope: CredentialScope = {
          cache,
          changed: () => {
            announced ??= cache?.nextChange(ANNOUNCEMENT_WAIT_MS) ?? null;
            cache?.clear();
          },
        };
        try {
          const written = new Set<string>();
          const result = await transaction(em, (tx) => writeUnit(tx, scope, written, fn), {
            sent: wo?.sent,
            pipeline: wo?.pipeline === undefined ? undefined : pipeline(wo.pipeline),
          });
          announcer.announce(written);
          await announced;
          return result;
        } finally {
          if (announced) cache?.clear();
        }
      }),
  };
}

/** A Store inside a transaction that is already open: its writes are savepoints of that transaction. */
function storeIn(em: EntityManager, run: ReturnType<typeof translating>, written: Set<string>): Store {
  return {
    read: (fn) => run(() => fn(createRepositories(em))),
    write: (fn) => run(() => em.transactional((inner) => writeUnit(inner, NO_CREDENTIAL_CACHE, written, fn))),
  };
}

/** One transaction holding many units, each a savepoint: a unit that fails is undone alone. */
export interface Batch {
  /** Reads and writes in the batch's transaction (each write a savepoint of its own). */
  readonly store: Store;
  /** Runs `fn` in a savepoint; when it throws, only its own writes are rolled back. */
  unit<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

/**
 * Runs `fn` in one transaction and commits it, or rolls it back when `rollback` is set (a dry
 * run) or when `fn` throws. Bulk work (the import command) groups many small writes this way to
 * pay for one commit per batch instead of one per write (docs/architecture.md#transactions).
 */
export async function inBatch<T>(orm: MikroORM, opts: { rollback: boolean } & StoreOptions, fn: (batch: Batch) => Promise<T>): Promise<T> {
  const run = translating(opts);
  const em = orm.em.fork();
  const written = new Set<string>();
  await run(() => em.begin());
  let result: T;
  try {
    result = await fn({ store: storeIn(em, run, written), unit: (f) => run(() => em.transactional((inner) => f(storeIn(inner, run, written)))) });
  } catch (e) {
    await em.rollback();
    throw e;
  }
  await run(() => (opts.rollback ? em.rollback() : em.commit()));
  if (!opts.rollback) announcerOf(orm).announce(written);
  return result;
}
