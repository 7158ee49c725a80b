import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { createUnionType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { NodeInterface, PageInfoType, connectionTypes } from '../shared/relay.js';
import { UserType } from '../user/user.type.js';

@ObjectType('Group', { implements: NodeInterface })
export class GroupType extends NodeInterface {
  @Field(() => ID) tenantId!: string;
  @Field(() => String) displayName!: string;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => GraphQLJSONObject) extensions!: Record<string, unknown>;
  @Field(() => ID, { nullable: true, description: 'The SCIM connection that owns this group; null when admins manage it.' })
  managedBy!: string | null;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLDateTimeISO) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO) updatedAt!: Date;
}

export const GroupConnectionType = connectionTypes('Group', () => GroupType, { totalCount: true });

/** A member of a group: a user, or a nested group. */
export const MemberUnion = createUnionType({
  name: 'Member',
  types: () => [UserType, GroupType] as const,
  resolveType: (value: object) => ('userName' in value ? 'User' : 'Group'),
});

export enum MemberTypeEnum {
  USER = 'User',
  GROUP = 'Group',
}
registerEnumType(MemberTypeEnum, { name: 'MemberType' });

/** A member edge; its node is loaded lazily (and in batches) from the member reference. */
@ObjectType('GroupMemberEdge')
export class GroupMemberEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => MemberTypeEnum) type!: MemberTypeEnum;
}

@ObjectType('GroupMemberConnection')
export class GroupMemberConnectionType {
  @Field(() => [GroupMemberEdgeType]) edges!: GroupMemberEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
  @Field(() => Int) totalCount!: number;
}
