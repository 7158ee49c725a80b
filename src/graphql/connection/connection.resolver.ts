import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { ProvisioningPolicies, ScimConnection } from '../../domain/connection/connection.js';
import type { GraphQLContext } from '../context.js';
import { deletedPayloadType, payloadType, refInputType, scopeOf } from '../shared/payload.js';
import { LoginNameCollisionEnum, LoginNamePolicyEnum, MatchByEnum, ScimConnectionType } from './connection.type.js';

@InputType('ProvisioningPoliciesInput', { description: 'Policies left out keep their current (or default) value.' })
class ProvisioningPoliciesInput {
  @Field(() => LoginNamePolicyEnum, { nullable: true }) loginName?: LoginNamePolicyEnum | null;
  @Field(() => LoginNameCollisionEnum, { nullable: true }) onLoginNameCollision?: LoginNameCollisionEnum | null;
  @Field(() => [MatchByEnum], { nullable: true }) matchBy?: MatchByEnum[] | null;
}

@InputType('CreateScimConnectionInput')
class CreateScimConnectionInput {
  @Field(() => ID) tenantId!: string;
  @Field(() => String) name!: string;
  @Field(() => ProvisioningPoliciesInput, { nullable: true }) policies?: ProvisioningPoliciesInput | null;
}

@InputType('UpdateScimConnectionInput')
class UpdateScimConnectionInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => ProvisioningPoliciesInput, { nullable: true }) policies?: ProvisioningPoliciesInput | null;
}

/** Create and rotate answer with the bearer token for the identity provider: the only time it is shown. */
@ObjectType('CreateScimConnectionPayload')
class CreateScimConnectionPayload {
  @Field(() => ScimConnectionType) connection!: ScimConnection;
  @Field(() => String, { description: 'The SCIM bearer token. Shown once; Roster keeps only its hash.' }) token!: string;
}

@ObjectType('RotateScimConnectionTokenPayload')
class RotateScimConnectionTokenPayload {
  @Field(() => ScimConnectionType) connection!: ScimConnection;
  @Field(() => String, { description: 'The new SCIM bearer token. Shown once; the old token stopped working.' }) token!: string;
}

const UpdateScimConnectionPayload = payloadType('UpdateScimConnection', 'connection', () => ScimConnectionType);
const DeleteScimConnectionPayload = deletedPayloadType('DeleteScimConnection');
const RotateScimConnectionTokenInput = refInputType('RotateScimConnectionToken', { ifVersion: false });
const DeleteScimConnectionInput = refInputType('DeleteScimConnection', { ifVersion: false });

function policies(input: ProvisioningPoliciesInput | null | undefined): Partial<ProvisioningPolicies> | null {
  if (!input) return null;
  return {
    ...(input.loginName != null ? { loginName: input.loginName } : {}),
    ...(input.onLoginNameCollision != null ? { onLoginNameCollision: input.onLoginNameCollision } : {}),
    ...(input.matchBy != null ? { matchBy: input.matchBy } : {}),
  };
}

@Resolver(() => ScimConnectionType)
export class ScimConnectionResolver {
  @Mutation(() => CreateScimConnectionPayload)
  createScimConnection(@Arg('input', () => CreateScimConnectionInput) input: CreateScimConnectionInput, @Ctx() c: GraphQLContext): Promise<{ connection: ScimConnection; token: string }> {
    return c.services.connections.create(c.ctxFor(input.tenantId), input.name, policies(input.policies));
  }

  @Mutation(() => RotateScimConnectionTokenPayload)
  async rotateScimConnectionToken(
    @Arg('input', () => RotateScimConnectionTokenInput) input: InstanceType<typeof RotateScimConnectionTokenInput>,
    @Ctx() c: GraphQLContext,
  ): Promise<{ connection: ScimConnection; token: string }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    return c.services.connections.rotate(ctx, input.id);
  }

  @Mutation(() => UpdateScimConnectionPayload, { description: 'Renames the connection or changes its provisioning policies.' })
  async updateScimConnection(@Arg('input', () => UpdateScimConnectionInput) input: UpdateScimConnectionInput, @Ctx() c: GraphQLContext): Promise<{ connection: ScimConnection }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    return { connection: await c.services.connections.update(ctx, input.id, { name: input.name, policies: policies(input.policies) }) };
  }

  @Mutation(() => DeleteScimConnectionPayload, { description: 'Deletes the connection; the users and groups it managed stay, released.' })
  async deleteScimConnection(@Arg('input', () => DeleteScimConnectionInput) input: InstanceType<typeof DeleteScimConnectionInput>, @Ctx() c: GraphQLContext): Promise<{ deletedId: string }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    await c.services.connections.delete(ctx, input.id);
    return { deletedId: input.id };
  }
}
