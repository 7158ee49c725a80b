import { Ctx, Field, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { ApiKey } from '../../domain/apikey/apikey.js';
import type { Tenant } from '../../domain/tenant/tenant.js';
import { ApiKeyType } from '../apikey/apikey.type.js';
import type { GraphQLContext } from '../context.js';
import { TenantType } from '../tenant/tenant.type.js';

@ObjectType('Viewer', { description: 'The caller: the API key making this request.' })
class ViewerType {
  @Field(() => ApiKeyType, { description: 'The key that authenticated this request.' }) apiKey!: ApiKey;
  @Field(() => Boolean, { description: 'Whether the key may act on every tenant.' }) platform!: boolean;
}

interface Viewer {
  readonly apiKey: ApiKey;
  readonly platform: boolean;
}

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType, { description: 'Who is calling: the API key of this request, and what it may reach.' })
  viewer(@Ctx() c: GraphQLContext): Viewer {
    return { apiKey: c.apiKey, platform: c.apiKey.tenantId === null };
  }

  @FieldResolver(() => TenantType, { nullable: true, description: "The key's tenant; null for a platform key." })
  tenant(@Root() v: Viewer, @Ctx() c: GraphQLContext): Promise<Tenant> | null {
    return v.apiKey.tenantId === null ? null : c.services.tenants.get(c.actor, v.apiKey.tenantId);
  }
}
