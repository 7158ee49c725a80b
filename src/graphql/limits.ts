import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, getVariableValues, GraphQLError, isListType, isNonNullType, Kind, visit, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { ErrorCode, graphQLError } from './errors.js';
import { DEFAULT_PAGE_SIZE } from './shared/relay.js';

/**
 * Query limits (docs/architecture.md#limits). Depth bounds how far nesting can fan out; complexity
 * bounds the number of objects an operation may ask for, with page sizes multiplying what they
 * contain. Both come from the configuration (GRAPHQL_MAX_DEPTH, GRAPHQL_MAX_COMPLEXITY).
 */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxComplexity: number;
}

/**
 * Introspection (`__schema`, `__type`, `__typename` and everything under them) reads only the
 * schema in memory, never the database, so the limits above apply outside it: standard tools send
 * an introspection query far above them. It has bounds of its own instead: graphql-js refuses list
 * fields nested more than three deep inside it (MaxIntrospectionDepthRule, a standard validation
 * rule), and this caps how many fields it may select in all, so aliases cannot repeat a walk of the
 * whole schema without end. The standard query with every option selects 230.
 */
export const MAX_INTROSPECTION_FIELDS = 2_000;

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

/** Introspection fields: names starting with `__` are reserved for them (GraphQL spec §3.1, "Reserved Names"). */
const isIntrospectionField = (name: string): boolean => name.startsWith('__');

interface OperationShape {
  /** Depth of the deepest field outside introspection. */
  readonly depth: number;
  /** Fields selected inside introspection, each fragment counted once per use. */
  readonly introspectionFields: number;
}

/**
 * Measures an operation in one pass over its text: each fragment is measured once and its result
 * reused at every spread, so nested fragments cannot make the measuring itself expensive. Fields
 * are recognised by name, never by alias.
 */
function measureOperation(op: OperationDefinitionNode, fragments: Readonly<Record<string, FragmentDefinitionNode>>): OperationShape {
  // Per fragment: depth below its spread, and its introspection fields when inside introspection or not.
  const memo = new Map<string, { depth: number; inside: number; outside: number }>();
  const active = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): { depth: number; inside: number; outside: number } => {
    let depth = 0;
    let inside = 0; // every field, for when this set is itself within introspection
    let outside = 0; // introspection fields only, for when it is not
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        const sub = walk(s.selectionSet);
        inside += 1 + sub.inside;
        if (isIntrospectionField(s.name.value)) {
          outside += 1 + sub.inside;
        } else {
          depth = Math.max(depth, 1 + sub.depth);
          outside += sub.outside;
        }
        continue;
      }
      let sub: { depth: number; inside: number; outside: number };
      if (s.kind === Kind.INLINE_FRAGMENT) {
        sub = walk(s.selectionSet);
      } else {
        const name = s.name.value;
        const known = memo.get(name);
        // Fragment cycles are refused by validation before this runs; `active` only keeps this total.
        if (known) sub = known;
        else if (active.has(name)) sub = { depth: 0, inside: 0, outside: 0 };
        else {
          active.add(name);
          sub = walk(fragments[name]?.selectionSet);
          active.delete(name);
          memo.set(name, sub);
        }
      }
      depth = Math.max(depth, sub.depth);
      inside += sub.inside;
      outside += sub.outside;
    }
    return { depth, inside, outside };
  };
  const root = walk(op.selectionSet);
  return { depth: root.depth, introspectionFields: root.outside };
}

/** The document without its introspection fields: what complexity is measured on. */
function withoutIntrospection(document: DocumentNode): DocumentNode {
  return visit(document, { Field: (node) => (isIntrospectionField(node.name.value) ? null : undefined) });
}

/** Distinct sets of page sizes and switches remembered per operation; past it, they are counted afresh. */
const MAX_COSTS_PER_OPERATION = 64;

/** What an operation's text alone decides, worked out once per parsed document (Apollo keeps those). */
interface OperationFacts extends OperationShape {
  /** Variables that can change the cost: Int ones may be page sizes, Boolean ones @skip/@include. */
  readonly costVariables: readonly string[];
  /** Complexity by the limit and the values of those variables. */
  readonly costs: Map<string, number>;
}

const facts = new WeakMap<OperationDefinitionNode, OperationFacts>();

function factsOf(document: DocumentNode, operation: OperationDefinitionNode): OperationFacts {
  let f = facts.get(operation);
  if (!f) {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const costVariables = (operation.variableDefinitions ?? [])
      .filter((v) => {
        const t = v.type.kind === Kind.NON_NULL_TYPE ? v.type.type : v.type;
        return t.kind === Kind.NAMED_TYPE && (t.name.value === 'Int' || t.name.value === 'Boolean');
      })
      .map((v) => v.variable.name.value);
    f = { ...measureOperation(operation, fragments), costVariables, costs: new Map() };
    facts.set(operation, f);
  }
  return f;
}

