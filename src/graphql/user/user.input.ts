import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { BooleanFilterInput, DateTimeFilterInput, IdFilterInput, MULTI_VALUE_SPEC, MultiValueFilterInput, StringFilterInput, type FilterSpec } from '../shared/filter.input.js';

// ---- filter (docs/architecture.md#filter-language as typed inputs) ----

@InputType('PersonNameFilter')
export class PersonNameFilterInput {
  @Field(() => StringFilterInput, { nullable: true }) formatted?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) familyName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) givenName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) middleName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) honorificPrefix?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) honorificSuffix?: StringFilterInput | null;
}

@InputType('EnterpriseUserFilter')
export class EnterpriseUserFilterInput {
  @Field(() => StringFilterInput, { nullable: true }) employeeNumber?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) costCenter?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) organization?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) division?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) department?: StringFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true }) managerId?: IdFilterInput | null;
}

@InputType('AddressFilter', { description: 'Matches when some address matches every condition given.' })
export class AddressFilterInput {
  @Field(() => [AddressFilterInput], { nullable: true }) and?: AddressFilterInput[] | null;
  @Field(() => [AddressFilterInput], { nullable: true }) or?: AddressFilterInput[] | null;
  @Field(() => AddressFilterInput, { nullable: true }) not?: AddressFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) type?: StringFilterInput | null;
  @Field(() => BooleanFilterInput, { nullable: true }) primary?: BooleanFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) formatted?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) streetAddress?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) locality?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) region?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) postalCode?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) country?: StringFilterInput | null;
}

@InputType('UserGroupFilter', { description: 'Matches when some group the user is a direct member of matches.' })
export class UserGroupFilterInput {
  @Field(() => IdFilterInput, { nullable: true }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) displayName?: StringFilterInput | null;
}

@InputType('UserFilter', { description: 'Every condition given must hold; combine with and/or/not.' })
export class UserFilterInput {
  @Field(() => [UserFilterInput], { nullable: true }) and?: UserFilterInput[] | null;
  @Field(() => [UserFilterInput], { nullable: true }) or?: UserFilterInput[] | null;
  @Field(() => UserFilterInput, { nullable: true }) not?: UserFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) userName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) loginName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) externalId?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) displayName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) nickName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) profileUrl?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) title?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) userType?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) preferredLanguage?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) locale?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true }) timezone?: StringFilterInput | null;
  @Field(() => BooleanFilterInput, { nullable: true }) active?: BooleanFilterInput | null;
  @Field(() => PersonNameFilterInput, { nullable: true }) name?: PersonNameFilterInput | null;
  @Field(() => EnterpriseUserFilterInput, { nullable: true }) enterprise?: EnterpriseUserFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true }) managedBy?: IdFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true }) createdAt?: DateTimeFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true }) updatedAt?: DateTimeFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true }) emails?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true }) phoneNumbers?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true }) ims?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true }) photos?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true }) roles?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true }) entitlements?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true }) x509Certificates?: MultiValueFilterInput | null;
  @Field(() => AddressFilterInput, { nullable: true }) addresses?: AddressFilterInput | null;
  @Field(() => UserGroupFilterInput, { nullable: true }) groups?: UserGroupFilterInput | null;
}

const same = (...names: string[]) => Object.fromEntries(names.map((n) => [n, n]));
const multi = (field: string, spec: FilterSpec) => ({ field, spec });

/** UserFilter fields → the domain's user field paths (USER_FIELDS). */
export const USER_FILTER_SPEC: FilterSpec = {
  fields: same('id', 'userName', 'loginName', 'externalId', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'managedBy', 'createdAt', 'updatedAt'),
  nested: {
    name: { prefix: 'name', fields: same('formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix') },
    enterprise: { prefix: 'enterprise', fields: same('employeeNumber', 'costCenter', 'organization', 'division', 'department', 'managerId') },
  },
  multi: {
    ...Object.fromEntries(['emails', 'phoneNumbers', 'ims', 'photos', 'roles', 'entitlements', 'x509Certificates'].map((a) => [a, multi(a, MULTI_VALUE_SPEC)])),
    addresses: multi('addresses', { fields: same('type', 'primary', 'formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country') }),
    groups: multi('groups', { fields: { id: 'value', displayName: 'display' } }),
  },
};

// ---- ordering ----

export enum OrderDirectionEnum {
  ASC = 'asc',
  DESC = 'desc',
}
registerEnumType(OrderDirectionEnum, { name: 'OrderDirection' });

