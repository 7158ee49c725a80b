import type { MikroORM } from '@mikro-orm/postgresql';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.js';
import { migrate, openOrm, pendingMigrations } from './orm.js';
import { query } from './sql.js';

export interface Database {
  readonly orm: MikroORM;
  /** Whether Roster started the PostgreSQL it uses. */
  readonly embedded: boolean;
  /** Reachable and fully migrated. */
  ready(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

/** Readiness: the database answers and no migration is pending. */
export async function checkReady(orm: MikroORM): Promise<{ ok: boolean; detail: string }> {
  try {
    await query(orm.em.fork(), 'select 1');
    const pending = await pendingMigrations(orm);
    return pending.length === 0 ? { ok: true, detail: 'ok' } : { ok: false, detail: `${pending.length} migration(s) pending` };
  } catch {
    return { ok: false, detail: 'database unreachable' };
  }
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL when there is none, then applies
 * pending migrations.
 */
export async function openDatabase(o: {
  url: string | undefined;
  dataDir: string;
  onLog?: (line: string) => void;
  onQuery?: (sql: string) => void;
  /** Use the embedded cluster of a Roster already running on dataDir (for the CLI). */
  reuseRunning?: boolean;
}): Promise<Database & { migrated: string[] }> {
  let embedded: EmbeddedDatabase | null = null;
  let url = o.url;
  if (!url) {
    embedded = await startEmbeddedPostgres(o.dataDir, { reuseRunning: o.reuseRunning ?? false, ...(o.onLog ? { onLog: o.onLog } : {}) });
    url = embedded.url;
  }
  let orm: MikroORM;
  try {
    orm = await openOrm({ url, ...(o.onQuery ? { onQuery: o.onQuery } : {}) });
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
  const migrated = await migrate(orm);
  return {
    orm,
    embedded: embedded !== null,
    migrated,
    ready: () => checkReady(orm),
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
