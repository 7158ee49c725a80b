import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { ADDRESS, ENTERPRISE, FILTER, MULTI_VALUE, MUTATION, ORDER, PERSON_NAME, RESOURCE, USER } from '../shared/docs.js';
import { BooleanFilterInput, DateTimeFilterInput, IdFilterInput, MULTI_VALUE_SPEC, MultiValueFilterInput, StringFilterInput, type FilterSpec } from '../shared/filter.input.js';

// ---- filter (docs/architecture.md#filter-language as typed inputs) ----

@InputType('PersonNameFilter', { description: 'Conditions on the parts of a user\'s name; every one given must hold.' })
export class PersonNameFilterInput {
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the formatted name') }) formatted?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the family name') }) familyName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the given name') }) givenName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the middle name') }) middleName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the honorific prefix') }) honorificPrefix?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the honorific suffix') }) honorificSuffix?: StringFilterInput | null;
}

@InputType('EnterpriseUserFilter', { description: 'Conditions on the enterprise extension of a user; every one given must hold.' })
export class EnterpriseUserFilterInput {
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the employee number', true) }) employeeNumber?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the cost centre') }) costCenter?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the organisation') }) organization?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the division') }) division?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the department') }) department?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the manager as sent (usually a user id)') }) managerValue?: StringFilterInput | null;
}

@InputType('AddressFilter', { description: FILTER.some('a user\'s addresses') })
export class AddressFilterInput {
  @Field(() => [AddressFilterInput], { nullable: true, description: FILTER.and }) and?: AddressFilterInput[] | null;
  @Field(() => [AddressFilterInput], { nullable: true, description: FILTER.or }) or?: AddressFilterInput[] | null;
  @Field(() => AddressFilterInput, { nullable: true, description: FILTER.not }) not?: AddressFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the type, e.g. "work"') }) type?: StringFilterInput | null;
  @Field(() => BooleanFilterInput, { nullable: true, description: FILTER.onValue('whether the address is the primary one') }) primary?: BooleanFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the formatted address') }) formatted?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the street address') }) streetAddress?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the city or locality') }) locality?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the state or region') }) region?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the postal code') }) postalCode?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the country') }) country?: StringFilterInput | null;
}

@InputType('UserGroupFilter', { description: FILTER.some('the groups the user is a direct member of') })
export class UserGroupFilterInput {
  @Field(() => IdFilterInput, { nullable: true, description: FILTER.onValue('the group\'s id') }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the group\'s displayName') }) displayName?: StringFilterInput | null;
}

@InputType('UserFilter', { description: 'Which users to list: every condition given must hold; combine filters with and/or/not.' })
export class UserFilterInput {
  @Field(() => [UserFilterInput], { nullable: true, description: FILTER.and }) and?: UserFilterInput[] | null;
  @Field(() => [UserFilterInput], { nullable: true, description: FILTER.or }) or?: UserFilterInput[] | null;
  @Field(() => UserFilterInput, { nullable: true, description: FILTER.not }) not?: UserFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true, description: FILTER.onValue('the user\'s id') }) id?: IdFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('userName') }) userName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the login name') }) loginName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('externalId', true) }) externalId?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('displayName') }) displayName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('nickName') }) nickName?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('profileUrl') }) profileUrl?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('title') }) title?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('userType') }) userType?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('preferredLanguage') }) preferredLanguage?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('locale') }) locale?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('timezone') }) timezone?: StringFilterInput | null;
  @Field(() => BooleanFilterInput, { nullable: true, description: FILTER.onValue('whether the user is active') }) active?: BooleanFilterInput | null;
  @Field(() => PersonNameFilterInput, { nullable: true, description: 'Conditions on the parts of the user\'s name.' }) name?: PersonNameFilterInput | null;
  @Field(() => EnterpriseUserFilterInput, { nullable: true, description: 'Conditions on the enterprise extension.' }) enterprise?: EnterpriseUserFilterInput | null;
  @Field(() => IdFilterInput, { nullable: true, description: FILTER.onValue('the managing SCIM connection\'s id; `pr: false` finds users admins manage') }) managedBy?: IdFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true, description: FILTER.onValue('when the user was created') }) createdAt?: DateTimeFilterInput | null;
  @Field(() => DateTimeFilterInput, { nullable: true, description: FILTER.onValue('when the user last changed') }) updatedAt?: DateTimeFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.some('the e-mail addresses') }) emails?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.some('the phone numbers') }) phoneNumbers?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.some('the instant messaging addresses') }) ims?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.some('the photos') }) photos?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.some('the roles') }) roles?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.some('the entitlements') }) entitlements?: MultiValueFilterInput | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.some('the certificates') }) x509Certificates?: MultiValueFilterInput | null;
  @Field(() => AddressFilterInput, { nullable: true, description: FILTER.some('the addresses') }) addresses?: AddressFilterInput | null;
  @Field(() => UserGroupFilterInput, { nullable: true, description: FILTER.some('the groups the user is a direct member of') }) groups?: UserGroupFilterInput | null;
}

