import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from './context.js';
import { formatError, isUnexpected } from './errors.js';
import { queryLimitsPlugin, type QueryLimits } from './limits.js';

/** Unexpected resolver errors are logged here, where the request's logger (with its id) is at hand; formatError masks them. */
const logUnexpectedErrors: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const e of errors) {
          if (!isUnexpected(e)) continue;
          const original = e.originalError ?? e;
          // Name, message and stack only: never variables or results, which may hold personal data.
          contextValue.log.error({ err: { name: original.name, message: original.message, stack: original.stack }, path: e.path }, 'graphql error');
        }
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

export function createApolloServer(opts: { schema: GraphQLSchema; limits: QueryLimits; logger: ServerLog }): ApolloServer<GraphQLContext> {
  const server = new ApolloServer<GraphQLContext>({
    schema: opts.schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // Credentials travel only in the Authorization header, which a cross-site form or <img> cannot
    // set, so CSRF prevention (which would refuse plain GET queries) protects nothing here.
    csrfPrevention: false,
    introspection: true,
    logger: opts.logger,
    plugins: [ApolloServerPluginLandingPageDisabled(), queryLimitsPlugin(opts.schema, opts.limits), logUnexpectedErrors],
  });
  // createRosterApp is synchronous; the middleware answers with an error until start-up is done.
  server.startInBackgroundHandlingStartupErrorsByLoggingAndFailingAllRequests();
  return server;
}
