import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { announcerOf } from '../../src/db/event-announcer.js';
import { migrate, openOrm, type OrmOptions } from '../../src/db/orm.js';

export interface TestDatabase {
  readonly url: string;
  readonly orm: MikroORM;
  /** SQL statements run through the ORM since the last reset (for N+1 checks). */
  readonly statements: string[];
  /** Resolves once the announcements of committed writes went out (they follow each commit by a statement). */
  settled(): Promise<void>;
  drop(): Promise<void>;
}

function serverUrl(): URL {
  const raw = process.env.TEST_DATABASE_URL;
  if (!raw) throw new Error('TEST_DATABASE_URL is not set: jest globalSetup should have set it');
  return new URL(raw);
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const u = serverUrl();
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The statement of one of MikroORM's query log lines, as sent: without colours, "[query] " and " [took 1 ms]". */
const statementIn = (line: string): string =>
  // eslint-disable-next-line no-control-regex
  line.replace(/\u001b\[\d+m/g, '').replace(/^\[query\] /, '').replace(/ \[took [^\]]*\]$/, '');

/** A URL on the test server for `database`, which need not exist, logging in as `user` when one is given. */
export function urlOnTestServer(database: string, user?: string): string {
  const u = serverUrl();
  u.pathname = `/${database}`;
  if (user !== undefined) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

/** Whether the test server has a database of that name. */
export const databaseExists = (name: string): Promise<boolean> =>
  admin(async (c) => ((await c.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0);

/** Drops the database of that name, if there is one: only for names a test made up itself. */
export const dropDatabaseIfExists = (name: string): Promise<void> => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined);

export type PoolOptions = Pick<OrmOptions, 'poolMax' | 'acquireTimeoutMs' | 'statementTimeoutMs'>;

/** A new database with no tables at all, for a server process that migrates it itself. */
export async function createEmptyTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `roster_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"`));
  const u = serverUrl();
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined) };
}

/**
 * A new, migrated database of its own for one test file, so files run in parallel. The pool is
 * larger and more patient than in production unless a test asks otherwise: test files share a
 * busy machine.
 */
export async function createTestDatabase(pool: PoolOptions = {}): Promise<TestDatabase> {
  const empty = await createEmptyTestDatabase();
  const { url } = empty;
  const statements: string[] = [];
  const orm = await openOrm({ url, poolMax: 20, acquireTimeoutMs: 30_000, statementTimeoutMs: 60_000, ...pool, onQuery: (line) => statements.push(statementIn(line)) });
  await migrate(orm);
  statements.length = 0;
  return {
    url,
    orm,
    statements,
    settled: () => announcerOf(orm).settled(),
    async drop() {
      await orm.close(true);
      await empty.drop();
    },
  };
}
