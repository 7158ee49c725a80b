import type { Context, Middleware, Next } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UnavailableReason } from '../domain/errors.js';
import type { GraphQLExecution } from '../graphql/executor.js';

/** The request pool's state at one moment. */
export interface PoolStats {
  /** Connections open (in use or idle). */
  readonly size: number;
  readonly inUse: number;
  /** Units of work waiting for a connection. */
  readonly waiting: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** Counts and times every request by front door, method and status (never by path: ids are personal). */
  readonly middleware: Middleware;
  /** The same for a request a front door answers outside Koa: call it when the request arrives, and what it returns once answered. */
  track(door: Door): (method: string, status: number) => void;
  /** Counts one piece of work refused with 503, by why (docs/operations.md#metrics). */
  rejected(cause: UnavailableReason): void;
  /** Reports the database pool's state, read at each scrape. */
  observePool(read: () => PoolStats): void;
  /** Counts one GraphQL operation executed, by how (docs/architecture.md#graphql-execution-cost). */
  graphqlExecuted(how: GraphQLExecution): void;
}

/** The front doors, the label values of `door`: a fixed, small set. */
export type Door = 'graphql' | 'scim' | 'ops' | 'other';

/** Which front door a path Koa answers belongs to; SCIM's listener tracks its own requests (`track('scim')`). */
function doorOf(path: string): Door {
  if (path === '/graphql' || path.startsWith('/graphql/')) return 'graphql';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return 'ops';
  return 'other';
}

/**
 * Prometheus metrics for one app: process metrics, request counts and durations, requests in
 * flight by front door, work refused by cause, and the database pool (read when scraped).
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'roster_' });
  const labelNames = ['door', 'method', 'status'] as const;
  const requests = new Counter({ name: 'roster_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'roster_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'roster_http_in_flight', help: 'HTTP requests in progress', labelNames: ['door'], registers: [registry] });
  const rejections = new Counter({
    name: 'roster_rejections_total',
    help: 'Work refused with 503 (Retry-After), by cause: pool_timeout, statement_timeout, connection_lost, serialization_conflict, tenant_limit',
    labelNames: ['cause'],
    registers: [registry],
  });
  const executions = new Counter({
    name: 'roster_graphql_executions_total',
    help: 'GraphQL operations executed, by executor: compiled (queries), or graphql-js (mutations, subscriptions over HTTP, variables the compiled form refuses)',
    labelNames: ['executor'],
    registers: [registry],
  });
  const observePool = (read: () => PoolStats) => {
    const gauge = (name: string, help: string, value: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(value(read()));
        },
      });
    gauge('roster_db_pool_size', 'Database connections open in the request pool', (s) => s.size);
    gauge('roster_db_pool_in_use', 'Database connections of the request pool in use', (s) => s.inUse);
    gauge('roster_db_pool_waiting', 'Units of work waiting for a database connection', (s) => s.waiting);
  };
  const track = (door: Door) => {
    const end = duration.startTimer();
    inFlight.inc({ door });
    return (method: string, status: number) => {
      inFlight.dec({ door });
      const labels = { door, method, status: String(status) };
      requests.inc(labels);
      end(labels);
    };
  };
  const middleware: Middleware = async (ctx: Context, next: Next) => {
    const done = track(doorOf(ctx.path));
    try {
      await next();
    } finally {
      done(ctx.method, ctx.status);
    }
  };
  return {
    registry,
    middleware,
    track,
    rejected: (cause) => rejections.inc({ cause }),
    observePool,
    graphqlExecuted: (how) => executions.inc({ executor: how }),
  };
}
