import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { ApiKey } from '../../domain/apikey/apikey.js';
import type { GraphQLContext } from '../context.js';
import { MUTATION, NAME } from '../shared/docs.js';
import { payloadType, refInputType } from '../shared/payload.js';
import { ApiKeyRoleEnum, ApiKeyType } from './apikey.type.js';

@InputType('CreateApiKeyInput', { description: 'A new API key.' })
class CreateApiKeyInput {
  @Field(() => ID, { nullable: true, description: 'The tenant the key acts on; null makes a platform key (platform admins only).' })
  tenantId?: string | null;
  @Field(() => String, { description: NAME.apiKey }) name!: string;
  @Field(() => ApiKeyRoleEnum, { description: 'What the key may do.' }) role!: ApiKeyRoleEnum;
}

@ObjectType('CreateApiKeyPayload', { description: MUTATION.payload('createApiKey') })
class CreateApiKeyPayload {
  @Field(() => ApiKeyType, { description: 'The new key.' }) apiKey!: ApiKey;
  @Field(() => String, { description: 'The key to send as "Authorization: Bearer <secret>". Shown once; Roster keeps only its hash.' })
  secret!: string;
}

const RevokeApiKeyInput = refInputType('RevokeApiKey', { what: 'API key', ifVersion: false });
const RevokeApiKeyPayload = payloadType('RevokeApiKey', 'apiKey', () => ApiKeyType, 'The revoked key.');

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Mutation(() => CreateApiKeyPayload, { description: 'Makes an API key and shows its secret, once. A tenant admin key makes keys for its own tenant only.' })
  createApiKey(@Arg('input', () => CreateApiKeyInput, { description: MUTATION.input }) input: CreateApiKeyInput, @Ctx() c: GraphQLContext): Promise<{ apiKey: ApiKey; secret: string }> {
    return c.services.apiKeys.create(c.actor, { tenantId: input.tenantId ?? null, name: input.name, role: input.role }, c.requestId);
  }

  @Mutation(() => RevokeApiKeyPayload, { description: 'The key stops working at once.' })
  async revokeApiKey(@Arg('input', () => RevokeApiKeyInput, { description: MUTATION.input }) input: InstanceType<typeof RevokeApiKeyInput>, @Ctx() c: GraphQLContext): Promise<{ apiKey: ApiKey }> {
    return { apiKey: await c.services.apiKeys.revoke(c.actor, input.id, c.requestId) };
  }
}
