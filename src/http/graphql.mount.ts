import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { koaMiddleware } from '@as-integrations/koa';
import type Koa from 'koa';
import type { Config } from '../config/config.js';
import type { Services } from '../domain/services.js';
import { createApolloServer } from '../graphql/apollo.js';
import { createGraphQLContext } from '../graphql/context.js';
import type { GraphQLExecution } from '../graphql/executor.js';
import { isDomainError } from '../domain/errors.js';
import { ErrorCode, requestError } from '../graphql/errors.js';
import { PLAYGROUND_CSS, playgroundHtml, playgroundScript } from '../graphql/playground.js';
import { buildRosterSchema } from '../graphql/schema.js';
import { documentNesting, MAX_DOCUMENT_NESTING } from '../graphql/limits.js';
import type { Admission } from './admission.js';
import { jsonBodyParser } from './app.js';
import type { Logger } from './logger.js';
import { clientMessage } from './request.js';

export const GRAPHQL_PATH = '/graphql';

const require = createRequire(import.meta.url);
const pkgDir = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

/** Where each playground asset comes from: the pinned packages in node_modules, or our own text. */
function assetSource(name: string): { type: string; load: () => Promise<string | Buffer> } | undefined {
  const file = (pkg: string, rel: string) => () => readFile(path.join(pkgDir(pkg), rel));
  switch (name) {
    case 'react.js':
      return { type: 'text/javascript', load: file('react', 'umd/react.production.min.js') };
    case 'react-dom.js':
      return { type: 'text/javascript', load: file('react-dom', 'umd/react-dom.production.min.js') };
    case 'graphiql.js':
      return { type: 'text/javascript', load: file('graphiql', 'dist/index.umd.js') };
    case 'graphiql.css':
      return { type: 'text/css', load: file('graphiql', 'dist/style.css') };
    case 'playground.js':
      return { type: 'text/javascript', load: async () => playgroundScript() };
    case 'playground.css':
      return { type: 'text/css', load: async () => PLAYGROUND_CSS };
    default:
      return undefined;
  }
}

// The page runs only what this server sends; GraphiQL sets inline styles and uses data: URIs for icons.
const PLAYGROUND_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
// Neither the page nor its styles tell another site where they were loaded from. X-Content-Type-Options
// comes with every answer (COMMON_HEADERS in ./request.ts).
const PLAYGROUND_REFERRER_POLICY = 'no-referrer';

/** A GraphQL-shaped error for a request that never reached GraphQL (unreadable or oversized body). */
function renderRequestError(ctx: Koa.Context, e: unknown): void {
  const err = e as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string; name?: string };
  const status = err.status ?? err.statusCode ?? 500;
  if (status < 400 || status >= 500) throw e;
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = { errors: [{ message: clientMessage(status, err), extensions: { code: ErrorCode.BAD_REQUEST } }] };
}

/**
 * GraphQL at /graphql: GraphiQL for browsers (GET, Accept: text/html), its assets under
 * /graphql/assets/, and Apollo Server for everything else. The body is parsed here, inside this
 * mount's error handling, so a bad body is answered in GraphQL's error shape.
 */
