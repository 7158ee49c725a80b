import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { NAME, RESOURCE } from '../shared/docs.js';

export enum ApiKeyRoleEnum {
  ADMIN = 'admin',
  READ_ONLY = 'readOnly',
}
registerEnumType(ApiKeyRoleEnum, {
  name: 'ApiKeyRole',
  description: 'What an API key may do.',
  valuesConfig: {
    ADMIN: { description: 'Queries and mutations.' },
    READ_ONLY: { description: 'Queries only; every mutation answers FORBIDDEN.' },
  },
});

/** An admin credential for this API. Its secret is never readable: it is shown once, on create. */
@ObjectType('ApiKey', { simpleResolvers: true,
  description: 'A credential for this API, sent as "Authorization: Bearer <secret>". Only its hash is stored: the secret is shown once, by `createApiKey`.',
})
export class ApiKeyType {
  @Field(() => ID, { description: 'Unique id of the key (not its secret).' }) id!: string;
  @Field(() => ID, { nullable: true, description: 'The tenant the key acts on; null for a platform key, which may act on every tenant.' })
  tenantId!: string | null;
  @Field(() => String, { description: NAME.apiKey }) name!: string;
  @Field(() => ApiKeyRoleEnum, { description: 'What the key may do.' }) role!: ApiKeyRoleEnum;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.createdAt }) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the key last authenticated a request, to within a minute; null if never.' })
  lastUsedAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the key was revoked; from then on it authenticates nothing. Null while it works.' })
  revokedAt!: Date | null;
}
