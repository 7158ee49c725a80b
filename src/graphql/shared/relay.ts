import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { ArgsType, Field, ID, Int, InterfaceType, ObjectType, type ClassType } from 'type-graphql';
import { InvalidValueError } from '../../domain/errors.js';
import type { ListResult, PageSpec } from '../../domain/ports.js';

/**
 * The Relay `Node` interface. Ids are the domain's UUIDs, the same ids SCIM uses, not opaque
 * global ids: an id pasted from a SCIM response works here. `node(id)` asks the domain which
 * type and tenant hold an id (see NodeResolver).
 */
@InterfaceType('Node', { resolveType: (value: object) => nodeTypeName(value) })
export abstract class NodeInterface {
  @Field(() => ID)
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

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;

/** Relay cursor arguments: `first`/`after` pages forward, `last`/`before` backward. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Page size going forward (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the edge after which the page starts.' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size going backward.' })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the edge before which the page ends.' })
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
  const edges = result.items.map((i) => ({ cursor: i.cursor, node: i.node }));
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

/** `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function connectionTypes(name: string, nodeType: () => ClassType, opts: { totalCount: boolean }) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String)
    cursor!: string;

    @Field(nodeType)
    node!: unknown;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => [nodeType()], { description: 'The nodes of the edges, for callers that need no cursors.' })
    nodes!: unknown[];

    @Field(() => PageInfoType)
    pageInfo!: PageInfoType;
  }

  if (opts.totalCount) {
    // Counted only when selected: counting all matches costs a statement of its own.
    Field(() => Int, { description: 'How many nodes match, across all pages.' })(ConnectionType.prototype, 'totalCount');
  }
  return ConnectionType;
}