export function graphqlMount(deps: {
  services: Services;
  config: Pick<Config, 'bodyLimitBytes' | 'maxPageSize' | 'graphqlMaxDepth' | 'graphqlMaxComplexity' | 'graphqlCompileMaxBytes' | 'retryAfterSeconds'>;
  logger: Logger;
  /** The per-tenant cap on requests in progress; none when absent. */
  admission?: Admission;
  /** Told how each operation was executed (a metric). */
  onExecuted?: (how: GraphQLExecution) => void;
}): Koa.Middleware {
  const { services, config, logger, admission } = deps;
  // The slot each request holds while Apollo runs it, given back when it is answered.
  const held = new WeakMap<Koa.Context, () => void>();
  const schema = buildRosterSchema();
  const apolloLog = logger.child({ component: 'apollo' });
  const apollo = createApolloServer({
    schema,
    limits: { maxDepth: config.graphqlMaxDepth, maxComplexity: config.graphqlMaxComplexity },
    compileMaxBytes: config.graphqlCompileMaxBytes,
    onExecuted: deps.onExecuted,
    logger: {
      debug: (m) => apolloLog.debug(m),
      info: (m) => apolloLog.info(m),
      warn: (m) => apolloLog.warn(m),
      error: (m) => apolloLog.error(m),
    },
  });
  const execute = koaMiddleware(apollo, {
    context: async ({ ctx }) => {
      const context = await createGraphQLContext({
        services,
        limits: { maxPageSize: config.maxPageSize },
        authorization: ctx.get('authorization') || undefined,
        requestId: ctx.state.requestId,
        log: ctx.state.log,
      });
      const { apiKey } = context;
      ctx.state.principal = { tenantId: apiKey.tenantId, apiKeyId: apiKey.id };
      if (admission) {
        // A platform key is its own lane: it may act on any tenant.
        try {
          held.set(ctx, await admission.enter(apiKey.tenantId ?? `platform:${apiKey.id}`));
        } catch (e) {
          if (isDomainError(e)) throw requestError(e);
          throw e;
        }
      }
      return context;
    },
  });
  const parseBody = jsonBodyParser(config.bodyLimitBytes);
  const assets = new Map<string, Promise<string | Buffer>>();
  const done = async () => undefined;

  return async (ctx, next) => {
    if (ctx.path !== GRAPHQL_PATH && !ctx.path.startsWith(`${GRAPHQL_PATH}/`)) return next();

    if (ctx.path.startsWith(`${GRAPHQL_PATH}/assets/`)) {
      // Only the fixed names above are served: a path never reaches the file system as given.
      const name = ctx.path.slice(`${GRAPHQL_PATH}/assets/`.length);
      const src = ['GET', 'HEAD'].includes(ctx.method) ? assetSource(name) : undefined;
      if (!src) return next();
      let body = assets.get(name);
      if (!body) {
        body = src.load();
        assets.set(name, body);
      }
      ctx.type = src.type;
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.set('Referrer-Policy', PLAYGROUND_REFERRER_POLICY);
      ctx.body = await body;
      return;
    }
    if (ctx.path !== GRAPHQL_PATH) return next();

    if (ctx.method === 'GET' && ctx.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', PLAYGROUND_CSP);
      ctx.set('Referrer-Policy', PLAYGROUND_REFERRER_POLICY);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = playgroundHtml(GRAPHQL_PATH);
      return;
    }

    try {
      await parseBody(ctx, done);
    } catch (e) {
      renderRequestError(ctx, e);
      return;
    }
    const query = ctx.method === 'GET' ? ctx.query.query : (ctx.request.body as { query?: unknown } | undefined)?.query;
    if (typeof query === 'string' && documentNesting(query) > MAX_DOCUMENT_NESTING) {
      ctx.status = 400;
      ctx.type = 'application/json';
      ctx.body = {
        errors: [{ message: `The document nests brackets more than ${MAX_DOCUMENT_NESTING} levels deep. Send deep values as variables.`, extensions: { code: ErrorCode.QUERY_TOO_DEEP } }],
      };
      return;
    }
    try {
      await execute(ctx, done);
    } finally {
      held.get(ctx)?.();
    }
    legacyJsonStatus(ctx);
    unavailableStatus(ctx, config.retryAfterSeconds);
  };
}

/**
 * Overload and database faults (docs/architecture.md#robustness): a response whose every error
 * is UNAVAILABLE and that carries no data is HTTP 503; a 503 says when to come back.
 */
function unavailableStatus(ctx: Koa.Context, retryAfterSeconds: number): void {
  if (ctx.status !== 503) {
    // Most responses never mention the code; only those that do are parsed.
    if (typeof ctx.body !== 'string' || !ctx.body.includes(ErrorCode.UNAVAILABLE)) return;
    try {
      const body = JSON.parse(ctx.body) as { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
      const errors = body.errors ?? [];
      const noData = body.data == null || (typeof body.data === 'object' && Object.values(body.data).every((v) => v === null));
      if (!(noData && errors.length > 0 && errors.every((e) => e.extensions?.code === ErrorCode.UNAVAILABLE))) return;
    } catch {
      return;
    }
    ctx.status = 503;
  }
  ctx.set('Retry-After', String(retryAfterSeconds));
}

/** Request errors of a well-formed request: the document or its variables, not the HTTP request. */
const DOCUMENT_ERRORS = new Set<string>(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', ErrorCode.QUERY_TOO_DEEP, ErrorCode.QUERY_TOO_COMPLEX]);

/**
 * GraphQL over HTTP: a client that accepts only `application/json` predates per-error status
 * codes and expects 200 with `errors` when its document fails to parse, validate or coerce;
 * `application/graphql-response+json` clients keep Apollo's 400. Apollo answers 400 to both.
 */
function legacyJsonStatus(ctx: Koa.Context): void {
  if (ctx.status !== 400 || !ctx.response.is('application/json') || typeof ctx.body !== 'string') return;
  try {
    const body = JSON.parse(ctx.body) as { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
    const code = body.errors?.[0]?.extensions?.code;
    if (body.data === undefined && typeof code === 'string' && DOCUMENT_ERRORS.has(code)) ctx.status = 200;
  } catch {
    // Not a GraphQL response body: leave it as Apollo sent it.
  }
}
