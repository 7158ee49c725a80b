import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase, type Database } from '../db/database.js';
import { createStore, type StoreOptions } from '../db/store.js';
import { createServices, type Services } from '../domain/services.js';

/**
 * Where the layers meet (docs/architecture.md#layers): the domain services over the PostgreSQL
 * store, with the real clock and time-ordered ids. main.ts, the CLI, the tests and the bench all
 * build their services here.
 */
export function buildServices(orm: MikroORM, o: StoreOptions = {}): Services {
  return createServices({ store: createStore(orm, o), now: () => new Date(), newId: uuidv7 });
}

/** The database (DATABASE_URL, or the embedded one under dataDir), migrated, with the services over it. */
export async function openServices(o: Parameters<typeof openDatabase>[0] & StoreOptions): Promise<{ db: Database & { migrated: string[] }; services: Services }> {
  const db = await openDatabase(o);
  return { db, services: buildServices(db.orm, { onUnavailable: o.onUnavailable }) };
}
