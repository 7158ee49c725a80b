import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { getNamedType, isInputObjectType, typeFromAST, type DocumentNode, type GraphQLNamedType, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GraphQLContext } from './context.js';

/** How an operation was executed: as compiled code, or walked by graphql-js. */
export type GraphQLExecution = 'compiled' | 'graphql-js';

/** Whether a variable of the operation reaches a @oneOf input type, whose rule graphql-jit does not check. */
function reachesOneOf(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  const seen = new Set<GraphQLNamedType>();
  const walk = (t: GraphQLNamedType): boolean => {
    if (seen.has(t) || !isInputObjectType(t)) return false;
    seen.add(t);
    return t.isOneOf || Object.values(t.getFields()).some((f) => walk(getNamedType(f.type)));
  };
  return (operation.variableDefinitions ?? []).some((d) => {
    const t = typeFromAST(schema, d.type);
    return t !== undefined && walk(getNamedType(t));
  });
}

/**
 * Queries run as compiled JavaScript (graphql-jit), not by walking the document for every field of
 * every row as graphql-js does: a page of 100 users is about 1,500 fields
 * (docs/architecture.md#graphql-execution-cost). An Apollo plugin answers the operation in
 * `responseForOperation`, after Apollo has parsed and validated it and the query limits have
 * passed; Apollo then sends that answer as its own. Each query is compiled once: Apollo keeps its
 * parsed documents (an LRU of its own) and hands the same object for the same query text, so the
 * compiled form lives in a WeakMap keyed by that document, exactly as long as Apollo keeps it.
 *
 * Only a query that succeeds is answered so. Everything else is left to Apollo and graphql-js, as
 * before: mutations and subscriptions; an operation graphql-jit cannot compile or whose variables
 * reach a @oneOf input; variables graphql-jit refuses (invalid ones, which graphql-js refuses with
 * its own messages, and a required input field left out that has a default, which graphql-jit does
 * not fill in; nothing has run then); and a query whose compiled run met an error, which graphql-js
 * runs again so that its errors are reported, logged and formatted as every other error is. A
 * query only reads, so running it again changes nothing; it costs a failing query a second run.
 */
export function compiledQueries(schema: GraphQLSchema, onExecuted: (how: GraphQLExecution) => void = () => {}): ApolloServerPlugin<GraphQLContext> {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  const compiledFor = (document: DocumentNode, operation: OperationDefinitionNode, operationName: string | undefined): CompiledQuery | null => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let c = byName.get(key);
    if (c === undefined) {
      const result = reachesOneOf(schema, operation) ? null : compileQuery(schema, document, operationName);
      c = result && isCompiledQuery(result) ? result : null;
      byName.set(key, c);
    }
    return c;
  };
  return {
    async requestDidStart() {
      return {
        async responseForOperation(rc): Promise<GraphQLResponse | null> {
          const query = rc.operation.operation === 'query' ? compiledFor(rc.document, rc.operation, rc.operationName ?? undefined) : null;
          if (query) {
            const result = await query.query(undefined, rc.contextValue, rc.request.variables ?? {});
            if (result.data != null && !result.errors?.length) {
              onExecuted('compiled');
              return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: result.data } } };
            }
          }
          onExecuted('graphql-js');
          return null;
        },
      };
    },
  };
}
