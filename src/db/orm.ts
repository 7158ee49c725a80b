import { fileURLToPath } from 'node:url';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from './migrations/index.js';
import { ALL_SCHEMAS } from './schema/schema.js';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

export interface OrmOptions {
  readonly url: string;
  readonly poolMax?: number;
  /** Called with each SQL statement when set (tests count statements with it). */
  readonly onQuery?: (sql: string) => void;
}

/** The one MikroORM configuration, used by the app, the tests and the MikroORM CLI. */
export function ormConfig(o: OrmOptions): Options {
  return defineConfig({
    clientUrl: o.url,
    entities: ALL_SCHEMAS,
    extensions: [Migrator],
    // Requests and commands fork their own EntityManager; the global one is never used directly.
    allowGlobalContext: false,
    pool: { min: 0, max: o.poolMax ?? 10 },
    debug: o.onQuery ? ['query'] : false,
    logger: o.onQuery ? (msg: string) => o.onQuery!(msg) : () => undefined,
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: migrationsDir,
      pathTs: migrationsDir,
      // Listed explicitly so the app, the compiled build and the tests find the same migrations.
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      fileName: (timestamp: string, name?: string) => `Migration${timestamp}${name ? `_${name}` : ''}`,
    },
    schemaGenerator: { disableForeignKeys: false, createForeignKeyConstraints: true },
  });
}

export async function openOrm(o: OrmOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(o));
}

/** Applies pending migrations; never `schema:update` (docs/architecture.md#database-and-migrations). */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