const same = (...names: string[]) => Object.fromEntries(names.map((n) => [n, n]));
const multi = (field: string, spec: FilterSpec) => ({ field, spec });

/** UserFilter fields → the domain's user field paths (USER_FIELDS). */
export const USER_FILTER_SPEC: FilterSpec = {
  fields: same('id', 'userName', 'loginName', 'externalId', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'managedBy', 'createdAt', 'updatedAt'),
  nested: {
    name: { prefix: 'name', fields: same('formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix') },
    enterprise: { prefix: 'enterprise', fields: same('employeeNumber', 'costCenter', 'organization', 'division', 'department', 'managerValue') },
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
registerEnumType(OrderDirectionEnum, {
  name: 'OrderDirection',
  description: 'Which way a list is sorted.',
  valuesConfig: { ASC: { description: 'Smallest first: A to Z, oldest first.' }, DESC: { description: 'Largest first: Z to A, newest first.' } },
});

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
registerEnumType(UserOrderFieldEnum, {
  name: 'UserOrderField',
  description: 'What users can be sorted by. Text sorts case-insensitively, except externalId and employeeNumber; users without a value come first in ascending order.',
  valuesConfig: {
    ID: { description: ORDER.byId },
    USER_NAME: { description: 'By userName.' },
    LOGIN_NAME: { description: 'By login name.' },
    EXTERNAL_ID: { description: 'By externalId.' },
    DISPLAY_NAME: { description: 'By displayName.' },
    TITLE: { description: 'By job title.' },
    FAMILY_NAME: { description: 'By family name.' },
    GIVEN_NAME: { description: 'By given name.' },
    EMPLOYEE_NUMBER: { description: 'By employee number (enterprise extension).' },
    DEPARTMENT: { description: 'By department (enterprise extension).' },
    CREATED_AT: { description: ORDER.byCreatedAt },
    UPDATED_AT: { description: ORDER.byUpdatedAt },
  },
});

@InputType('UserOrder', { description: 'How to sort users.' })
export class UserOrderInput {
  @Field(() => UserOrderFieldEnum, { description: ORDER.field }) field!: UserOrderFieldEnum;
  @Field(() => OrderDirectionEnum, { defaultValue: OrderDirectionEnum.ASC, description: ORDER.direction }) direction!: OrderDirectionEnum;
}

// ---- writes ----

@InputType('PersonNameInput', { description: 'The parts of a user\'s name; in `updateUser`, parts left out stay as they are.' })
export class PersonNameInput {
  @Field(() => String, { nullable: true, description: PERSON_NAME.formatted }) formatted?: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.familyName }) familyName?: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.givenName }) givenName?: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.middleName }) middleName?: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.honorificPrefix }) honorificPrefix?: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.honorificSuffix }) honorificSuffix?: string | null;
}

@InputType('MultiValueInput', { description: 'One value of a multi-valued attribute such as emails or roles (RFC 7643 §2.4).' })
export class MultiValueInput {
  @Field(() => String, { description: MULTI_VALUE.value }) value!: string;
  @Field(() => String, { nullable: true, description: MULTI_VALUE.type }) type?: string | null;
  @Field(() => Boolean, { nullable: true, description: MULTI_VALUE.primary }) primary?: boolean | null;
  @Field(() => String, { nullable: true, description: MULTI_VALUE.display }) display?: string | null;
}

