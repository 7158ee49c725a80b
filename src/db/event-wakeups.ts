import type { EventWakeups } from '../domain/ports.js';
import { listen, type Listener } from './listen.js';
import { EVENTS_CHANNEL } from './repositories/event.repository.js';

/**
 * Re-reads after a notification: an event committed by one transaction is readable only once
 * every older transaction has ended (docs/architecture.md#positions), which may be a moment later.
 */
const REWAKE_AFTER_MS = [100, 1000] as const;

/**
 * Wake-ups for outbox readers in this process (docs/architecture.md#subscriptions): one LISTEN
 * connection, opened when the first reader watches, wakes the readers of the tenant a commit
 * names; a poll wakes every reader every `pollIntervalMs` as a safety net for notifications
 * missed while reconnecting, or held back behind an older transaction.
 */
export function createEventWakeups(url: string, o: { pollIntervalMs: number }): EventWakeups & { close(): Promise<void> } {
  const watchers = new Map<string, Set<() => void>>();
  const rewaking = new Set<string>();
  let listener: Listener | null = null;
  let poll: NodeJS.Timeout | null = null;
  let closed = false;

  const wakeTenant = (tenantId: string) => {
    for (const wake of watchers.get(tenantId) ?? []) wake();
  };
  const wakeAll = () => {
    for (const tenantId of watchers.keys()) wakeTenant(tenantId);
  };
  const notified = (tenantId: string | undefined) => {
    if (!tenantId) return wakeAll();
    wakeTenant(tenantId);
    if (rewaking.has(tenantId)) return;
    rewaking.add(tenantId);
    for (const [i, ms] of REWAKE_AFTER_MS.entries()) {
      const t = setTimeout(() => {
        wakeTenant(tenantId);
        if (i === REWAKE_AFTER_MS.length - 1) rewaking.delete(tenantId);
      }, ms);
      t.unref();
    }
  };

  return {
    watch(tenantId, wake) {
      if (closed) return () => undefined;
      if (!listener) {
        listener = listen(url, { [EVENTS_CHANNEL]: notified });
        poll = setInterval(wakeAll, o.pollIntervalMs);
        poll.unref();
      }
      let set = watchers.get(tenantId);
      if (!set) watchers.set(tenantId, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0 && watchers.get(tenantId) === set) watchers.delete(tenantId);
      };
    },
    async close() {
      closed = true;
      if (poll) clearInterval(poll);
      watchers.clear();
      await listener?.close();
      listener = null;
    },
  };
}
