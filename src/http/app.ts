import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config/config.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { lastResortErrors, requestScope } from './request.js';

export interface Readiness {
  (): Promise<{ ok: boolean; detail: string }>;
}

export interface AppDeps {
  readonly config: Pick<Config, 'bodyLimitBytes'> & Partial<Pick<Config, 'trustProxy'>>;
  readonly logger: Logger;
  readonly ready: Readiness;
  /** The app's metrics; a registry of its own when not given. */
  readonly metrics?: Metrics;
  /**
   * Front doors mounted after the common middleware (GraphQL, SCIM). Each parses its own body
   * with jsonBodyParser, inside its own error handling, so each renders body errors its way.
   */
  readonly mounts?: readonly Koa.Middleware[];
}

/** Media types whose bodies are JSON: SCIM's own (RFC 7644 §3.1) and plain JSON. */
export const JSON_TYPES = ['application/json', 'application/scim+json', 'application/graphql-response+json'];

/** JSON bodies up to `limit` bytes; larger ones are refused with 413 before they are read whole. */
export function jsonBodyParser(limit: number): Koa.Middleware {
  return bodyParser({ enableTypes: ['json'], extendTypes: { json: JSON_TYPES }, jsonLimit: limit, encoding: 'utf-8' });
}

export function createApp(deps: AppDeps): Koa {
  // Forwarded headers are believed only when the operator says a proxy sets them (TRUST_PROXY).
  const app = new Koa({ proxy: deps.config.trustProxy ?? false });
  app.silent = true;
  app.on('error', () => undefined); // every error is logged by the middleware below, with its request id

  // Health and metrics never touch the request pool, so they answer while it is exhausted.
  const health = new Router();
  // Liveness: the process answers.
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  // Prometheus scrape endpoint: aggregate counters only, nothing about any person or tenant.
  const metrics = deps.metrics ?? createMetrics();
  health.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  // Readiness: the database answers and every migration is applied (a probe with a pool of its own).
  health.get('/readyz', async (ctx) => {
    const r = await deps.ready();
    ctx.status = r.ok ? 200 : 503;
    ctx.body = { status: r.ok ? 'ready' : 'unavailable', detail: r.detail };
  });

  app.use(requestScope(deps.logger));
  app.use(metrics.middleware);
  app.use(lastResortErrors());
  app.use(health.routes());
  for (const m of deps.mounts ?? []) app.use(m);
  return app;
}
