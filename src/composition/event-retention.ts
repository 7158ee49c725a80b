import type { Services } from '../domain/services.js';
import type { Logger } from '../http/logger.js';
import { every } from './periodic.js';

/** How often a process prunes; every process does, and deleting what another process deleted is a no-op. */
export const PRUNE_INTERVAL_MS = 3_600_000;
/** Events deleted per statement: each statement's row locks are held briefly (docs/operations.md#event-retention). */
export const PRUNE_BATCH = 1000;

/**
 * Deletes change events older than the retention, and webhook deliveries delivered or given up
 * longer ago than theirs, once at start and then every PRUNE_INTERVAL_MS, in batches of
 * PRUNE_BATCH (docs/operations.md#event-retention). Runs never overlap.
 */
export function startEventPruning(
  services: Services,
  o: { retentionDays: number; deliveryRetentionDays: number; logger: Logger; intervalMs?: number },
): { stop(): Promise<void> } {
  return every(
    o.intervalMs ?? PRUNE_INTERVAL_MS,
    async () => {
      try {
        const pruned = await services.events.prune(o.retentionDays, PRUNE_BATCH);
        if (pruned > 0) o.logger.info({ pruned, retentionDays: o.retentionDays }, 'change events pruned');
      } catch (err) {
        o.logger.warn({ err }, 'pruning change events failed; retrying at the next interval');
      }
      try {
        const pruned = await services.webhooks.pruneDeliveries(o.deliveryRetentionDays, PRUNE_BATCH);
        if (pruned > 0) o.logger.info({ pruned, retentionDays: o.deliveryRetentionDays }, 'webhook deliveries pruned');
        // A rotated secret past its overlap signs nothing any more: it is not kept either.
        await services.webhooks.forgetExpiredSecrets();
      } catch (err) {
        o.logger.warn({ err }, 'pruning webhook deliveries failed; retrying at the next interval');
      }
    },
    { atStart: true },
  );
}
