import { randomUUID } from 'node:crypto';
import type { Context, Middleware, Next } from 'koa';
import { isUuid } from '../domain/shared/id.js';
import type { Logger } from './logger.js';

/** Who a request came from, once a front door accepted its credential. */
export interface Principal {
  readonly tenantId: string | null;
  readonly connectionId?: string;
  readonly apiKeyId?: string;
}

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
    principal?: Principal;
  }
}

/** Path segments that name endpoints, not data; any other segment is logged as `:value`. */
const ENDPOINT_WORDS = new Set(['scim', 'v2', 'users', 'groups', 'schemas', 'resourcetypes', 'serviceproviderconfig', '.search', 'bulk', 'me', 'graphql', 'assets', 'healthz', 'readyz', 'metrics']);

/**
 * The path as logged: endpoint names and ids stay, anything else a client put in the path (a
 * userName where an id belongs, say) becomes `:value` (docs/operations.md#logs).
 */
export function loggedPath(path: string): string {
  return path
    .split('/')
    .map((seg) => (seg === '' || ENDPOINT_WORDS.has(seg.toLowerCase()) || isUuid(seg) || /^[a-z-]{1,32}\.(?:js|css)$/.test(seg) ? seg : ':value'))
    .join('/');
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Headers every answer carries, whichever front door writes it (`requestScope` for Koa, the SCIM
 * listener, the answer to a request the HTTP parser refused): browsers take each body as the
 * Content-Type it is sent with and never guess another (docs/architecture.md#security).
 */
export const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff' } as const;

/** A request's id: the caller's X-Request-Id when it is sane, else a new one. */
export const requestIdOf = (incoming: string | string[] | undefined): string =>
  typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();

/** What the one line logged per request says; `started` is `process.hrtime.bigint()` when it arrived. */
export interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly started: bigint;
  readonly principal?: Principal;
  readonly requestId: string;
}

/**
 * The writer of the one line logged per request (docs/operations.md#logs). The line is built
 * from what Roster made of the request (a checked request id, the method, `loggedPath`, ids it
 * issued), never from a header or a value, so it skips the redaction the logger's other lines
 * go through, which costs as much as writing the rest of the line.
 */
export function requestLog(logger: Logger): (line: RequestLine) => void {
  const lines = logger.child({}, { redact: { paths: [] } });
  return (line) => {
    const ms = Number(process.hrtime.bigint() - line.started) / 1e6;
    // Keys with no value are left out of the line.
    lines.info(
      {
        requestId: line.requestId,
        method: line.method,
        path: loggedPath(line.path),
        status: line.status,
        ms: Math.round(ms * 10) / 10,
        tenantId: line.principal?.tenantId,
        connectionId: line.principal?.connectionId,
        apiKeyId: line.principal?.apiKeyId,
      },
      'request',
    );
  };
}

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, else a new one), echoes
 * it, puts it on every log line, and logs one line per request: method, path without its query
 * (loggedPath), status, duration, and the tenant and connection or API key it came from.
 */
export function requestScope(logger: Logger): Middleware {
  const logRequest = requestLog(logger);
  return async (ctx: Context, next: Next) => {
    const requestId = requestIdOf(ctx.get('x-request-id'));
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    ctx.set(COMMON_HEADERS);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      logRequest({ requestId, method: ctx.method, path: ctx.path, status: ctx.status, started, principal: ctx.state.principal });
    }
  };
}

/**
 * The last line of defence: an error no inner layer rendered becomes a JSON error. Client errors
 * (4xx from body parsing and the like) keep their status and message; anything else is logged
 * with the request id and answered as a bare 500 that leaks nothing.
 */
export function lastResortErrors(): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (e) {
      const err = e as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string; name?: string };
      const status = err.status ?? err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: clientMessage(status, err), requestId: ctx.state.requestId };
        return;
      }
      ctx.state.log.error({ err: e }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal error', requestId: ctx.state.requestId };
    }
  };
}

export function clientMessage(status: number, err: { expose?: boolean; message?: string; type?: string; name?: string }): string {
  if (status === 413) return 'request body is too large';
  // co-body (under @koa/bodyparser) rejects unparsable JSON with a SyntaxError carrying status 400.
  if (err.type === 'entity.parse.failed' || err.name === 'SyntaxError') return 'request body is not valid JSON';
  return err.expose && err.message ? err.message : 'bad request';
}
