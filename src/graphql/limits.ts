import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, GraphQLError, isListType, isNonNullType, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { ErrorCode, graphQLError } from './errors.js';
import { DEFAULT_PAGE_SIZE } from './shared/relay.js';

/**
 * Query limits (docs/architecture.md#limits). Depth bounds how far nesting can fan out; complexity bounds the
 * number of objects an operation may ask for, with page sizes multiplying what they contain.
 */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxComplexity: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 15, maxComplexity: 25_000 };

/** Lists with no page size (a user's groups) are assumed to hold this many. */
const ASSUMED_LIST_SIZE = 10;

/** Connections cost their page size times their contents; other lists an assumed size. */
const pageEstimator: ComplexityEstimator = ({ field, type, args, childComplexity }) => {
  if (getNamedType(field.type).name.endsWith('Connection')) {
    const n = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE_SIZE;
    return 1 + childComplexity * Math.max(n, 1);
  }
  const inner = isNonNullType(field.type) ? field.type.ofType : field.type;
  // Edges and nodes of a connection are already counted by the connection's page size.
  if (isListType(inner) && !type.name.endsWith('Connection')) return 1 + childComplexity * ASSUMED_LIST_SIZE;
  return undefined;
};

/** Depth of the deepest field of an operation, following fragments (each fragment once per path). */
export function operationDepth(op: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const walk = (set: SelectionSetNode | undefined, depth: number, seen: ReadonlySet<string>): number => {
    let max = depth;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        max = Math.max(max, s.selectionSet ? walk(s.selectionSet, depth + 1, seen) : depth + 1);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, walk(s.selectionSet, depth, seen));
      } else if (!seen.has(s.name.value)) {
        max = Math.max(max, walk(fragments[s.name.value]?.selectionSet, depth, new Set([...seen, s.name.value])));
      }
    }
    return max;
  };
  return walk(op.selectionSet, 0, new Set());
}

/** Checks every operation after validation and before execution; a breach is a 400 with a clear code. */
export function queryLimitsPlugin(schema: GraphQLSchema, limits: QueryLimits = DEFAULT_QUERY_LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of (document as DocumentNode).definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const depth = operationDepth(operation, fragments);
          if (depth > limits.maxDepth) {
            throw graphQLError(ErrorCode.QUERY_TOO_DEEP, `The operation nests ${depth} levels deep; at most ${limits.maxDepth} are allowed. Split it into several operations.`, 400);
          }
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // Variables that do not fit their types: execution refuses them with BAD_USER_INPUT
            // before any resolver runs, so there is nothing to limit.
            if (e instanceof GraphQLError) return;
            throw e;
          }
          if (complexity > limits.maxComplexity) {
            throw graphQLError(
              ErrorCode.QUERY_TOO_COMPLEX,
              `The operation's complexity is ${complexity}; at most ${limits.maxComplexity} is allowed. Ask for smaller pages (first/last) or fewer nested lists.`,
              400,
            );
          }
        },
      };
    },
  };
}