/**
 * Checks one validated operation against the limits; a breach throws a GraphQLError with a clear
 * code (and HTTP 400 when it travels over HTTP). HTTP runs it through the plugin below, WebSocket
 * subscriptions before they start. The cost of an operation is counted once for each set of
 * values of its Int and Boolean variables, the only ones that can change it.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  limits: QueryLimits,
  op: { document: DocumentNode; operation: OperationDefinitionNode; operationName?: string | null; variables?: Record<string, unknown> | null },
): void {
  const tooComplex = (what: string) =>
    graphQLError(ErrorCode.QUERY_TOO_COMPLEX, `${what}; at most ${limits.maxComplexity} is allowed. Ask for smaller pages (first/last) or fewer nested lists.`, 400);
  const { document, operation } = op;
  const f = factsOf(document, operation);
  if (f.depth > limits.maxDepth) {
    throw graphQLError(ErrorCode.QUERY_TOO_DEEP, `The operation nests ${f.depth} levels deep; at most ${limits.maxDepth} are allowed. Split it into several operations.`, 400);
  }
  if (f.introspectionFields > MAX_INTROSPECTION_FIELDS) {
    throw graphQLError(
      ErrorCode.QUERY_TOO_COMPLEX,
      `The operation selects ${f.introspectionFields} introspection fields; at most ${MAX_INTROSPECTION_FIELDS} are allowed. Ask for the schema once, without aliases.`,
      400,
    );
  }
  // Variables that do not fit their types: execution refuses them with BAD_USER_INPUT
  // before any resolver runs, so there is nothing to limit.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], op.variables ?? {});
  if (coerced.errors) return;
  // The limit is part of the key: it decides where counting stops.
  const key = JSON.stringify([limits.maxComplexity, ...f.costVariables.map((name) => coerced.coerced[name] ?? null)]);
  let complexity = f.costs.get(key);
  if (complexity === undefined) {
    try {
      complexity = getComplexity({
        schema,
        query: withoutIntrospection(document),
        operationName: op.operationName ?? undefined,
        variables: op.variables ?? {},
        estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
        // Every field costs at least 1, so a walk this long is over the limit; stopping it
        // keeps fragments spread within fragments from making the count itself expensive.
        maxQueryNodes: 2 * limits.maxComplexity,
      });
    } catch (e) {
      // The variables fit and the document is valid, so the walk's only refusal is its length.
      if (e instanceof GraphQLError) throw tooComplex('The operation has more selections than can be counted');
      throw e;
    }
    if (f.costs.size >= MAX_COSTS_PER_OPERATION) f.costs.clear();
    f.costs.set(key, complexity);
  }
  if (complexity > limits.maxComplexity) throw tooComplex(`The operation's complexity is ${complexity}`);
}

/**
 * The refusal of a valid document whose operation to run cannot be told (GraphQL spec §6.1,
 * GetOperation): several operations and no operationName, or an operationName none of them has.
 */
export function noOperationChosen(document: DocumentNode, operationName: string | undefined): GraphQLError {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  return graphQLError(
    ErrorCode.BAD_REQUEST,
    operationName === undefined
      ? `The document holds ${operations} operations: send operationName with the name of the one to run.`
      : 'The document has no operation named as operationName says: send the name of one of its operations.',
    400,
  );
}

/**
 * Checks every operation after validation and before execution; a breach is a 400 with a clear
 * code. So is a document whose operation cannot be told, and a subscription sent over HTTP, which
 * is served over WebSocket only (docs/architecture.md#subscriptions).
 */
export function queryLimitsPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (!operation) throw noOperationChosen(document, request.operationName ?? undefined);
          if (operation.operation === 'subscription') {
            throw graphQLError(ErrorCode.BAD_REQUEST, 'Subscriptions are served over WebSocket at /graphql (the graphql-transport-ws protocol), not over HTTP.', 400);
          }
          checkOperationLimits(schema, limits, { document, operation, operationName: request.operationName, variables: request.variables });
        },
      };
    },
  };
}

/**
 * How deeply a document may nest `{`, `[` and `(` before graphql-js's recursive-descent parser
 * sees it. Far beyond any operation the depth limit lets run, far below the nesting that exhausts
 * the parser's stack (about 2,000 levels of list literals), so parsing is bounded in depth
 * (docs/architecture.md#robustness).
 */
export const MAX_DOCUMENT_NESTING = 256;

/**
 * The deepest nesting of `{`, `[` and `(` in a GraphQL document outside strings and comments,
 * found in one pass; it stops counting once past `max`.
 */
export function documentNesting(text: string, max = MAX_DOCUMENT_NESTING): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '"' && text.startsWith('"""', i)) {
      // A block string ends at the next """ that is not escaped as \""" (GraphQL spec §2.9.4).
      i += 3;
      while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
      i += 2;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '{' || c === '[' || c === '(') {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (c === '}' || c === ']' || c === ')') {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}
