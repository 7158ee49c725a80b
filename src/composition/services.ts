import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase, type Database } from '../db/database.js';
import { createStore, type StoreOptions } from '../db/store.js';
import { createServices, type Services } from '../domain/services.js';
import { loadConfig, type Config } from '../config/config.js';

/** How the services are built: the store's options and the configured limits (the defaults when absent). */
export type ServiceOptions = StoreOptions & { readonly limits?: Config['limits'] };

/**
 * Where the layers meet (docs/architecture.md#layers): the domain services over the PostgreSQL
 * store, with the real clock, time-ordered ids and the limits of the configuration
 * (docs/architecture.md#limits). main.ts, the CLI, the tests and the bench all build their
 * services here.
 */
export function buildServices(orm: MikroORM, o: ServiceOptions = {}): Services {
  return createServices({ store: createStore(orm, o), now: () => new Date(), newId: uuidv7, limits: o.limits ?? loadConfig({}).limits });
}

/** The database (DATABASE_URL, or the embedded one under dataDir), migrated, with the services over it. */
export async function openServices(o: Parameters<typeof openDatabase>[0] & ServiceOptions): Promise<{ db: Database & { migrated: string[] }; services: Services }> {
  const db = await openDatabase(o);
  return { db, services: buildServices(db.orm, { onUnavailable: o.onUnavailable, limits: o.limits }) };
}
