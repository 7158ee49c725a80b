import { systemActor } from '../context.js';
import type { Repositories } from '../ports.js';
import { recordAudit, recordEvent, type ServiceDeps } from '../shared/service-kit.js';
import { endpointData } from './webhook.js';
import { givenUp, retryDelayMs, type RetryPolicy } from './retry.js';
import { webhookHeaders } from './signature.js';
import { checkTarget, type ResolvedAddress, type TargetPolicy } from './url-guard.js';
import type { FanOutResult } from './webhook.fanout.js';
import type { AttemptOutcome, ClaimedDelivery } from './webhook.ports.js';

/** One POST to a checked address; the sender connects to `addresses` only and follows no redirect. */
export interface WebhookRequest {
  readonly url: URL;
  readonly addresses: readonly ResolvedAddress[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** What an attempt gave: the status of an answer, or why there was none. */
export type WebhookResponse = { readonly status: number } | { readonly error: string };

export interface WebhookSender {
  send(req: WebhookRequest): Promise<WebhookResponse>;
}

export interface DispatcherSettings extends RetryPolicy {
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
}

export interface DispatcherLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Moves new change events into the delivery queue: how many it moved, whether there may be more
 * (a whole batch was moved), so the dispatcher goes on until it has caught up, and whether any
 * endpoint is enabled.
 */
export type FanOut = () => Promise<FanOutResult>;

/**
 * The least time between two fan-outs that follow announcements. Under a stream of writes every
 * commit is announced; fanning out after each would cost a transaction per write in every process,
 * while one fan-out every few milliseconds moves all that committed meanwhile.
 */
export const FAN_OUT_GAP_MS = 25;

export interface Dispatcher {
  start(): void;
  /** Looks at the queue now rather than at the next poll. */
  wake(): void;
  /**
   * A transaction that wrote change events committed: fan out now, and soon again until they show;
   * unless the last fan-out found no enabled endpoint anywhere, when the poll's fan-out is enough.
   */
  eventsCommitted(): void;
  /** An endpoint may have been enabled (created, or enabled again): fan out now. */
  endpointsChanged(): void;
  /** Stops taking deliveries and waits for the attempts in flight (each bounded by the timeout). */
  stop(): Promise<void>;
}

/**
 * The webhook dispatcher (docs/architecture.md#webhooks). Each round it moves new events into the
 * queue, then claims the due head of as many endpoints' queues as it has free slots, and sends
 * them at once: one attempt in flight per endpoint, `concurrency` in all, so a slow endpoint holds
 * one slot for at most the timeout and never holds up another endpoint. Claims are leases in
 * PostgreSQL: a process killed mid-attempt leaves a lease that expires, and the delivery is
 * attempted again (at least once); two processes never hold the same lease.
 */
export function createDispatcher(deps: ServiceDeps & { sender: WebhookSender; targets: TargetPolicy; settings: DispatcherSettings; fanOut: FanOut; log: DispatcherLog }): Dispatcher {
  const { store, settings, log } = deps;
  // A lease outlives the longest attempt (the timeout, DNS included) with room to record the outcome.
  const leaseMs = settings.timeoutMs * 2 + 5000;
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let wakeUp: (() => void) | null = null;
  /** A wake-up that came while a round ran: the next round starts at once. */
  let woken = false;
  /**
   * Events were committed that fan-out has not seen yet. The outbox shows an event only once every
   * older transaction has ended (docs/architecture.md#change-events), and nothing announces that
   * moment, so the dispatcher looks again after 10 ms, 20 ms, 40 ms… up to the poll interval.
   */
  let settleMs: number | null = null;
  let loop: Promise<void> | null = null;

  /** Sends one delivery; returns the endpoint's next delivery when this one was taken and the next is due. */
  async function attempt(d: ClaimedDelivery): Promise<ClaimedDelivery | null> {
    const body = JSON.stringify(d.payload);
    let outcome: AttemptOutcome;
    try {
      // Checked again at every attempt: what the name resolves to now is what is connected to.
      const target = await checkTarget(d.url, deps.targets);
      const headers = webhookHeaders(d.previousSecret ? [d.secret, d.previousSecret] : [d.secret], d.eventId, Math.floor(Date.now() / 1000), body);
      const res = await deps.sender.send({ url: target.url, addresses: target.addresses, headers: { ...headers, 'user-agent': 'Roster-Webhooks/1' }, body, timeoutMs: settings.timeoutMs });
      outcome = 'status' in res ? { statusCode: res.status, error: res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}` } : { statusCode: null, error: res.error };
    } catch (e) {
      outcome = { statusCode: null, error: e instanceof Error ? e.message.slice(0, 200) : 'failed' };
    }
    return record(d, outcome);
  }

  async function record(d: ClaimedDelivery, o: AttemptOutcome): Promise<ClaimedDelivery | null> {
    if (o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300) {
      // The endpoint's next delivery is claimed in the same transaction, so a busy endpoint costs
      // one transaction per delivery and keeps its slot.
      return store.write(async (r) => {
        if (!(await r.webhookDeliveries.succeed(d, o)) || !running) return null;
        return (await r.webhookDeliveries.claim(1, leaseMs, d.endpointId))[0] ?? null;
      });
    }
    if (!givenUp(settings, d.firstAttemptAt, deps.now())) {
      await store.write((r) => r.webhookDeliveries.retry(d, o, retryDelayMs(settings, d.attempts)));
      return null;
    }
    await store.write(async (r) => {
      if (!(await r.webhookDeliveries.giveUp(d, o))) return;
      await disableFailing(r, d);
    });
    log.warn({ endpointId: d.endpointId, tenantId: d.tenantId, attempts: d.attempts }, 'webhook endpoint disabled: its deliveries failed for the whole retry period');
    return null;
  }

  /** One slot: an endpoint's deliveries one after the other while they are due. */
  async function work(first: ClaimedDelivery): Promise<void> {
    let d: ClaimedDelivery | null = first;
    while (d) {
      const current: ClaimedDelivery = d;
      d = await attempt(current).catch((e: unknown) => {
        log.warn({ err: e, deliveryId: current.id }, 'webhook attempt could not be recorded; its lease will expire and it is tried again');
        return null;
      });
    }
  }

  /** The endpoint failed for the whole retry period: disabled, its queue given up, the audit log says so. */
  async function disableFailing(r: Repositories, d: ClaimedDelivery): Promise<void> {
    const e = await r.webhookEndpoints.get(d.tenantId, d.endpointId, { forUpdate: true });
    if (!e || !e.enabled) return;
    const disabled = { ...e, enabled: false, disabledReason: 'failing' as const, updatedAt: deps.now() };
    await r.webhookEndpoints.update(disabled);
    await r.webhookDeliveries.failPending(d.tenantId, d.endpointId, 'endpoint disabled after failing');
    const ctx = { tenantId: d.tenantId, actor: systemActor, requestId: null };
    await recordAudit(deps, r, ctx, { action: 'webhookEndpoint.disable', resourceType: 'WebhookEndpoint', resourceId: d.endpointId, changes: ['enabled'] });
    await recordEvent(deps, r, ctx, { type: 'webhook_endpoint.disabled', resourceType: 'WebhookEndpoint', resourceId: d.endpointId, data: endpointData(disabled), changedAttributes: ['enabled'] });
  }

  /** Whether the next round moves events first (new events were announced, or the poll came round). */
  let fanOutDue = true;
  /**
   * Whether the next round claims: the poll came round, an attempt ended, someone woke the
   * dispatcher, or the fan-out queued deliveries. A round that only follows an announcement and
   * queued nothing has nothing new to claim.
   */
  let claimDue = true;
  /** When the last fan-out that caught up (moved less than a whole batch) started. */
  let caughtUpAt = 0;
  /**
   * Whether the last fan-out saw an enabled endpoint (assumed until one says otherwise). Without
   * one, an announcement starts no fan-out: the poll's moves the position past the events, and an
   * endpoint's enabling is announced on its own (`endpointsChanged`).
   */
  let endpoints = true;
  /** Counts `endpointsChanged` calls: a fan-out that began before the latest one may not have seen the endpoint. */
  let endpointsHeard = 0;

  async function round(): Promise<void> {
    // Events first, so a change committed just now can be claimed in the same round. A round that
    // only follows a finished attempt claims without looking at the outbox.
    while (fanOutDue && running) {
      // Announcements that arrive meanwhile are folded into this fan-out.
      const gap = caughtUpAt + FAN_OUT_GAP_MS - Date.now();
      if (gap > 0) await pause(gap);
      fanOutDue = false;
      const startedAt = Date.now();
      const heard = endpointsHeard;
      const { moved, queued, more, endpoints: seen } = await deps.fanOut();
      if (heard === endpointsHeard) endpoints = seen;
      // Looking again soon is for events announced but not yet readable; without an endpoint no one waits for them.
      if (moved > 0 || !endpoints) settleMs = null;
      if (queued > 0) claimDue = true;
      if (more) fanOutDue = true;
      else caughtUpAt = startedAt;
    }
    const free = settings.concurrency - inFlight.size;
    if (free <= 0 || !running || !claimDue) return;
    claimDue = false;
    const claimed = await store.write((r) => r.webhookDeliveries.claim(free, leaseMs));
    for (const d of claimed) {
      const p: Promise<void> = work(d).finally(() => {
          inFlight.delete(p);
          wake();
        });
      inFlight.add(p);
    }
  }

  /** Starts the next round now (or when the one running ends). */
  function rouse(): void {
    woken = true;
    wakeUp?.();
  }

  function wake(): void {
    claimDue = true;
    rouse();
  }

  /** Waits `ms`, or less when the dispatcher stops. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        stopWaiting = null;
        resolve();
      }, ms);
      stopWaiting = () => {
        clearTimeout(t);
        resolve();
      };
    });
  let stopWaiting: (() => void) | null = null;

  async function run(): Promise<void> {
    while (running) {
      try {
        await round();
      } catch (e) {
        log.warn({ err: e }, 'webhook dispatch round failed; retrying at the next poll');
      }
      if (!running) break;
      if (woken) {
        woken = false;
        continue;
      }
      let sleepMs = settings.pollIntervalMs;
      if (settleMs !== null) {
        sleepMs = Math.min(settleMs, settings.pollIntervalMs);
        settleMs = settleMs * 2 >= settings.pollIntervalMs ? null : settleMs * 2;
      }
      // The poll also claims: retries fall due with time, and another process may have queued deliveries.
      const poll = sleepMs === settings.pollIntervalMs;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(() => {
          fanOutDue = true;
          if (poll) claimDue = true;
          resolve();
        }, sleepMs);
      });
      wakeUp = null;
      woken = false;
      if (timer) clearTimeout(timer);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake,
    eventsCommitted() {
      if (!endpoints) return;
      settleMs = 10;
      fanOutDue = true;
      rouse();
    },
    endpointsChanged() {
      endpointsHeard++;
      endpoints = true;
      fanOutDue = true;
      rouse();
    },
    async stop() {
      running = false;
      stopWaiting?.();
      wake();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
