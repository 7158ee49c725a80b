import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { ScimConnection } from '../../domain/connection/connection.js';
import type { Group, MemberType } from '../../domain/group/group.js';
import { decodeCursor, encodeCursor } from '../../domain/shared/cursor.js';
import { ScimConnectionType } from '../connection/connection.type.js';
import type { User } from '../../domain/user/user.js';
import type { GraphQLContext } from '../context.js';
import { MUTATION, RESOURCE } from '../shared/docs.js';
import { deletedPayloadType, payloadType, refInputType, scopeOf } from '../shared/payload.js';
import { ConnectionArgs, paging, type PageInfoType } from '../shared/relay.js';
import { AddGroupMembersInput, CreateGroupInput, RemoveGroupMembersInput, RenameGroupInput } from './group.input.js';
import { GroupMemberConnectionType, GroupMemberEdgeType, GroupType, MemberUnion } from './group.type.js';

const CreateGroupPayload = payloadType('CreateGroup', 'group', () => GroupType, 'The new group.');
const RenameGroupPayload = payloadType('RenameGroup', 'group', () => GroupType, 'The group after the change.');
const AddGroupMembersPayload = payloadType('AddGroupMembers', 'group', () => GroupType, 'The group after the change.');
const RemoveGroupMembersPayload = payloadType('RemoveGroupMembers', 'group', () => GroupType, 'The group after the change.');
const DeleteGroupPayload = deletedPayloadType('DeleteGroup');
const DeleteGroupInput = refInputType('DeleteGroup', { what: 'group', ifVersion: true });

interface MemberEdge {
  readonly cursor: string;
  readonly type: MemberType;
  readonly id: string;
  readonly tenantId: string;
}

interface MemberConnection {
  readonly edges: MemberEdge[];
  readonly pageInfo: PageInfoType;
  readonly group: Group;
}

// Member cursors carry the member's position: the domain pages members by offset, in a stable order.
const memberCursor = (offset: number): string => encodeCursor(['member', offset]);
const isMemberPosition = (p: unknown[]): p is ['member', number] => p.length === 2 && p[0] === 'member' && Number.isSafeInteger(p[1]) && (p[1] as number) >= 0;
const memberOffset = (cursor: string, field: string): number => decodeCursor(cursor, field, isMemberPosition)[1];

@Resolver(() => GroupType)
export class GroupResolver {
  @FieldResolver(() => ScimConnectionType, { nullable: true, description: RESOURCE.managedByConnection })
  managedByConnection(@Root() group: Group, @Ctx() c: GraphQLContext): ScimConnection | null | Promise<ScimConnection | null> {
    return group.managedBy ? c.loaders(group.tenantId).connection.get(group.managedBy) : null;
  }

