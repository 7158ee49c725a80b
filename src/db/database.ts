import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { openCredentialCache, type CredentialCache } from './credentials.cache.js';
import { startEmbeddedPostgres, type EmbeddedDatabase, type EmbeddedWatch } from './embedded.js';
import { migrationsList } from './migrations/index.js';
import { migrate, openOrm, type OrmOptions } from './orm.js';
import { announcerOf } from './event-announcer.js';
import { checkReachable } from './reach.js';

export interface Database {
  readonly orm: MikroORM;
  /** Verified credentials, kept while changes to them are heard (docs/architecture.md#credential-cache). */
  readonly credentials: CredentialCache;
  /** Whether Roster started the PostgreSQL it uses. */
  readonly embedded: boolean;
  /** Reachable and fully migrated. */
  ready(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

export interface ReadinessProbe {
  check(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

/**
 * Readiness on a pool of its own (one connection, short timeouts), so /readyz never queues
 * behind requests and answers within about a second whatever the database does
 * (docs/architecture.md#robustness): ready when the database answers and every migration Roster
 * knows is applied.
 */
export function createReadinessProbe(url: string, timeoutMs = 800): ReadinessProbe {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: timeoutMs, idleTimeoutMillis: 30_000, query_timeout: timeoutMs, statement_timeout: timeoutMs });
  // An idle connection that breaks is dropped by the pool; the next check opens another.
  pool.on('error', () => undefined);
  const expected = migrationsList.map((m) => m.name);
  const probe = async (): Promise<{ ok: boolean; detail: string }> => {
    const { rows } = await pool.query<{ name: string }>('select name from mikro_orm_migrations where name = any($1)', [expected]);
    const pending = expected.length - rows.length;
    return pending === 0 ? { ok: true, detail: 'ok' } : { ok: false, detail: `${pending} migration(s) pending` };
  };
  let deadline: NodeJS.Timeout | undefined;
  return {
    async check() {
      const late = new Promise<{ ok: boolean; detail: string }>((resolve) => {
        deadline = setTimeout(() => resolve({ ok: false, detail: 'database did not answer in time' }), timeoutMs + 100);
      });
      try {
        return await Promise.race([probe().catch(() => ({ ok: false, detail: 'database unreachable' })), late]);
      } finally {
        clearTimeout(deadline);
      }
    },
    close: () => pool.end(),
  };
}

/** How long the first connection to DATABASE_URL may take (or the pool's acquire timeout, when longer). */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL when there is none, then applies
 * pending migrations. The database of DATABASE_URL must exist: a mistyped name is reported,
 * never created (the embedded PostgreSQL creates its own).
 */
export async function openDatabase(o: {
  url: string | undefined;
  dataDir: string;
  onLog?: (line: string) => void;
  onQuery?: (sql: string) => void;
  /** The driver's own warnings (see OrmOptions.onDriverLog). */
  onDriverLog?: (message: string) => void;
  /** Request pool size and timeouts (from the configuration). */
  pool?: Pick<OrmOptions, 'poolMax' | 'acquireTimeoutMs' | 'statementTimeoutMs'>;
  /** Use the embedded cluster of a Roster already running on dataDir (for the CLI). */
  reuseRunning?: boolean;
  /** Hears when the credential cache starts or stops hearing of credential changes. */
  onCredentialCache?: (listening: boolean) => void;
  /** With it, an embedded PostgreSQL that exits unasked is started again (the server's). */
  embeddedWatch?: EmbeddedWatch;
}): Promise<Database & { migrated: string[] }> {
  let embedded: EmbeddedDatabase | null = null;
  let url = o.url;
  // A database that is not there, or will not have Roster, is said in words; none is created.
  if (url) await checkReachable(url, Math.max(CONNECT_TIMEOUT_MS, o.pool?.acquireTimeoutMs ?? 0));
  if (!url) {
    embedded = await startEmbeddedPostgres(o.dataDir, { reuseRunning: o.reuseRunning ?? false, ...(o.onLog ? { onLog: o.onLog } : {}), ...(o.embeddedWatch ? { watch: o.embeddedWatch } : {}) });
    url = embedded.url;
  }
  let orm: MikroORM;
  try {
    orm = await openOrm({ url, ...o.pool, ...(o.onQuery ? { onQuery: o.onQuery } : {}), ...(o.onDriverLog ? { onDriverLog: o.onDriverLog } : {}) });
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
  const migrated = await migrate(orm);
  const readiness = createReadinessProbe(url);
  const credentials = await openCredentialCache({ url, ...(o.onCredentialCache ? { onState: o.onCredentialCache } : {}) });
  return {
    orm,
    credentials,
    embedded: embedded !== null,
    migrated,
    ready: () => readiness.check(),
    async close() {
      await readiness.close();
      await credentials.close();
      // Announcements of the last commits go out before the pool closes.
      await announcerOf(orm).settled();
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
