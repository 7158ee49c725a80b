import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getOperationAST, getVariableValues, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config/config.js';
import type { EventFollowing } from '../domain/event/event.follow.js';
import type { Services } from '../domain/services.js';
import { isDomainError } from '../domain/errors.js';
import { bearerToken } from '../domain/shared/bearer.js';
import { createGraphQLContext, type GraphQLContext } from '../graphql/context.js';
import { ErrorCode, formatError, graphQLError, isUnexpected } from '../graphql/errors.js';
import { checkOperationLimits, documentNesting, MAX_DOCUMENT_NESTING, noOperationChosen } from '../graphql/limits.js';
import { GRAPHQL_PATH } from './graphql.mount.js';
import type { Logger } from './logger.js';

/** Subscriptions one socket may hold at once; a client wanting more opens another socket. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 20;
/** Pings that keep idle sockets alive through proxies and notice dead peers. */
const KEEP_ALIVE_MS = 12_000;
/**
 * How often each open socket's API key is checked again, so a revoked key (or a deleted tenant)
 * ends the subscriptions it opened. The check is the key's verification alone, through the
 * credential cache, which every process empties when a credential changes: a key that has not
 * changed costs no statement (docs/architecture.md#subscriptions).
 */
export const CREDENTIAL_RECHECK_MS = 5_000;

/** The API key of a connection_init payload: `{ authorization: "Bearer <key>" }`, or `{ apiKey: "<key>" }`. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  if (typeof params.authorization === 'string') return params.authorization;
  if (typeof params.Authorization === 'string') return params.Authorization;
  if (typeof params.apiKey === 'string') return `Bearer ${params.apiKey}`;
  return undefined;
}

const UNAUTHORIZED = 'Unauthorized: send a valid API key in connection_init';
/** WebSocket close code 1008: the socket would pass a limit of the server's. */
const POLICY_VIOLATION = 1008;

/** The close code for a refused connection_init: 4401 for a missing or wrong key, 4403 for one that may not connect. */
function refusal(e: unknown): { code: number; reason: string } {
  const code = e instanceof GraphQLError ? e.extensions?.code : undefined;
  if (code === ErrorCode.UNAUTHENTICATED) return { code: CloseCode.Unauthorized, reason: UNAUTHORIZED };
  if (code === ErrorCode.FORBIDDEN) return { code: CloseCode.Forbidden, reason: 'Forbidden' };
  if (code === ErrorCode.UNAVAILABLE) return { code: 1013, reason: 'Try again later' };
  return { code: CloseCode.InternalServerError, reason: 'Internal server error' };
}

/**
 * GraphQL subscriptions over WebSocket at /graphql, in the graphql-ws protocol, on the HTTP
 * server's upgrade requests (docs/architecture.md#subscriptions). The API key comes in
 * connection_init and goes through the same checks as on HTTP; each operation goes through the
 * same parsing bounds, validation and depth/complexity limits. Only subscriptions run here:
 * queries and mutations are HTTP POSTs, where admission and metrics apply.
 */