@InputType('AddressInput', { description: 'A postal address (RFC 7643 §4.1.2).' })
export class AddressInput {
  @Field(() => String, { nullable: true, description: ADDRESS.type }) type?: string | null;
  @Field(() => Boolean, { nullable: true, description: ADDRESS.primary }) primary?: boolean | null;
  @Field(() => String, { nullable: true, description: ADDRESS.formatted }) formatted?: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.streetAddress }) streetAddress?: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.locality }) locality?: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.region }) region?: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.postalCode }) postalCode?: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.country }) country?: string | null;
}

@InputType('EnterpriseUserInput', { description: 'The enterprise extension (RFC 7643 §4.3); in `updateUser`, fields left out stay as they are.' })
export class EnterpriseUserInput {
  @Field(() => String, { nullable: true, description: ENTERPRISE.employeeNumber }) employeeNumber?: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.costCenter }) costCenter?: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.organization }) organization?: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.division }) division?: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.department }) department?: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.managerValue }) managerValue?: string | null;
}

/**
 * The profile fields of a user. In `updateUser` every field is optional: a field left out
 * stays as it is, `null` clears it; `name` and `enterprise` merge field by field; a list
 * replaces the whole list.
 */
// Only inherited (by CreateUserInput and UpdateUserInput): no field takes it, so it is not emitted.
@InputType('UserProfileFields')
export abstract class UserProfileFields {
  @Field(() => String, { nullable: true, description: RESOURCE.externalId }) externalId?: string | null;
  @Field(() => PersonNameInput, { nullable: true, description: USER.name }) name?: PersonNameInput | null;
  @Field(() => String, { nullable: true, description: USER.displayName }) displayName?: string | null;
  @Field(() => String, { nullable: true, description: USER.nickName }) nickName?: string | null;
  @Field(() => String, { nullable: true, description: USER.profileUrl }) profileUrl?: string | null;
  @Field(() => String, { nullable: true, description: USER.title }) title?: string | null;
  @Field(() => String, { nullable: true, description: USER.userType }) userType?: string | null;
  @Field(() => String, { nullable: true, description: USER.preferredLanguage }) preferredLanguage?: string | null;
  @Field(() => String, { nullable: true, description: USER.locale }) locale?: string | null;
  @Field(() => String, { nullable: true, description: USER.timezone }) timezone?: string | null;
  @Field(() => [MultiValueInput], { nullable: true, description: USER.emails }) emails?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true, description: USER.phoneNumbers }) phoneNumbers?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true, description: USER.ims }) ims?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true, description: USER.photos }) photos?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true, description: USER.roles }) roles?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true, description: USER.entitlements }) entitlements?: MultiValueInput[] | null;
  @Field(() => [MultiValueInput], { nullable: true, description: USER.x509Certificates }) x509Certificates?: MultiValueInput[] | null;
  @Field(() => [AddressInput], { nullable: true, description: USER.addresses }) addresses?: AddressInput[] | null;
  @Field(() => EnterpriseUserInput, { nullable: true, description: USER.enterprise }) enterprise?: EnterpriseUserInput | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: RESOURCE.extensions }) extensions?: Record<string, unknown> | null;
}

@InputType('CreateUserInput', { description: 'A new user: userName and the tenant are required; every other attribute may be left out.' })
export class CreateUserInput extends UserProfileFields {
  @Field(() => ID, { description: RESOURCE.tenantOf('user') }) tenantId!: string;
  @Field(() => String, { description: USER.userName }) userName!: string;
  @Field(() => Boolean, { defaultValue: true, description: USER.active }) active!: boolean;
}

@InputType('UpdateUserInput', {
  description: 'Changes to a user: a field left out stays as it is, `null` clears it; `name` and `enterprise` merge field by field; a list replaces the whole list.',
})
export class UpdateUserInput extends UserProfileFields {
  @Field(() => ID, { description: MUTATION.idOf('user to change') }) id!: string;
  @Field(() => Int, { nullable: true, description: RESOURCE.ifVersion }) ifVersion?: number | null;
  @Field(() => String, { nullable: true, description: USER.userName }) userName?: string | null;
}

