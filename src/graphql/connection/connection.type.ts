import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { NodeInterface } from '../shared/relay.js';

/** Enum values are the GraphQL spelling; their runtime values are the domain's strings. */
export enum LoginNamePolicyEnum {
  AS_SENT = 'asSent',
  LOCAL_PART = 'localPart',
}
registerEnumType(LoginNamePolicyEnum, {
  name: 'LoginNamePolicy',
  valuesConfig: {
    AS_SENT: { description: 'Keep userName as the identity provider sent it.' },
    LOCAL_PART: { description: 'Use the part before "@" as the login name.' },
  },
});

export enum LoginNameCollisionEnum {
  REJECT = 'reject',
  SUFFIX = 'suffix',
}
registerEnumType(LoginNameCollisionEnum, { name: 'LoginNameCollision' });

export enum MatchByEnum {
  USER_NAME = 'userName',
  PRIMARY_EMAIL = 'primaryEmail',
  ANY_EMAIL = 'anyEmail',
}
registerEnumType(MatchByEnum, { name: 'MatchBy' });

@ObjectType('ProvisioningPolicies', { description: 'How a connection provisions: how login names are derived from userName, and which existing users a SCIM create may adopt.' })
export class ProvisioningPoliciesType {
  @Field(() => LoginNamePolicyEnum) loginName!: LoginNamePolicyEnum;
  @Field(() => LoginNameCollisionEnum) onLoginNameCollision!: LoginNameCollisionEnum;
  @Field(() => [MatchByEnum], { description: 'Which existing users a SCIM create adopts; empty: none.' })
  matchBy!: MatchByEnum[];
}

/** A SCIM connection. Its token is never readable: it is shown once, on create and rotate. */
@ObjectType('ScimConnection', { implements: NodeInterface })
export class ScimConnectionType extends NodeInterface {
  @Field(() => ID) tenantId!: string;
  @Field(() => String) name!: string;
  @Field(() => ProvisioningPoliciesType) policies!: ProvisioningPoliciesType;
  @Field(() => GraphQLDateTimeISO) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { nullable: true }) rotatedAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true }) lastUsedAt!: Date | null;
}
