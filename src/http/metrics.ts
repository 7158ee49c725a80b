import type { Context, Middleware, Next } from 'koa';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  /** Counts and times every request by front door, method and status (never by path: ids are personal). */
  readonly middleware: Middleware;
}

/** Which front door a path belongs to; a fixed, small set of label values. */
function doorOf(path: string): string {
  if (path === '/graphql' || path.startsWith('/graphql/')) return 'graphql';
  if (path === '/scim/v2' || path.startsWith('/scim/v2/')) return 'scim';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return 'ops';
  return 'other';
}

/** Prometheus metrics for one app: process metrics plus request counts and durations. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'roster_' });
  const labelNames = ['door', 'method', 'status'] as const;
  const requests = new Counter({ name: 'roster_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'roster_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const middleware: Middleware = async (ctx: Context, next: Next) => {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      const labels = { door: doorOf(ctx.path), method: ctx.method, status: String(ctx.status) };
      requests.inc(labels);
      end(labels);
    }
  };
  return { registry, middleware };
}
