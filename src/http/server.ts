import type Koa from 'koa';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../config/config.js';
import type { Store } from '../domain/ports.js';
import { createServices, type Services } from '../domain/services.js';
import { createScimRouter } from '../scim/scim.router.js';
import { createApp, jsonBodyParser, type Readiness } from './app.js';
import { graphqlMount } from './graphql.mount.js';
import { scimMount } from './scim.mount.js';
import type { Logger } from './logger.js';

/** The domain services over a store, with the real clock and time-ordered ids. */
export function buildServices(store: Store): Services {
  return createServices({ store, now: () => new Date(), newId: uuidv7 });
}

/** Roster's HTTP application: health, then the front doors over one set of domain services. */
export function createRosterApp(deps: { services: Services; config: Config; logger: Logger; ready: Readiness }): Koa {
  const parseBody = jsonBodyParser(deps.config.bodyLimitBytes);
  const scim = scimMount({
    parseBody,
    handle: createScimRouter({
      services: deps.services,
      maxResults: deps.config.maxPageSize,
      // Only the error and the request id: never the request, which carries personal data.
      onUnexpected: (err, requestId) => deps.logger.error({ err, requestId }, 'SCIM request failed unexpectedly'),
    }),
  });
  const graphql = graphqlMount({ services: deps.services, config: deps.config, logger: deps.logger });
  return createApp({ config: deps.config, logger: deps.logger, ready: deps.ready, mounts: [scim, graphql] });
}
