import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { ArgsType, Field, ID, Int, InterfaceType, ObjectType, type ClassType } from 'type-graphql';
import { InvalidValueError } from '../../domain/errors.js';
import type { ListResult, PageSpec } from '../../domain/ports.js';
import { PAGE_INFO, RELAY, RESOURCE } from './docs.js';

/**
 * The Relay `Node` interface. Ids are the domain's UUIDs, the same ids SCIM uses, not opaque
 * global ids: an id pasted from a SCIM response works here. `node(id)` asks the domain which
 * type and tenant hold an id (see NodeResolver).
 */
@InterfaceType('Node', {
  resolveType: (value: object) => nodeTypeName(value),
  description: 'An object with an id that `node(id:)` finds again (Relay Global Object Identification).',
})
export abstract class NodeInterface {
  @Field(() => ID, { description: RESOURCE.id })
  id!: string;
}

/**
 * The GraphQL type of a domain object. Domain objects are plain data without a type tag, so the
 * type is told by the fields only that type has.
 */
export function nodeTypeName(value: object): 'User' | 'Group' | 'Tenant' | 'ScimConnection' {
  if ('userName' in value) return 'User';
  if ('policies' in value) return 'ScimConnection';
  if ('displayName' in value) return 'Group';
  return 'Tenant';
}

@ObjectType('PageInfo', { simpleResolvers: true, description: PAGE_INFO.type })
export class PageInfoType {
  @Field(() => Boolean, { description: PAGE_INFO.hasNextPage })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: PAGE_INFO.hasPreviousPage })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: PAGE_INFO.startCursor })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: PAGE_INFO.endCursor })
  endCursor!: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;

/** Relay cursor arguments for a connection that pages forward only: `first`/`after`. */
@ArgsType()
export class ForwardConnectionArgs {
  @Field(() => Int, { nullable: true, description: `${RELAY.first} Default ${DEFAULT_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: RELAY.after })
  after?: string | null;
}

/** Relay cursor arguments: `first`/`after` pages forward, `last`/`before` backward. */
@ArgsType()
export class ConnectionArgs extends ForwardConnectionArgs {
  @Field(() => Int, { nullable: true, description: RELAY.last })
  last?: number | null;

  @Field(() => String, { nullable: true, description: RELAY.before })
  before?: string | null;
}

export interface Paging {
  readonly direction: 'forward' | 'backward';
  readonly cursor: string | null;
  readonly limit: number;
}

/** Checks the Relay arguments: one direction at a time, page sizes within bounds. */
export function paging(args: ConnectionArgs, maxPageSize: number): Paging {
  const { first, after, last, before } = args;
  if (first != null && last != null) throw new InvalidValueError('pass "first" or "last", not both', 'first');
  const backward = last != null || before != null;
  if (backward && after != null) throw new InvalidValueError('"after" pages forward and cannot be combined with "last" or "before"', 'after');
  if (backward && first != null) throw new InvalidValueError('"first" pages forward and cannot be combined with "before"', 'first');
  const size = (backward ? last : first) ?? DEFAULT_PAGE_SIZE;
  const field = backward ? 'last' : 'first';
  if (!Number.isInteger(size) || size < 0 || size > maxPageSize) {
    throw new InvalidValueError(`"${field}" must be between 0 and ${maxPageSize}`, field);
  }
  return { direction: backward ? 'backward' : 'forward', cursor: (backward ? before : after) ?? null, limit: size };
}

export function keysetPage(p: Paging): PageSpec {
  return { mode: 'keyset', direction: p.direction, cursor: p.cursor, limit: p.limit };
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface Connection<T> {
  readonly edges: readonly Edge<T>[];
  readonly nodes: readonly T[];
  readonly pageInfo: PageInfoType;
  /** Null when the caller did not select it (counting costs a statement). */
  readonly totalCount: number | null;
}

export function toConnection<T>(result: ListResult<T>, p: Paging): Connection<T> {
  // The items are the edges: a cursor is encoded only where one is read.
  const edges = result.items;
  const forward = p.direction === 'forward';
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      // Relay: the far side of the page is known from the extra row; the near side from the cursor.
      hasNextPage: forward ? result.hasMore : p.cursor !== null,
      hasPreviousPage: forward ? p.cursor !== null : result.hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: result.total,
  };
}

/** Whether the current field's selection asks for `name` directly (through fragments too). */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  const walk = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((s) => {
      if (s.kind === 'Field') return s.name.value === name;
      if (s.kind === 'InlineFragment') return walk(s.selectionSet);
      return walk(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((n) => walk(n.selectionSet));
}

/**
 * The fields the given selection sets select, through inline fragments and fragment spreads, each
 * fragment once. Directives are not evaluated: a field under @skip counts as selected. Enough to
 * know what a resolver's result will be asked for.
 */
export function selectedFields(info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[]): FieldNode[] {
  const out: FieldNode[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): void => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) out.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        walk(info.fragments[s.name.value]?.selectionSet);
      }
    }
  };
  for (const set of sets) walk(set);
  return out;
}

/** The fields selected on the nodes of the connection being resolved: `edges { node { … } }` and `nodes { … }`. */
export function nodeFields(info: GraphQLResolveInfo): FieldNode[] {
  const named = (fields: readonly FieldNode[], name: string) => fields.filter((f) => f.name.value === name).map((f) => f.selectionSet);
  const top = selectedFields(info, info.fieldNodes.map((n) => n.selectionSet));
  const edges = selectedFields(info, named(top, 'edges'));
  return selectedFields(info, [...named(top, 'nodes'), ...named(edges, 'node')]);
}

/** `<Name>Edge` and `<Name>Connection` object types for a node type; `item`/`items` word it for callers. */
export function connectionTypes(name: string, nodeType: () => ClassType, opts: { totalCount: boolean; item: string; items: string }) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true, description: RELAY.edge(opts.item) })
  class EdgeType {
    @Field(() => String, { description: RELAY.cursor })
    cursor!: string;

    @Field(nodeType, { description: RELAY.node(opts.item) })
    node!: unknown;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true, description: RELAY.connection(opts.items) })
  class ConnectionType {
    @Field(() => [EdgeType], { description: RELAY.edges })
    edges!: EdgeType[];

    @Field(() => [nodeType()], { description: RELAY.nodes })
    nodes!: unknown[];

    @Field(() => PageInfoType, { description: RELAY.pageInfo })
    pageInfo!: PageInfoType;
  }

  if (opts.totalCount) {
    // Counted only when selected: counting all matches costs a statement of its own.
    Field(() => Int, { description: RELAY.totalCount })(ConnectionType.prototype, 'totalCount');
  }
  return ConnectionType;
}
