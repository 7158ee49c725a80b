import type { MikroORM } from '@mikro-orm/postgresql';
import { analyzeStale } from '../db/statistics.js';
import { every } from './periodic.js';

/**
 * Keeps the planner's statistics of Roster's tables close to their contents, every `intervalMs`,
 * whether or not autovacuum runs (docs/operations.md#planner-statistics). A lookup by userName is
 * planned from them: statistics taken when a tenant held a handful of users make PostgreSQL walk
 * every user of the tenant for each lookup once it holds 50,000, so an initial sync into a new
 * tenant would slow down with every user it creates. 0 turns it off.
 */
export function startStatisticsUpkeep(orm: MikroORM, o: { intervalMs: number; log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void } }): { stop(): Promise<void> } {
  if (o.intervalMs <= 0) return { stop: async () => undefined };
  return every(o.intervalMs, async () => {
    try {
      const tables = await analyzeStale(orm);
      if (tables.length > 0) o.log.info({ tables }, 'planner statistics brought up to date');
    } catch (err) {
      o.log.warn({ err }, 'bringing planner statistics up to date failed; retrying at the next interval');
    }
  });
}
