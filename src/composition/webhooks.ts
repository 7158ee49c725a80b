import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig, type Config } from '../config/config.js';
import { listen, type Listener } from '../db/listen.js';
import { EVENTS_CHANNEL } from '../db/repositories/event.repository.js';
import { WEBHOOK_ENDPOINTS_CHANNEL } from '../db/repositories/webhook.repository.js';
import { createStore, type StoreOptions } from '../db/store.js';
import { createDispatcher, type Dispatcher, type DispatcherLog } from '../domain/webhook/webhook.dispatcher.js';
import { resolveHost } from '../domain/webhook/url-guard.js';
import { fanOut } from '../domain/webhook/webhook.fanout.js';
import { createWebhookSender } from '../http/webhook.sender.js';

/**
 * The webhook dispatcher of one process (docs/architecture.md#webhooks): the domain's dispatch
 * loop over the PostgreSQL queue, sending with the pinned-address HTTP client. main.ts starts it
 * after the server listens and stops it on SIGTERM before the database closes.
 */
export function createWebhookDispatcher(orm: MikroORM, o: StoreOptions & { settings: Config['webhooks']; limits?: Config['limits']; log: DispatcherLog }): Dispatcher {
  const store = createStore(orm, o);
  const { settings } = o;
  const dispatcher = createDispatcher({
    store,
    now: () => new Date(),
    newId: uuidv7,
    limits: o.limits ?? loadConfig({}).limits,
    sender: createWebhookSender(),
    targets: { allowPrivateNetworks: settings.allowPrivateNetworks, resolve: resolveHost },
    settings: {
      concurrency: settings.concurrency,
      pollIntervalMs: settings.pollIntervalMs,
      timeoutMs: settings.timeoutMs,
      baseMs: settings.retryBaseMs,
      maxDelayMs: settings.retryMaxDelayMs,
      retryForMs: settings.retryForMs,
    },
    fanOut: () => fanOut({ store, newId: uuidv7 }, 500),
    log: o.log,
  });
  // A commit that wrote change events notifies every process, and so does one that enabled an
  // endpoint: fan-out and delivery start at once instead of at the next poll.
  let listener: Listener | null = null;
  return {
    start() {
      listener ??= listen(orm.config.get('clientUrl')!, {
        [EVENTS_CHANNEL]: () => dispatcher.eventsCommitted(),
        [WEBHOOK_ENDPOINTS_CHANNEL]: () => dispatcher.endpointsChanged(),
      });
      dispatcher.start();
    },
    wake: () => dispatcher.wake(),
    eventsCommitted: () => dispatcher.eventsCommitted(),
    endpointsChanged: () => dispatcher.endpointsChanged(),
    async stop() {
      await listener?.close();
      listener = null;
      await dispatcher.stop();
    },
  };
}
