import type { MikroORM } from '@mikro-orm/postgresql';
import { exec, query, transaction } from './sql.js';

/** The transaction-scoped advisory lock one process holds while it brings statistics up to date. */
const ANALYZE_LOCK = 7_265_002;

/** A table is analyzed once this many rows changed since its last ANALYZE... */
export const ANALYZE_MIN_CHANGES = 500;
/** ...and the changes are at least this share of the rows its statistics know of. */
export const ANALYZE_SHARE = 0.1;

/**
 * Roster's tables whose planner statistics lag behind their contents: at least ANALYZE_MIN_CHANGES
 * rows changed since the last ANALYZE (by anyone, autovacuum included), and at least ANALYZE_SHARE
 * of the rows the statistics count.
 */
const STALE = `select s.relname as name from pg_stat_user_tables s join pg_class c on c.oid = s.relid
  where s.schemaname = current_schema() and s.n_mod_since_analyze >= ? and s.n_mod_since_analyze >= ? * greatest(c.reltuples, 0)
  order by s.relname`;

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Analyzes the tables whose statistics lag (docs/operations.md#planner-statistics), in one
 * transaction holding an advisory lock so that one process does it at a time; answers the tables
 * analyzed (none when another process holds the lock).
 */
export async function analyzeStale(orm: MikroORM): Promise<string[]> {
  return transaction(orm.em.fork(), async (tx) => {
    const [got] = await query<{ locked: boolean }>(tx, 'select pg_try_advisory_xact_lock(?) as locked', [ANALYZE_LOCK]);
    if (!got?.locked) return [];
    const stale = (await query<{ name: string }>(tx, STALE, [ANALYZE_MIN_CHANGES, ANALYZE_SHARE])).map((r) => r.name);
    if (stale.length > 0) await exec(tx, `analyze ${stale.map(quoteIdentifier).join(', ')}`);
    return stale;
  });
}
