import type Koa from 'koa';
import type { Config } from '../config/config.js';
import type { Services } from '../domain/services.js';
import { createApp, jsonBodyParser, type Readiness } from '../http/app.js';
import { graphqlMount } from '../http/graphql.mount.js';
import type { Logger } from '../http/logger.js';
import { scimMount } from '../http/scim.mount.js';
import { createScimRouter } from '../scim/scim.router.js';

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
