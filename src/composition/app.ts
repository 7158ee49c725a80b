import type { RequestListener, Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/config.js';
import type { Services } from '../domain/services.js';
import { createAdmission } from '../http/admission.js';
import { createApp, type Readiness } from '../http/app.js';
import { graphqlMount } from '../http/graphql.mount.js';
import type { Logger } from '../http/logger.js';
import { createMetrics, type Metrics } from '../http/metrics.js';
import { scimListener } from '../http/scim.mount.js';
import { createScimRouter } from '../scim/scim.router.js';
import { createEventWakeups } from '../db/event-wakeups.js';
import { createEventFollowing } from '../domain/event/event.follow.js';
import { buildRosterSchema } from '../graphql/schema.js';
import { attachSubscriptions } from '../http/subscriptions.js';

/** Roster's HTTP application, as the request listener of a node:http server. */
export interface RosterApp {
  callback(): RequestListener;
}

/**
 * Roster's HTTP application: SCIM served straight from node:http (docs/architecture.md#scim-without-koa),
 * then Koa for health, metrics and GraphQL, over one set of domain services.
 */
export function createRosterApp(deps: { services: Services; config: Config; logger: Logger; ready: Readiness; metrics?: Metrics }): RosterApp {
  const { config, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  // One tenant's requests in progress are capped across both front doors (docs/architecture.md#robustness).
  const admission = createAdmission({ maxInFlight: config.tenantMaxInFlight, maxWaitMs: config.dbAcquireTimeoutMs, onReject: () => metrics.rejected('tenant_limit') });
  const scim = scimListener({
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    logger,
    metrics,
    handle: createScimRouter({
      services: deps.services,
      maxResults: config.maxPageSize,
      retryAfterSeconds: config.retryAfterSeconds,
      admit: (tenantId) => admission.enter(tenantId),
      // Only the error and the request id: never the request, which carries personal data.
      onUnexpected: (err, requestId) => logger.error({ err, requestId }, 'SCIM request failed unexpectedly'),
      onUnavailable: (err, requestId) => logger.warn({ err, requestId }, 'SCIM request refused: unavailable'),
      onFailureUnrecorded: (err, requestId) => logger.warn({ err, requestId }, 'SCIM write failed and its failure was not recorded: unavailable'),
    }),
  });
  const graphql = graphqlMount({ services: deps.services, config, logger, admission, onExecuted: metrics.graphqlExecuted });
  const koa = createApp({ config, logger, ready: deps.ready, metrics, mounts: [graphql] });
  return {
    callback() {
      const rest = koa.callback();
      return (req, res) => {
        if (!scim(req, res)) void rest(req, res);
      };
    },
  };
}

/** How often subscriptions read the outbox without a notification: the safety net, not the path. */
export const SUBSCRIPTION_POLL_MS = 5000;

/**
 * GraphQL subscriptions on the server's WebSocket upgrades (docs/architecture.md#subscriptions),
 * woken by the outbox's notifications on a connection of their own. `close()` ends every socket
 * and that connection; main.ts calls it first thing on shutdown.
 */
export function attachRosterSubscriptions(server: Server, deps: { orm: MikroORM; services: Services; config: Config; logger: Logger }): { close(): Promise<void> } {
  const wakeups = createEventWakeups(deps.orm.config.get('clientUrl')!, { pollIntervalMs: SUBSCRIPTION_POLL_MS });
  const following = createEventFollowing(deps.services.events, wakeups);
  const subscriptions = attachSubscriptions(server, { schema: buildRosterSchema(), services: deps.services, following, config: deps.config, logger: deps.logger });
  return {
    async close() {
      await subscriptions.close();
      await wakeups.close();
    },
  };
}
