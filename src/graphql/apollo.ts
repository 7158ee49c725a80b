import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { isDomainError } from '../domain/errors.js';
import type { GraphQLContext } from './context.js';
import { formatError, isUnexpected } from './errors.js';
import { compiledQueries, type GraphQLExecution } from './executor.js';
import { queryLimitsPlugin, type QueryLimits } from './limits.js';

/**
 * Unexpected resolver errors, and database faults answered as UNAVAILABLE, are logged here,
 * where the request's logger (with its id) is at hand; formatError masks the unexpected ones.
 * The error alone is logged (the logger keeps codes and names of database errors, never SQL),
 * never variables or results, which may hold personal data.
 */
function logErrors(errors: readonly GraphQLError[], contextValue: GraphQLContext): void {
  for (const e of errors) {
    const original = e.originalError ?? e;
    if (isUnexpected(e)) contextValue.log.error({ err: original, path: e.path }, 'graphql error');
    else if (isDomainError(original) && original.code === 'UNAVAILABLE') contextValue.log.warn({ err: original, path: e.path }, 'graphql request refused: unavailable');
  }
}

const logErrorsPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        logErrors(errors, contextValue);
      },
    };
  },
};

/**
 * Answers hold personal data and depend on the caller's key: no cache may keep them. Apollo's
 * cache-control plugin would say the same, but it wraps every field's resolver to collect cache
 * hints Roster never gives (docs/architecture.md#graphql-execution-cost); it is off, and this says it.
 */
const noStore: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

/** Apollo's own messages (start-up problems and the like), routed into the app's log. */
export interface ServerLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createApolloServer(opts: {
  schema: GraphQLSchema;
  limits: QueryLimits;
  logger: ServerLog;
  compileMaxBytes: number;
  onExecuted?: (how: GraphQLExecution) => void;
}): ApolloServer<GraphQLContext> {
  const server = new ApolloServer<GraphQLContext>({
    schema: opts.schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // Credentials travel only in the Authorization header, which a cross-site form or <img> cannot
    // set, so CSRF prevention (which would refuse plain GET queries) protects nothing here.
    csrfPrevention: false,
    introspection: true,
    logger: opts.logger,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), noStore, queryLimitsPlugin(opts.schema, opts.limits), compiledQueries(opts.schema, { compileMaxBytes: opts.compileMaxBytes, onExecuted: opts.onExecuted, formatError, logErrors }), logErrorsPlugin],
  });
  // createRosterApp is synchronous; the middleware answers with an error until start-up is done.
  server.startInBackgroundHandlingStartupErrorsByLoggingAndFailingAllRequests();
  return server;
}
