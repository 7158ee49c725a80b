import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum ApiKeyRoleEnum {
  ADMIN = 'admin',
  READ_ONLY = 'readOnly',
}
registerEnumType(ApiKeyRoleEnum, { name: 'ApiKeyRole' });

/** An admin credential for this API. Its secret is never readable: it is shown once, on create. */
@ObjectType('ApiKey')
export class ApiKeyType {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'null for a platform key, which may act on every tenant.' })
  tenantId!: string | null;
  @Field(() => String) name!: string;
  @Field(() => ApiKeyRoleEnum) role!: ApiKeyRoleEnum;
  @Field(() => GraphQLDateTimeISO) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true }) revokedAt!: Date | null;
}
