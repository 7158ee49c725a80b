import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase, type Database } from '../db/database.js';
import { createStore, inBatch, type StoreOptions } from '../db/store.js';
import type { Store } from '../domain/ports.js';
import { createServices, type Services } from '../domain/services.js';
import type { BatchRunner } from '../scim/transfer/import.js';
import { loadConfig, type Config } from '../config/config.js';
import { resolveHost } from '../domain/webhook/url-guard.js';

export { postgresState } from '../db/sql.js';
/** Stops the embedded PostgreSQL programs this process started (for a process told to stop). */
export { stopAllEmbedded } from '../db/embedded.js';

/** How the services are built: the store's options and the configured limits (the defaults when absent). */
export type ServiceOptions = StoreOptions & {
  readonly limits?: Config['limits'];
  readonly webhooks?: Pick<Config['webhooks'], 'allowPrivateNetworks'>;
  /** How many bytes of users the process remembers (docs/architecture.md#remembered-users); the configuration's default when absent. */
  readonly recentUsersBytes?: number;
};

/** The services' options the configuration sets: its limits, webhook rules and remembered users. */
export const configuredOptions = (config: Config): ServiceOptions => ({
  limits: config.limits,
  webhooks: config.webhooks,
  recentUsersBytes: config.recentUsersBytes,
});

/**
 * Where the layers meet (docs/architecture.md#layers): the domain services over the PostgreSQL
 * store, with the real clock, time-ordered ids and the limits of the configuration
 * (docs/architecture.md#limits). main.ts, the CLI, the tests and the bench all build their
 * services here.
 */
export function buildServices(orm: MikroORM, o: ServiceOptions = {}): Services {
  return servicesOver(createStore(orm, o), o);
}

function servicesOver(store: Store, o: ServiceOptions): Services {
  return createServices({
    store,
    now: () => new Date(),
    newId: uuidv7,
    limits: o.limits ?? loadConfig({}).limits,
    webhookTargets: { allowPrivateNetworks: o.webhooks?.allowPrivateNetworks ?? false, resolve: resolveHost },
    recentUsersBytes: o.recentUsersBytes ?? loadConfig({}).recentUsersBytes,
  });
}

/**
 * Services whose writes share one transaction, each write a savepoint of its own, committed at
 * the end or rolled back (the import command's batches: docs/architecture.md#transactions).
 */
export function batchRunner(orm: MikroORM, o: ServiceOptions = {}): BatchRunner {
  // A batch's services live as long as the batch, whose writes land only at its end: they remember no users.
  const inside: ServiceOptions = { ...o, recentUsersBytes: 0 };
  return (opts, fn) =>
    inBatch(orm, { ...opts, ...o }, ({ store, unit }) =>
      fn({ services: servicesOver(store, inside), atomically: (f) => unit((s) => f(servicesOver(s, inside))) }),
    );
}

/** The database (DATABASE_URL, or the embedded one under dataDir), migrated, with the services over it. */
export async function openServices(
  o: Parameters<typeof openDatabase>[0] & ServiceOptions,
): Promise<{ db: Database & { migrated: string[] }; services: Services; batches: BatchRunner }> {
  const db = await openDatabase(o);
  const so: ServiceOptions = { onUnavailable: o.onUnavailable, limits: o.limits, webhooks: o.webhooks, recentUsersBytes: o.recentUsersBytes };
  return { db, services: buildServices(db.orm, { ...so, credentials: db.credentials }), batches: batchRunner(db.orm, so) };
}
