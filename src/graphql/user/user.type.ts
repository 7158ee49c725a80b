import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { NodeInterface, connectionTypes } from '../shared/relay.js';

/**
 * GraphQL shapes of the domain's User (docs/architecture.md#data-model). These classes only describe the schema;
 * resolvers return the domain's plain objects, whose field names these mirror.
 */

@ObjectType('PersonName')
export class PersonNameType {
  @Field(() => String, { nullable: true }) formatted!: string | null;
  @Field(() => String, { nullable: true }) familyName!: string | null;
  @Field(() => String, { nullable: true }) givenName!: string | null;
  @Field(() => String, { nullable: true }) middleName!: string | null;
  @Field(() => String, { nullable: true }) honorificPrefix!: string | null;
  @Field(() => String, { nullable: true }) honorificSuffix!: string | null;
}

@ObjectType('MultiValue', { description: 'One value of a multi-valued attribute such as emails or roles (RFC 7643 §2.4).' })
export class MultiValueType {
  @Field(() => String) value!: string;
  @Field(() => String, { nullable: true }) type!: string | null;
  @Field(() => Boolean) primary!: boolean;
  @Field(() => String, { nullable: true }) display!: string | null;
}

@ObjectType('Address')
export class AddressType {
  @Field(() => String, { nullable: true }) type!: string | null;
  @Field(() => Boolean) primary!: boolean;
  @Field(() => String, { nullable: true }) formatted!: string | null;
  @Field(() => String, { nullable: true }) streetAddress!: string | null;
  @Field(() => String, { nullable: true }) locality!: string | null;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => String, { nullable: true }) postalCode!: string | null;
  @Field(() => String, { nullable: true }) country!: string | null;
}

@ObjectType('EnterpriseUser', { description: 'The enterprise extension (RFC 7643 §4.3).' })
export class EnterpriseUserType {
  @Field(() => String, { nullable: true }) employeeNumber!: string | null;
  @Field(() => String, { nullable: true }) costCenter!: string | null;
  @Field(() => String, { nullable: true }) organization!: string | null;
  @Field(() => String, { nullable: true }) division!: string | null;
  @Field(() => String, { nullable: true }) department!: string | null;
  @Field(() => ID, { nullable: true, description: 'May name a user that has not arrived yet; `manager` is then null.' })
  managerId!: string | null;
}

@ObjectType('User', { implements: NodeInterface })
export class UserType extends NodeInterface {
  @Field(() => ID) tenantId!: string;
  @Field(() => String) userName!: string;
  @Field(() => String, { description: 'The local sign-in name: the userName, or derived from it by the SCIM connection\'s login-name policy. Unique per tenant, case-insensitively.' })
  loginName!: string;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => PersonNameType) name!: PersonNameType;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => String, { nullable: true }) nickName!: string | null;
  @Field(() => String, { nullable: true }) profileUrl!: string | null;
  @Field(() => String, { nullable: true }) title!: string | null;
  @Field(() => String, { nullable: true }) userType!: string | null;
  @Field(() => String, { nullable: true }) preferredLanguage!: string | null;
  @Field(() => String, { nullable: true }) locale!: string | null;
  @Field(() => String, { nullable: true }) timezone!: string | null;
  @Field(() => Boolean) active!: boolean;
  @Field(() => [MultiValueType]) emails!: MultiValueType[];
  @Field(() => [MultiValueType]) phoneNumbers!: MultiValueType[];
  @Field(() => [MultiValueType]) ims!: MultiValueType[];
  @Field(() => [MultiValueType]) photos!: MultiValueType[];
  @Field(() => [MultiValueType]) roles!: MultiValueType[];
  @Field(() => [MultiValueType]) entitlements!: MultiValueType[];
  @Field(() => [MultiValueType]) x509Certificates!: MultiValueType[];
  @Field(() => [AddressType]) addresses!: AddressType[];
  @Field(() => GraphQLJSONObject, { description: 'Attributes of extension schemas Roster has no field for, kept verbatim by schema URN.' })
  extensions!: Record<string, unknown>;
  @Field(() => ID, { nullable: true, description: 'The SCIM connection that owns this user; null when admins manage it.' })
  managedBy!: string | null;
  @Field(() => Int, { description: 'Increases with every change; pass it as `ifVersion` to update safely.' })
  version!: number;
  @Field(() => GraphQLDateTimeISO) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO) updatedAt!: Date;
}

export const UserConnectionType = connectionTypes('User', () => UserType, { totalCount: true });
