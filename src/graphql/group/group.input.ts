import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { FILTER, GROUP, MUTATION, ORDER, RESOURCE } from '../shared/docs.js';
import { DateTimeFilterInput, IdFilterInput, StringFilterInput, type FilterSpec } from '../shared/filter.input.js';
import { OrderDirectionEnum } from '../user/user.input.js';

@InputType('GroupMemberFilter', { description: FILTER.some('the group\'s direct members') })
export class GroupMemberFilterInput {
  @Field(() => IdFilterInput, { nullable: true, description: FILTER.onValue('the member\'s id') }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the member\'s type, "User" or "Group"') }) type?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the member\'s name: a user\'s displayName (its userName when it has none) or a group\'s displayName') }) display?: StringFilterInput | null;
}

@InputType('GroupFilter', { description: 'Which groups to list: every condition given must hold; combine filters with and/or/not.' })
export class GroupFilterInput {
  @Field(() => [GroupFilterInput], { nullable: true, description: FILTER.and }) and?: GroupFilterInput[] | null;
  @Field(() => [GroupFilterInput], { nullable: true, description: FILTER.or }) or?: GroupFilterInput[] | null;
  @Field(() => GroupFilterInput, { nullable: true, description: FILTER.not }) not?: GroupFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true, description: FILTER.onValue('the group\'s id') }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('displayName') }) displayName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('externalId', true) }) externalId?: StringFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true, description: FILTER.onValue('the managing SCIM connection\'s id; `pr: false` finds groups admins manage') }) managedBy?: IdFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true, description: FILTER.onValue('when the group was created') }) createdAt?: DateTimeFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true, description: FILTER.onValue('when the group last changed') }) updatedAt?: DateTimeFilterInput | null;
  @Field(() => GroupMemberFilterInput, { nullable: true, description: FILTER.some('the direct members') }) members?: GroupMemberFilterInput | null;
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
registerEnumType(GroupOrderFieldEnum, {
  name: 'GroupOrderField',
  description: 'What groups can be sorted by. displayName sorts case-insensitively.',
  valuesConfig: {
    ID: { description: ORDER.byId },
    DISPLAY_NAME: { description: 'By displayName.' },
    EXTERNAL_ID: { description: 'By externalId.' },
    CREATED_AT: { description: ORDER.byCreatedAt },
    UPDATED_AT: { description: ORDER.byUpdatedAt },
  },
});

@InputType('GroupOrder', { description: 'How to sort groups.' })
export class GroupOrderInput {
  @Field(() => GroupOrderFieldEnum, { description: ORDER.field }) field!: GroupOrderFieldEnum;
  @Field(() => OrderDirectionEnum, { defaultValue: OrderDirectionEnum.ASC, description: ORDER.direction }) direction!: OrderDirectionEnum;
}

@InputType('CreateGroupInput', { description: 'A new group.' })
export class CreateGroupInput {
  @Field(() => ID, { description: RESOURCE.tenantOf('group') }) tenantId!: string;
  @Field(() => String, { description: GROUP.displayName }) displayName!: string;
  @Field(() => String, { nullable: true, description: RESOURCE.externalId }) externalId?: string | null;
  @Field(() => [ID], { nullable: true, description: `${GROUP.memberIds} They become the first members.` }) memberIds?: string[] | null;
}

@InputType('RenameGroupInput', { description: 'A new name for a group.' })
export class RenameGroupInput {
  @Field(() => ID, { description: MUTATION.idOf('group') }) id!: string;
  @Field(() => String, { description: GROUP.displayName }) displayName!: string;
  @Field(() => Int, { nullable: true, description: RESOURCE.ifVersion }) ifVersion?: number | null;
}

@InputType('AddGroupMembersInput', { description: 'Members to add to a group.' })
export class AddGroupMembersInput {
  @Field(() => ID, { description: MUTATION.idOf('group') }) groupId!: string;
  @Field(() => [ID], { description: `${GROUP.memberIds} Ones already members are left as they are.` }) memberIds!: string[];
}

@InputType('RemoveGroupMembersInput', { description: 'Members to remove from a group.' })
export class RemoveGroupMembersInput {
  @Field(() => ID, { description: MUTATION.idOf('group') }) groupId!: string;
  @Field(() => [ID], { description: 'Ids of the members to remove; ids that are not members are ignored.' }) memberIds!: string[];
}
