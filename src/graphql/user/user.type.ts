import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ADDRESS, ENTERPRISE, MULTI_VALUE, PERSON_NAME, RESOURCE, USER } from '../shared/docs.js';
import { NodeInterface, connectionTypes } from '../shared/relay.js';

/**
 * GraphQL shapes of the domain's User (docs/architecture.md#data-model). These classes only describe the schema;
 * resolvers return the domain's plain objects, whose field names these mirror.
 */

@ObjectType('PersonName', { simpleResolvers: true, description: 'The components of a user\'s real name (RFC 7643 §4.1.1); each may be null.' })
export class PersonNameType {
  @Field(() => String, { nullable: true, description: PERSON_NAME.formatted }) formatted!: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.familyName }) familyName!: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.givenName }) givenName!: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.middleName }) middleName!: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.honorificPrefix }) honorificPrefix!: string | null;
  @Field(() => String, { nullable: true, description: PERSON_NAME.honorificSuffix }) honorificSuffix!: string | null;
}

@ObjectType('MultiValue', { simpleResolvers: true, description: 'One value of a multi-valued attribute such as emails or roles (RFC 7643 §2.4).' })
export class MultiValueType {
  @Field(() => String, { description: MULTI_VALUE.value }) value!: string;
  @Field(() => String, { nullable: true, description: MULTI_VALUE.type }) type!: string | null;
  @Field(() => Boolean, { nullable: true, description: MULTI_VALUE.primary }) primary!: boolean | null;
  @Field(() => String, { nullable: true, description: MULTI_VALUE.display }) display!: string | null;
}

@ObjectType('Address', { simpleResolvers: true, description: 'A postal address of a user (RFC 7643 §4.1.2).' })
export class AddressType {
  @Field(() => String, { nullable: true, description: ADDRESS.type }) type!: string | null;
  @Field(() => Boolean, { nullable: true, description: ADDRESS.primary }) primary!: boolean | null;
  @Field(() => String, { nullable: true, description: ADDRESS.formatted }) formatted!: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.streetAddress }) streetAddress!: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.locality }) locality!: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.region }) region!: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.postalCode }) postalCode!: string | null;
  @Field(() => String, { nullable: true, description: ADDRESS.country }) country!: string | null;
}

@ObjectType('EnterpriseUser', { simpleResolvers: true, description: 'The enterprise extension of a user (RFC 7643 §4.3).' })
export class EnterpriseUserType {
  @Field(() => String, { nullable: true, description: ENTERPRISE.employeeNumber }) employeeNumber!: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.costCenter }) costCenter!: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.organization }) organization!: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.division }) division!: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.department }) department!: string | null;
  @Field(() => String, { nullable: true, description: ENTERPRISE.managerValue }) managerValue!: string | null;
}

@ObjectType('User', { simpleResolvers: true,
  implements: NodeInterface,
  description: 'A person in a tenant: the SCIM core User with the enterprise extension (RFC 7643 §4), whether an identity provider or an admin made it.',
})
export class UserType extends NodeInterface {
  @Field(() => ID, { description: RESOURCE.tenantId }) tenantId!: string;
  @Field(() => String, { description: USER.userName }) userName!: string;
  @Field(() => String, { description: USER.loginName }) loginName!: string;
  @Field(() => String, { nullable: true, description: RESOURCE.externalId }) externalId!: string | null;
  @Field(() => PersonNameType, { description: USER.name }) name!: PersonNameType;
  @Field(() => String, { nullable: true, description: USER.displayName }) displayName!: string | null;
  @Field(() => String, { nullable: true, description: USER.nickName }) nickName!: string | null;
  @Field(() => String, { nullable: true, description: USER.profileUrl }) profileUrl!: string | null;
  @Field(() => String, { nullable: true, description: USER.title }) title!: string | null;
  @Field(() => String, { nullable: true, description: USER.userType }) userType!: string | null;
  @Field(() => String, { nullable: true, description: USER.preferredLanguage }) preferredLanguage!: string | null;
  @Field(() => String, { nullable: true, description: USER.locale }) locale!: string | null;
  @Field(() => String, { nullable: true, description: USER.timezone }) timezone!: string | null;
  @Field(() => Boolean, { description: USER.active }) active!: boolean;
  @Field(() => [MultiValueType], { description: USER.emails }) emails!: MultiValueType[];
  @Field(() => [MultiValueType], { description: USER.phoneNumbers }) phoneNumbers!: MultiValueType[];
  @Field(() => [MultiValueType], { description: USER.ims }) ims!: MultiValueType[];
  @Field(() => [MultiValueType], { description: USER.photos }) photos!: MultiValueType[];
  @Field(() => [MultiValueType], { description: USER.roles }) roles!: MultiValueType[];
  @Field(() => [MultiValueType], { description: USER.entitlements }) entitlements!: MultiValueType[];
  @Field(() => [MultiValueType], { description: USER.x509Certificates }) x509Certificates!: MultiValueType[];
  @Field(() => [AddressType], { description: USER.addresses }) addresses!: AddressType[];
  @Field(() => GraphQLJSONObject, { description: RESOURCE.extensions }) extensions!: Record<string, unknown>;
  @Field(() => ID, { nullable: true, description: RESOURCE.managedBy }) managedBy!: string | null;
  @Field(() => GraphQLDateTimeISO, {
    nullable: true,
    description: 'When the managing SCIM connection deleted the user under its onDelete: DEACTIVATE policy: kept here, inactive with its groups, and absent for that connection until it creates the user again. Null otherwise.',
  })
  deprovisionedAt!: Date | null;
  @Field(() => Int, { description: RESOURCE.version }) version!: number;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.createdAt }) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.updatedAt }) updatedAt!: Date;
}

export const UserConnectionType = connectionTypes('User', () => UserType, { totalCount: true, item: 'user', items: 'users' });
