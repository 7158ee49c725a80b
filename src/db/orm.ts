import { fileURLToPath } from 'node:url';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from './migrations/index.js';
import { ALL_SCHEMAS } from './schema/schema.js';
import { tagStatement } from './sql.js';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

export interface OrmOptions {
  readonly url: string;
  readonly poolMax?: number;
  /** How long a unit of work waits for a free connection before it fails (UnavailableError). */
  readonly acquireTimeoutMs?: number;
  /** PostgreSQL statement_timeout of every statement on the pool's connections. */
  readonly statementTimeoutMs?: number;
  /** Called with each SQL statement when set (tests count statements with it). */
  readonly onQuery?: (sql: string) => void;
  /**
   * Hears the driver's own warnings (a pooled connection that broke, and the like), first line
   * only; without it they are dropped rather than printed outside the log.
   */
  readonly onDriverLog?: (message: string) => void;
}

/** knex prints its warnings with console.log unless given these. */
function driverLog(hear: ((message: string) => void) | undefined) {
  const say = (m: unknown) => hear?.(String(m).split('\n')[0]!.slice(0, 300));
  return { warn: say, error: say, deprecate: say, debug: () => undefined };
}

/** The one MikroORM configuration, used by the app, the tests and the MikroORM CLI. */
export function ormConfig(o: OrmOptions): Options {
  return defineConfig({
    clientUrl: o.url,
    entities: ALL_SCHEMAS,
    extensions: [Migrator],
    // Requests and commands fork their own EntityManager; the global one is never used directly.
    allowGlobalContext: false,
    // A database that does not exist is an error to report (a mistyped DATABASE_URL), never one to
    // create: whoever runs Roster creates its database (docs/operations.md#the-database).
    ensureDatabase: false,
    // Work waits a bounded time for a connection, and no statement runs unbounded
    // (docs/architecture.md#robustness); both faults become 503s (translateDbError).
    pool: { min: 0, max: o.poolMax ?? 10, acquireTimeoutMillis: o.acquireTimeoutMs ?? 3000 },
    // Every connection is in `pg`'s pipeline mode: a statement goes out without waiting for the one
    // before it on the connection to end, which only a pipeline of writes makes use of
    // (docs/architecture.md#pipelined-writes); otherwise one unit's statements follow each other.
    driverOptions: { connection: { statement_timeout: o.statementTimeoutMs ?? 10_000, pipeline: true }, log: driverLog(o.onDriverLog) },
    // Each statement carries its fingerprint, so logs can name a failing one without its values.
    onQuery: tagStatement,
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

/**
 * Applies pending migrations in one transaction; never `schema:update`
 * (docs/architecture.md#database-and-migrations). A migration may rebuild an index over every
 * user, so the requests' statement_timeout does not apply to it.
 */
export async function migrate(orm: MikroORM): Promise<string[]> {
  // Begun and ended on the connection, not with em.transactional: the EntityManager's transaction
  // and flush switch on AsyncLocalStorage, whose hooks would then tax every promise the process
  // makes for the rest of its life (docs/architecture.md#async-context).
  const connection = orm.em.getConnection();
  const trx = await connection.begin();
  try {
    await connection.execute('set local statement_timeout = 0', [], 'run', trx);
    const done = await orm.getMigrator().up({ transaction: trx });
    await connection.commit(trx);
    return done.map((m) => m.name);
  } catch (e) {
    // The migration's own error is the one to report, even when the rollback fails too.
    await connection.rollback(trx).catch(() => undefined);
    throw e;
  }
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}

/** The request pool's state, read when metrics are scraped: connections open, in use, and work waiting for one. */
export function poolStats(orm: MikroORM): () => { size: number; inUse: number; waiting: number } {
  return () => {
    const pool = orm.em.getConnection().getKnex().client.pool;
    if (!pool) return { size: 0, inUse: 0, waiting: 0 };
    const inUse = pool.numUsed();
    return { size: inUse + pool.numFree(), inUse, waiting: pool.numPendingAcquires() };
  };
}
