import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { createUnionType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GROUP, RELAY, RESOURCE } from '../shared/docs.js';
import { NodeInterface, PageInfoType, connectionTypes } from '../shared/relay.js';
import { UserType } from '../user/user.type.js';

@ObjectType('Group', { simpleResolvers: true, implements: NodeInterface, description: 'A group of users and other groups in a tenant (RFC 7643 §4.2). A group never contains itself, however deeply nested.' })
export class GroupType extends NodeInterface {
  @Field(() => ID, { description: RESOURCE.tenantId }) tenantId!: string;
  @Field(() => String, { description: GROUP.displayName }) displayName!: string;
  @Field(() => String, { nullable: true, description: RESOURCE.externalId }) externalId!: string | null;
  @Field(() => GraphQLJSONObject, { description: RESOURCE.extensions }) extensions!: Record<string, unknown>;
  @Field(() => ID, { nullable: true, description: RESOURCE.managedBy }) managedBy!: string | null;
  @Field(() => Int, { description: RESOURCE.version }) version!: number;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.createdAt }) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.updatedAt }) updatedAt!: Date;
}

export const GroupConnectionType = connectionTypes('Group', () => GroupType, { totalCount: true, item: 'group', items: 'groups' });

/** The GraphQL type of a member: users have a userName, groups do not. */
export const memberTypeName = (value: object): 'User' | 'Group' => ('userName' in value ? 'User' : 'Group');

/** A member of a group: a user, or a nested group. */
export const MemberUnion = createUnionType({
  name: 'Member',
  description: 'A member of a group: a user, or a nested group.',
  types: () => [UserType, GroupType] as const,
  resolveType: memberTypeName,
});

export enum MemberTypeEnum {
  USER = 'User',
  GROUP = 'Group',
}
registerEnumType(MemberTypeEnum, {
  name: 'MemberType',
  description: 'Whether a member is a user or a group.',
  valuesConfig: { USER: { description: 'The member is a user.' }, GROUP: { description: 'The member is a nested group.' } },
});

/** A member edge; its node is loaded lazily (and in batches) from the member reference. */
@ObjectType('GroupMemberEdge', { simpleResolvers: true, description: RELAY.edge('member of a group') })
export class GroupMemberEdgeType {
  @Field(() => String, { description: RELAY.cursor }) cursor!: string;
  @Field(() => MemberTypeEnum, { description: 'Whether the member is a user or a group, known without loading it.' }) type!: MemberTypeEnum;
}

@ObjectType('GroupMemberConnection', { simpleResolvers: true, description: RELAY.connection('a group\'s direct members, in the order they were added') })
export class GroupMemberConnectionType {
  @Field(() => [GroupMemberEdgeType], { description: RELAY.edges }) edges!: GroupMemberEdgeType[];
  @Field(() => PageInfoType, { description: RELAY.pageInfo }) pageInfo!: PageInfoType;
}