export enum UserOrderFieldEnum {
  ID = 'id',
  USER_NAME = 'userName',
  LOGIN_NAME = 'loginName',
  EXTERNAL_ID = 'externalId',
  DISPLAY_NAME = 'displayName',
  TITLE = 'title',
  FAMILY_NAME = 'name.familyName',
  GIVEN_NAME = 'name.givenName',
  EMPLOYEE_NUMBER = 'enterprise.employeeNumber',
  DEPARTMENT = 'enterprise.department',
  CREATED_AT = 'createdAt',
  UPDATED_AT = 'updatedAt',
}
registerEnumType(UserOrderFieldEnum, { name: 'UserOrderField' });

@InputType('UserOrder')
export class UserOrderInput {
  @Field(() => UserOrderFieldEnum) field!: UserOrderFieldEnum;
  @Field(() => OrderDirectionEnum, { defaultValue: OrderDirectionEnum.ASC }) direction!: OrderDirectionEnum;
}

// ---- writes ----

@InputType('PersonNameInput')
export class PersonNameInput {
  @Field(() => String, { nullable: true }) formatted?: string | null;
  @Field(() => String, { nullable: true }) familyName?: string | null;
  @Field(() => String, { nullable: true }) givenName?: string | null;
  @Field(() => String, { nullable: true }) middleName?: string | null;
  @Field(() => String, { nullable: true }) honorificPrefix?: string | null;
  @Field(() => String, { nullable: true }) honorificSuffix?: string | null;
}

@InputType('MultiValueInput')
export class MultiValueInput {
  @Field(() => String) value!: string;
  @Field(() => String, { nullable: true }) type?: string | null;
  @Field(() => Boolean, { defaultValue: false }) primary!: boolean;
  @Field(() => String, { nullable: true }) display?: string | null;
}

@InputType('AddressInput')
export class AddressInput {
  @Field(() => String, { nullable: true }) type?: string | null;
  @Field(() => Boolean, { defaultValue: false }) primary!: boolean;
  @Field(() => String, { nullable: true }) formatted?: string | null;
  @Field(() => String, { nullable: true }) streetAddress?: string | null;
  @Field(() => String, { nullable: true }) locality?: string | null;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true }) postalCode?: string | null;
  @Field(() => String, { nullable: true }) country?: string | null;
}

@InputType('EnterpriseUserInput')
export class EnterpriseUserInput {
  @Field(() => String, { nullable: true }) employeeNumber?: string | null;
  @Field(() => String, { nullable: true }) costCenter?: string | null;
  @Field(() => String, { nullable: true }) organization?: string | null;
  @Field(() => String, { nullable: true }) division?: string | null;
  @Field(() => String, { nullable: true }) department?: string | null;
  @Field(() => ID, { nullable: true }) managerId?: string | null;
}

/**
 * The profile fields of a user. In `updateUser` every field is optional: a field left out
 * stays as it is, `null` clears it; `name` and `enterprise` merge field by field; a list
 * replaces the whole list.
 */
// Only inherited (by CreateUserInput and UpdateUserInput): no field takes it, so it is not emitted.
@InputType('UserProfileFields')
export abstract class UserProfileFields {
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field(() => PersonNameInput, { nullable: true }) name?: PersonNameInput | null;
  @Field(() => String, { nullable: true }) displayName?: string | null;
  @Field(() => String, { nullable: true }) nickName?: string | null;
  @Field(() => String, { nullable: true }) profileUrl?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) userType?: string | null;
  @Field(() => String, { nullable: true }) preferredLanguage?: string | null;
  @Field(() => String, { nullable: true }) locale?: string | null;
  @Field(() => String, { nullable: true }) timezone?: string | null;
  @Field(() => [MultiValueInput], { nullable: true }) emails?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true }) phoneNumbers?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true }) ims?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true }) photos?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true }) roles?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true }) entitlements?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true }) x509Certificates?: MultiValueInput[] | null;
  @Field(() => [AddressInput], { nullable: true }) addresses?: AddressInput[] | null;
  @Field(() => EnterpriseUserInput, { nullable: true }) enterprise?: EnterpriseUserInput | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Extension attributes by schema URN, kept verbatim.' })
  extensions?: Record<string, unknown> | null;
}

@InputType('CreateUserInput')
export class CreateUserInput extends UserProfileFields {
  @Field(() => ID) tenantId!: string;
  @Field(() => String) userName!: string;
  @Field(() => Boolean, { defaultValue: true }) active!: boolean;
}

@InputType('UpdateUserInput')
export class UpdateUserInput extends UserProfileFields {
  @Field(() => ID) id!: string;
  @Field(() => Int, { nullable: true, description: 'Fail with PRECONDITION_FAILED unless the user is at this version.' })
  ifVersion?: number | null;
  @Field(() => String, { nullable: true }) userName?: string | null;
}

@InputType('UserRefInput', { description: 'Names a user, optionally at a version.' })
export class UserRefInput {
  @Field(() => ID) id!: string;
  @Field(() => Int, { nullable: true, description: 'Fail with PRECONDITION_FAILED unless the user is at this version.' })
  ifVersion?: number | null;
}
