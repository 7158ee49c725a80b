import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { NAME, POLICY, RESOURCE } from '../shared/docs.js';
import { NodeInterface } from '../shared/relay.js';

/** Enum values are the GraphQL spelling; their runtime values are the domain's strings. */
export enum LoginNamePolicyEnum {
  AS_SENT = 'asSent',
  LOCAL_PART = 'localPart',
}
registerEnumType(LoginNamePolicyEnum, {
  name: 'LoginNamePolicy',
  description: POLICY.loginName,
  valuesConfig: {
    AS_SENT: { description: 'Keep userName as the identity provider sent it.' },
    LOCAL_PART: { description: 'Use the part before "@" as the login name.' },
  },
});

export enum LoginNameCollisionEnum {
  REJECT = 'reject',
  SUFFIX = 'suffix',
}
registerEnumType(LoginNameCollisionEnum, {
  name: 'LoginNameCollision',
  description: POLICY.onLoginNameCollision,
  valuesConfig: {
    REJECT: { description: 'Refuse the user with a conflict (SCIM 409, GraphQL CONFLICT).' },
    SUFFIX: { description: 'Add the first free numeric suffix, jdoe1 to jdoe4, then a random one such as jdoe-3f9a1c.' },
  },
});

export enum MatchByEnum {
  USER_NAME = 'userName',
  PRIMARY_EMAIL = 'primaryEmail',
  ANY_EMAIL = 'anyEmail',
}
registerEnumType(MatchByEnum, {
  name: 'MatchBy',
  description: 'A way a SCIM create recognises a user already present.',
  valuesConfig: {
    USER_NAME: { description: 'The same userName, compared case-insensitively.' },
    PRIMARY_EMAIL: { description: 'The same primary e-mail address.' },
    ANY_EMAIL: { description: 'Any e-mail address in common.' },
  },
});

export enum OnDeletePolicyEnum {
  DELETE = 'delete',
  DEACTIVATE = 'deactivate',
}
registerEnumType(OnDeletePolicyEnum, {
  name: 'OnDeletePolicy',
  description: POLICY.onDelete,
  valuesConfig: {
    DELETE: { description: 'Delete the user and its group memberships (what Entra ID means by a hard delete).' },
    DEACTIVATE: { description: 'Deprovision: the user stays, inactive with its attributes and memberships, and the next SCIM create of that person brings back the same id.' },
  },
});

@ObjectType('ProvisioningPolicies', { simpleResolvers: true, description: 'How a connection provisions: how login names are derived from userName, which existing users a SCIM create may adopt, and what a SCIM delete does.' })
export class ProvisioningPoliciesType {
  @Field(() => LoginNamePolicyEnum, { description: POLICY.loginName }) loginName!: LoginNamePolicyEnum;
  @Field(() => LoginNameCollisionEnum, { description: POLICY.onLoginNameCollision }) onLoginNameCollision!: LoginNameCollisionEnum;
  @Field(() => [MatchByEnum], { description: POLICY.matchBy }) matchBy!: MatchByEnum[];
  @Field(() => OnDeletePolicyEnum, { description: POLICY.onDelete }) onDelete!: OnDeletePolicyEnum;
}

/** A SCIM connection. Its token is never readable: it is shown once, on create and rotate. */
@ObjectType('ScimConnection', { simpleResolvers: true,
  implements: NodeInterface,
  description: 'A source that provisions users and groups into a tenant over SCIM, such as one Entra ID enterprise application, with its own bearer token and policies.',
})
export class ScimConnectionType extends NodeInterface {
  @Field(() => ID, { description: RESOURCE.tenantId }) tenantId!: string;
  @Field(() => String, { description: NAME.connection }) name!: string;
  @Field(() => ProvisioningPoliciesType, { description: 'How this connection provisions.' }) policies!: ProvisioningPoliciesType;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.createdAt }) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the token was last replaced; null if never.' }) rotatedAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the identity provider last called with this connection\'s token, to within a minute; null if never.' })
  lastUsedAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When an admin paused the connection; while paused its token gets 401 and nothing else changes. Null while it works.' })
  pausedAt!: Date | null;
}