export function attachSubscriptions(
  server: Server,
  deps: {
    schema: GraphQLSchema;
    services: Services;
    following: EventFollowing;
    config: Pick<Config, 'bodyLimitBytes' | 'maxPageSize' | 'graphqlMaxDepth' | 'graphqlMaxComplexity' | 'subscriptionsMaxPerTenant'>;
    logger: Logger;
  },
): { close(): Promise<void> } {
  const { schema, services, following, config } = deps;
  const log = deps.logger.child({ component: 'subscriptions' });
  const limits = { maxDepth: config.graphqlMaxDepth, maxComplexity: config.graphqlMaxComplexity };
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.bodyLimitBytes });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== GRAPHQL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  // One GraphQL context per socket, made when its connection_init is accepted, and the key it
  // was made with, which is checked again every CREDENTIAL_RECHECK_MS.
  const contexts = new WeakMap<object, GraphQLContext>();
  const keys = new WeakMap<object, { readonly secret: string; readonly apiKeyId: string }>();
  const counts = new WeakMap<object, number>();
  // The open sockets of each tenant's keys (a platform key is a tenant of its own, as for
  // admission): one tenant's followers may not crowd out the others' (SUBSCRIPTIONS_MAX_PER_TENANT).
  const cap = config.subscriptionsMaxPerTenant;
  const lanes = new Map<string, Set<object>>();
  const laneOf = new WeakMap<object, Set<object>>();
  const held = (socket: object) => counts.get(socket) ?? 0;
  const format = (errors: readonly GraphQLError[]) =>
    errors.map((e) => {
      // An error of the event stream itself (its tenant deleted) comes wrapped without a path,
      // which formatError does not unwrap: a domain error inside is answered with its code.
      const error = isDomainError(e.originalError) ? e.originalError : e;
      if (isUnexpected(error)) log.error({ err: e.originalError ?? e, path: e.path }, 'subscription error');
      return formatError(e.toJSON(), error);
    });

  const disposable = useServer<Record<string, unknown>>(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          const authorization = authorizationOf(ctx.connectionParams);
          const c = await createGraphQLContext({ services, limits: { maxPageSize: config.maxPageSize }, authorization, requestId: randomUUID(), log });
          // Closed while its key was checked: nothing to count.
          if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
          const laneKey = c.apiKey.tenantId ?? `platform:${c.apiKey.id}`;
          const lane = lanes.get(laneKey) ?? new Set<object>();
          if (lane.size >= cap) {
            ctx.extra.socket.close(POLICY_VIOLATION, `At most ${cap} sockets of one tenant are open at once; close one first`);
            return false;
          }
          lanes.set(laneKey, lane.add(ctx.extra.socket));
          laneOf.set(ctx.extra.socket, lane);
          ctx.extra.socket.once('close', () => {
            lane.delete(ctx.extra.socket);
            if (lane.size === 0 && lanes.get(laneKey) === lane) lanes.delete(laneKey);
          });
          contexts.set(ctx.extra.socket, { ...c, following });
          keys.set(ctx.extra.socket, { secret: bearerToken(authorization) ?? '', apiKeyId: c.apiKey.id });
          return true;
        } catch (e) {
          const { code, reason } = refusal(e);
          if (code === CloseCode.InternalServerError) log.error({ err: e }, 'subscription authentication failed unexpectedly');
          ctx.extra.socket.close(code, reason);
          return false;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const contextValue = contexts.get(ctx.extra.socket);
        if (!contextValue) return [graphQLError(ErrorCode.UNAUTHENTICATED, 'Send an API key in connection_init')];
        const onSocket = held(ctx.extra.socket);
        if (onSocket >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [graphQLError(ErrorCode.BAD_REQUEST, `At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions run on one socket; open another socket for more`)];
        }
        let inLane = 0;
        for (const socket of laneOf.get(ctx.extra.socket) ?? []) inLane += held(socket);
        if (inLane >= cap) {
          return [graphQLError(ErrorCode.BAD_REQUEST, `At most ${cap} subscriptions of one tenant run at once; end one first`)];
        }
        const query = typeof payload.query === 'string' ? payload.query : '';
        if (documentNesting(query) > MAX_DOCUMENT_NESTING) {
          return [graphQLError(ErrorCode.QUERY_TOO_DEEP, `The document nests brackets more than ${MAX_DOCUMENT_NESTING} levels deep; pass deep values as variables.`)];
        }
        let document: DocumentNode;
        try {
          document = parse(query);
        } catch (e) {
          return [new GraphQLError(e instanceof GraphQLError ? e.message : 'Syntax error', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const invalid = validate(schema, document);
        if (invalid.length) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (!operation) return [noOperationChosen(document, payload.operationName ?? undefined)];
        if (operation.operation !== 'subscription') {
          return [graphQLError(ErrorCode.BAD_REQUEST, 'Only subscriptions run over WebSocket; send queries and mutations as HTTP POST to /graphql')];
        }
        // Variables are coerced here, as Apollo does over HTTP: graphql-js's subscribe answers a
        // value that does not fit with an uncoded error, which would be masked and logged, value and all.
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
        if (coerced.errors) return coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } }));
        try {
          checkOperationLimits(schema, limits, { document, operation, operationName: payload.operationName, variables: payload.variables ?? {} });
        } catch (e) {
          if (e instanceof GraphQLError) return [e];
          throw e;
        }
        counts.set(ctx.extra.socket, onSocket + 1);
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onComplete: (ctx) => {
        counts.set(ctx.extra.socket, Math.max(0, (counts.get(ctx.extra.socket) ?? 1) - 1));
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wss,
    KEEP_ALIVE_MS,
  );

  // A socket's errors are a client's bad frames (one over the body limit, a protocol error) or a
  // connection that broke; ws has closed the socket by then. graphql-ws prints each to the console,
  // outside the JSON log: its listener gives way to one that logs a JSON line, without the frame.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (err: Error & { code?: unknown }) => log.warn({ code: typeof err.code === 'string' ? err.code : undefined, reason: err.message }, 'websocket closed on a protocol error'));
  });

  // A key that no longer verifies closes its sockets with the code a connection_init with it
  // would get now (4401); a database that cannot answer leaves them open until the next round.
  let rechecking = false;
  const recheck = async () => {
    if (rechecking) return;
    rechecking = true;
    try {
      for (const ws of wss.clients) {
        const key = keys.get(ws);
        if (!key) continue;
        const valid = await services.apiKeys.stillValid(key.secret, key.apiKeyId).catch(() => true);
        if (valid) continue;
        keys.delete(ws);
        contexts.delete(ws);
        ws.close(CloseCode.Unauthorized, UNAUTHORIZED);
      }
    } finally {
      rechecking = false;
    }
  };
  const recheckTimer = setInterval(() => void recheck(), CREDENTIAL_RECHECK_MS);
  recheckTimer.unref();

  return {
    /** Closes every socket (1001, going away) and stops taking new ones. */
    async close() {
      clearInterval(recheckTimer);
      server.off('upgrade', onUpgrade);
      await disposable.dispose();
    },
  };
}
