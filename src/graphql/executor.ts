import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  isInputObjectType,
  typeFromAST,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GraphQLContext } from './context.js';

/** How an operation was executed: as compiled code, or walked by graphql-js. */
export type GraphQLExecution = 'compiled' | 'graphql-js';

/**
 * An error of a compiled run as graphql-js makes it: graphql-jit leaves `extensions` undefined
 * when the resolver's error had none, where graphql-js gives an object. Message, path, locations
 * and the original error are kept.
 */
function asGraphQLError(e: GraphQLError): GraphQLError {
  const out = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions ?? undefined });
  if (e.locations) Object.assign(out, { locations: e.locations });
  return out;
}

/** What the plugin does with a compiled run's errors: what Apollo does with graphql-js's. */
export interface CompiledQueryOptions {
  /** Longest query text (UTF-16 units) that is compiled; 0: none is. */
  compileMaxBytes: number;
  /** Told how each operation was executed (a metric). */
  onExecuted?: (how: GraphQLExecution) => void;
  /** Apollo's `formatError`, applied to each error as Apollo applies it. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** What Apollo's `didEncounterErrors` hook does with them (logging). */
  logErrors: (errors: readonly GraphQLError[], context: GraphQLContext) => void;
}

/**
 * An error formatted as Apollo formats one: its JSON form with a `code` (INTERNAL_SERVER_ERROR when
 * it has none), then `formatError`. Resolver errors carry no HTTP status in Roster, so the
 * answer's status stays 200, as Apollo's would.
 */
function formatted(e: GraphQLError, formatError: CompiledQueryOptions['formatError']): GraphQLFormattedError {
  const json = e.toJSON();
  return formatError({ ...json, extensions: { ...json.extensions, code: e.extensions.code ?? 'INTERNAL_SERVER_ERROR' } }, e);
}

/**
 * Whether graphql-jit can compile the operation's variables: none of them reaches a @oneOf input
 * type, whose rule graphql-jit does not check, or an input type that contains itself (a filter's
 * `and`, `or` and `not`), whose parsing graphql-jit unrolls without end — it gave up with "Maximum
 * call stack size exceeded" after about 5 s of blocking the process
 * (docs/architecture.md#graphql-execution-cost).
 */
export function variablesCompilable(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  // Types found compilable, and the types on the path to the one being looked at (a loop).
  const compilable = new Set<GraphQLNamedType>();
  const path = new Set<GraphQLNamedType>();
  const refused = (t: GraphQLNamedType): boolean => {
    if (!isInputObjectType(t) || compilable.has(t)) return false;
    if (path.has(t) || t.isOneOf) return true;
    path.add(t);
    const below = Object.values(t.getFields()).some((f) => refused(getNamedType(f.type)));
    path.delete(t);
    if (!below) compilable.add(t);
    return below;
  };
  return !(operation.variableDefinitions ?? []).some((d) => {
    const t = typeFromAST(schema, d.type);
    return t !== undefined && refused(getNamedType(t));
  });
}

/**
 * Queries run as compiled JavaScript (graphql-jit), not by walking the document for every field of
 * every row as graphql-js does: a page of 100 users is about 1,500 fields
 * (docs/architecture.md#graphql-execution-cost). An Apollo plugin answers the operation in
 * `responseForOperation`, after Apollo has parsed and validated it and the query limits have
 * passed; Apollo then sends that answer as its own. A query is compiled the second time it is
 * sent, once, and only when its text is at most `compileMaxBytes` long: compiling costs several
 * times what validating does (a query of 7 KB about 80 ms, of 74 KB about 0.8 s, blocking the
 * process), so a query sent once, or a large one, is not worth it, and a caller cannot make the
 * process compile without bound. Apollo keeps its parsed documents (an LRU of its own) and hands
 * the same object for the same query text, so the compiled form lives in a WeakMap keyed by that
 * document, exactly as long as Apollo keeps it.
 *
 * Its errors are logged and formatted as Apollo does graphql-js's (`opts`). Everything else is
 * left to Apollo and graphql-js, as before: mutations and subscriptions; an operation graphql-jit
 * cannot compile or whose variables it cannot parse (`variablesCompilable`); and variables
 * graphql-jit refuses: invalid ones, which graphql-js refuses with its own messages (Apollo
 * answers them with status 400), and a required input field left out that has a default, which
 * graphql-jit does not fill in. Nothing has run when variables are refused, so graphql-js's run
 * is the only one.
 */
export function compiledQueries(schema: GraphQLSchema, opts: CompiledQueryOptions): ApolloServerPlugin<GraphQLContext> {
  const onExecuted = opts.onExecuted ?? (() => {});
  // Per document and operation name: the compiled query, null when it is not compiled, or the
  // number of times it was sent before it is.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null | number>>();
  const compiledFor = (document: DocumentNode, source: string, operation: OperationDefinitionNode, operationName: string | undefined): CompiledQuery | null => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    const state = byName.get(key) ?? 0;
    if (typeof state !== 'number') return state;
    if (state === 0) {
      // The first time graphql-js runs it: a query sent once is not worth compiling.
      byName.set(key, source.length > opts.compileMaxBytes ? null : 1);
      return null;
    }
    const result = variablesCompilable(schema, operation) ? compileQuery(schema, document, operationName) : null;
    const c = result && isCompiledQuery(result) ? result : null;
    byName.set(key, c);
    return c;
  };
  return {
    async requestDidStart() {
      return {
        async responseForOperation(rc): Promise<GraphQLResponse | null> {
          const query = rc.operation?.operation === 'query' ? compiledFor(rc.document, rc.source, rc.operation, rc.operationName ?? undefined) : null;
          if (query) {
            const result = await query.query(undefined, rc.contextValue, rc.request.variables ?? {});
            // No data at all: graphql-jit refused the variables, before anything ran.
            if (result.data !== undefined) {
              onExecuted('compiled');
              const errors = result.errors?.length ? result.errors.map(asGraphQLError) : undefined;
              if (errors) opts.logErrors(errors, rc.contextValue);
              const singleResult = errors ? { data: result.data, errors: errors.map((e) => formatted(e, opts.formatError)) } : { data: result.data };
              return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult } };
            }
          }
          onExecuted('graphql-js');
          return null;
        },
      };
    },
  };
}
