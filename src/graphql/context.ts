import type { ApiKey } from '../domain/apikey/apikey.js';
import type { Actor, Ctx } from '../domain/context.js';
import { isDomainError, UnauthenticatedError } from '../domain/errors.js';
import type { EventFollowing } from '../domain/event/event.follow.js';
import type { Services } from '../domain/services.js';
import { bearerToken } from '../domain/shared/bearer.js';
import { ErrorCode, graphQLError, requestError } from './errors.js';
import { createLoaders, type TenantLoaders } from './loaders.js';

/** The slice of a logger the GraphQL layer needs (pino's child logger fits). */
export interface RequestLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface GraphQLLimits {
  /** Largest `first`/`last` a connection accepts. */
  readonly maxPageSize: number;
}

/** Everything one GraphQL request needs; built per request, never shared between requests. */
export interface GraphQLContext {
  readonly services: Services;
  readonly actor: Actor;
  readonly apiKey: ApiKey;
  readonly requestId: string;
  readonly log: RequestLog;
  readonly limits: GraphQLLimits;
  /** The domain context for acting on one tenant in this request. */
  ctxFor(tenantId: string): Ctx;
  /** This request's DataLoaders for one tenant (a platform key may read several tenants at once). */
  loaders(tenantId: string): TenantLoaders;
  /** Following tenants' events: present on WebSocket connections, where subscriptions run. */
  readonly following?: EventFollowing;
}

/**
 * Authenticates the request's API key and builds its context. A missing or bad key is HTTP 401
 * with UNAUTHENTICATED (raised here, before execution, so no resolver runs unauthenticated).
 */
export async function createGraphQLContext(deps: {
  services: Services;
  limits: GraphQLLimits;
  authorization: string | undefined;
  requestId: string;
  log: RequestLog;
}): Promise<GraphQLContext> {
  const { services, requestId, log, limits } = deps;
  const token = bearerToken(deps.authorization);
  let auth: Awaited<ReturnType<Services['apiKeys']['authenticate']>>;
  try {
    if (token === null) throw new UnauthenticatedError('Send an API key as "Authorization: Bearer <key>"');
    auth = await services.apiKeys.authenticate(token);
  } catch (e) {
    if (isDomainError(e)) throw requestError(e);
    log.error({ err: e }, 'authentication failed unexpectedly');
    throw graphQLError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', 500);
  }
  const { actor, apiKey } = auth;
  const ctxFor = (tenantId: string): Ctx => ({ tenantId, actor, requestId });
  const loaders = createLoaders(services, ctxFor);
  return { services, actor, apiKey, requestId, log, limits, ctxFor, loaders };
}
