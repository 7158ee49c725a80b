import type { Repositories, Store } from '../ports.js';

/** How often a credential's last-used stamp is written at most, per process. */
const STAMP_INTERVAL_MS = 60_000;

/**
 * The last-used stamp of credentials (SCIM tokens, API keys) is advisory: each process writes it at
 * most once a minute per credential, whatever the stamp it read says (a cached credential carries
 * the stamp it had when it was cached), so a busy sync does not write on every request.
 */
export function usageStamp(store: Store, touch: (r: Repositories, id: string, at: Date) => Promise<void>) {
  const written = new Map<string, number>();
  return async (id: string, lastUsedAt: Date | null, now: Date): Promise<void> => {
    const last = Math.max(written.get(id) ?? 0, lastUsedAt?.getTime() ?? 0);
    if (now.getTime() - last <= STAMP_INTERVAL_MS) return;
    if (written.size >= 10_000) written.clear();
    written.set(id, now.getTime());
    await store.write((r) => touch(r, id, now));
  };
}
