import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { ApiKey } from '../../domain/apikey/apikey.js';
import type { GraphQLContext } from '../context.js';
import { payloadType, refInputType } from '../shared/payload.js';
import { ApiKeyRoleEnum, ApiKeyType } from './apikey.type.js';

@InputType('CreateApiKeyInput')
class CreateApiKeyInput {
  @Field(() => ID, { nullable: true, description: 'The tenant the key acts on; null makes a platform key (platform admins only).' })
  tenantId?: string | null;
  @Field(() => String) name!: string;
  @Field(() => ApiKeyRoleEnum) role!: ApiKeyRoleEnum;
}

@ObjectType('CreateApiKeyPayload')
class CreateApiKeyPayload {
  @Field(() => ApiKeyType) apiKey!: ApiKey;
  @Field(() => String, { description: 'The key to send as "Authorization: Bearer <secret>". Shown once; Roster keeps only its hash.' })
  secret!: string;
}

const RevokeApiKeyInput = refInputType('RevokeApiKey', { ifVersion: false });
const RevokeApiKeyPayload = payloadType('RevokeApiKey', 'apiKey', () => ApiKeyType);

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Mutation(() => CreateApiKeyPayload)
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() c: GraphQLContext): Promise<{ apiKey: ApiKey; secret: string }> {
    return c.services.apiKeys.create(c.actor, { tenantId: input.tenantId ?? null, name: input.name, role: input.role }, c.requestId);
  }

  @Mutation(() => RevokeApiKeyPayload, { description: 'The key stops working at once.' })
  async revokeApiKey(@Arg('input', () => RevokeApiKeyInput) input: InstanceType<typeof RevokeApiKeyInput>, @Ctx() c: GraphQLContext): Promise<{ apiKey: ApiKey }> {
    return { apiKey: await c.services.apiKeys.revoke(c.actor, input.id, c.requestId) };
  }
}