  @FieldResolver(() => GroupMemberConnectionType, { description: 'Users and groups that are direct members, in the order they were added.' })
  async members(@Root() group: Group, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() c: GraphQLContext): Promise<MemberConnection> {
    const p = paging(args, c.limits.maxPageSize);
    const l = c.loaders(group.tenantId);
    let start: number;
    let size = p.limit;
    if (p.direction === 'forward') {
      start = p.cursor === null ? 0 : memberOffset(p.cursor, 'after') + 1;
    } else {
      const end = p.cursor === null ? await l.memberCount.load(group.id) : memberOffset(p.cursor, 'before');
      start = Math.max(0, end - p.limit);
      size = end - start;
    }
    // One more than asked tells whether a next page exists. The first page of many groups is one batched statement.
    const page =
      start === 0
        ? await l.firstMembers(size + 1).load(group.id)
        : await c.services.groups.members(c.ctxFor(group.tenantId), group.id, { offset: start, limit: size + 1 });
    const shown = page.slice(0, size);
    const edges = shown.map((m, i) => ({ cursor: memberCursor(start + i), type: m.type, id: m.id, tenantId: group.tenantId }));
    return {
      edges,
      group,
      pageInfo: {
        hasNextPage: page.length > size,
        hasPreviousPage: start > 0,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  }

  @FieldResolver(() => Int, { description: 'How many direct members the group has.' })
  memberCount(@Root() group: Group, @Ctx() c: GraphQLContext): number | Promise<number> {
    return c.loaders(group.tenantId).memberCount.get(group.id);
  }

  @FieldResolver(() => [GroupType], { description: 'Groups this group is nested in: directly, or at any depth (cycle-safe).' })
  groups(
    @Root() group: Group,
    @Arg('transitive', () => Boolean, { defaultValue: false, description: 'false: only the groups it is directly in; true: also the groups those are in, and so on.' }) transitive: boolean,
    @Ctx() c: GraphQLContext): Group[] | Promise<Group[]> {
    const l = c.loaders(group.tenantId);
    return (transitive ? l.groupsOfTransitive : l.groupsOf).get(group.id);
  }

  @Mutation(() => CreateGroupPayload, { description: 'Makes a group, with its first members if given, in one transaction.' })
  async createGroup(@Arg('input', () => CreateGroupInput, { description: MUTATION.input }) input: CreateGroupInput, @Ctx() c: GraphQLContext): Promise<{ group: Group }> {
    const group = await c.services.groups.create(
      c.ctxFor(input.tenantId),
      { displayName: input.displayName, externalId: input.externalId ?? null, extensions: {} },
      (input.memberIds ?? []).map((id) => ({ id })),
    );
    return { group };
  }

  @Mutation(() => RenameGroupPayload, { description: 'Changes the group\'s displayName; groups managed by SCIM answer MANAGED_BY_SCIM.' })
  async renameGroup(@Arg('input', () => RenameGroupInput, { description: MUTATION.input }) input: RenameGroupInput, @Ctx() c: GraphQLContext): Promise<{ group: Group }> {
    const ctx = await scopeOf(c, input.id, 'Group');
    return { group: await c.services.groups.rename(ctx, input.id, input.displayName, { ifVersion: input.ifVersion }) };
  }

  @Mutation(() => DeleteGroupPayload, { description: 'Deletes the group and its memberships (its members stay).' })
  async deleteGroup(@Arg('input', () => DeleteGroupInput, { description: MUTATION.input }) input: InstanceType<typeof DeleteGroupInput>, @Ctx() c: GraphQLContext): Promise<{ deletedId: string }> {
    const ctx = await scopeOf(c, input.id, 'Group');
    await c.services.groups.delete(ctx, input.id, { ifVersion: input.ifVersion });
    return { deletedId: input.id };
  }

  @Mutation(() => AddGroupMembersPayload, { description: 'Adds many users or groups in one transaction; unknown ids fail the whole call.' })
  async addGroupMembers(@Arg('input', () => AddGroupMembersInput, { description: MUTATION.input }) input: AddGroupMembersInput, @Ctx() c: GraphQLContext): Promise<{ group: Group }> {
    const ctx = await scopeOf(c, input.groupId, 'Group');
    return { group: await c.services.groups.addMembers(ctx, input.groupId, input.memberIds.map((id) => ({ id }))) };
  }

  @Mutation(() => RemoveGroupMembersPayload, { description: 'Removes many members in one transaction.' })
  async removeGroupMembers(@Arg('input', () => RemoveGroupMembersInput, { description: MUTATION.input }) input: RemoveGroupMembersInput, @Ctx() c: GraphQLContext): Promise<{ group: Group }> {
    const ctx = await scopeOf(c, input.groupId, 'Group');
    return { group: await c.services.groups.removeMembers(ctx, input.groupId, input.memberIds) };
  }
}

@Resolver(() => GroupMemberEdgeType)
export class GroupMemberEdgeResolver {
  @FieldResolver(() => MemberUnion, { nullable: true, description: 'null only if the member was deleted while this page was read.' })
  node(@Root() edge: MemberEdge, @Ctx() c: GraphQLContext): User | Group | null | Promise<User | Group | null> {
    const l = c.loaders(edge.tenantId);
    return edge.type === 'User' ? l.user.get(edge.id) : l.group.get(edge.id);
  }
}

@Resolver(() => GroupMemberConnectionType)
export class GroupMemberConnectionResolver {
  @FieldResolver(() => Int, { description: 'How many direct members the group has, across all pages.' })
  totalCount(@Root() conn: MemberConnection, @Ctx() c: GraphQLContext): number | Promise<number> {
    return c.loaders(conn.group.tenantId).memberCount.get(conn.group.id);
  }
}
