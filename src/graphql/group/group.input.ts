import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { DateTimeFilterInput, IdFilterInput, StringFilterInput, type FilterSpec } from '../shared/filter.input.js';
import { OrderDirectionEnum } from '../user/user.input.js';

@InputType('GroupMemberFilter', { description: 'Matches when some member matches every condition given.' })
export class GroupMemberFilterInput {
  @Field(() => IdFilterInput, { nullable: true }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: '"User" or "Group"' }) type?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) display?: StringFilterInput | null;
}

@InputType('GroupFilter', { description: 'Every condition given must hold; combine with and/or/not.' })
export class GroupFilterInput {
  @Field(() => [GroupFilterInput], { nullable: true }) and?: GroupFilterInput[] | null;
  @Field(() => [GroupFilterInput], { nullable: true }) or?: GroupFilterInput[] | null;
  @Field(() => GroupFilterInput, { nullable: true }) not?: GroupFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) displayName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) externalId?: StringFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true }) managedBy?: IdFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true }) createdAt?: DateTimeFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true }) updatedAt?: DateTimeFilterInput | null;
  @Field(() => GroupMemberFilterInput, { nullable: true }) members?: GroupMemberFilterInput | null;
}

/** GroupFilter fields → the domain's group field paths (GROUP_FIELDS). */
export const GROUP_FILTER_SPEC: FilterSpec = {
  fields: { id: 'id', displayName: 'displayName', externalId: 'externalId', managedBy: 'managedBy', createdAt: 'createdAt', updatedAt: 'updatedAt' },
  multi: { members: { field: 'members', spec: { fields: { id: 'value', type: 'type', display: 'display' } } } },
};

export enum GroupOrderFieldEnum {
  ID = 'id',
  DISPLAY_NAME = 'displayName',
  EXTERNAL_ID = 'externalId',
  CREATED_AT = 'createdAt',
  UPDATED_AT = 'updatedAt',
}
registerEnumType(GroupOrderFieldEnum, { name: 'GroupOrderField' });

@InputType('GroupOrder')
export class GroupOrderInput {
  @Field(() => GroupOrderFieldEnum) field!: GroupOrderFieldEnum;
  @Field(() => OrderDirectionEnum, { defaultValue: OrderDirectionEnum.ASC }) direction!: OrderDirectionEnum;
}

@InputType('CreateGroupInput')
export class CreateGroupInput {
  @Field(() => ID) tenantId!: string;
  @Field(() => String) displayName!: string;
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Users or groups to add as members.' }) memberIds?: string[] | null;
}

@InputType('RenameGroupInput')
export class RenameGroupInput {
  @Field(() => ID) id!: string;
  @Field(() => String) displayName!: string;
  @Field(() => Int, { nullable: true, description: 'Fail with PRECONDITION_FAILED unless the group is at this version.' }) ifVersion?: number | null;
}

@InputType('AddGroupMembersInput')
export class AddGroupMembersInput {
  @Field(() => ID) groupId!: string;
  @Field(() => [ID], { description: 'Users or groups; ones already members are left as they are.' }) memberIds!: string[];
}

@InputType('RemoveGroupMembersInput')
export class RemoveGroupMembersInput {
  @Field(() => ID) groupId!: string;
  @Field(() => [ID], { description: 'Members to remove; ids that are not members are ignored.' }) memberIds!: string[];
}
