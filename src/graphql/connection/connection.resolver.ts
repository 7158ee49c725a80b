import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { ProvisioningPolicies, ScimConnection } from '../../domain/connection/connection.js';
import type { GraphQLContext } from '../context.js';
import { MUTATION, NAME, POLICY, RESOURCE } from '../shared/docs.js';
import { deletedPayloadType, payloadType, refInputType, scopeOf } from '../shared/payload.js';
import { LoginNameCollisionEnum, LoginNamePolicyEnum, MatchByEnum, OnDeletePolicyEnum, ScimConnectionType } from './connection.type.js';

@InputType('ProvisioningPoliciesInput', { description: 'Policies left out keep their current (or default) value.' })
class ProvisioningPoliciesInput {
  @Field(() => LoginNamePolicyEnum, { nullable: true, description: `${POLICY.loginName} Default AS_SENT.` }) loginName?: LoginNamePolicyEnum | null;
  @Field(() => LoginNameCollisionEnum, { nullable: true, description: `${POLICY.onLoginNameCollision} Default SUFFIX.` }) onLoginNameCollision?: LoginNameCollisionEnum | null;
  @Field(() => [MatchByEnum], { nullable: true, description: `${POLICY.matchBy} Default: none.` }) matchBy?: MatchByEnum[] | null;
  @Field(() => OnDeletePolicyEnum, { nullable: true, description: `${POLICY.onDelete} Default DELETE.` }) onDelete?: OnDeletePolicyEnum | null;
}

@InputType('CreateScimConnectionInput', { description: 'A new SCIM connection.' })
class CreateScimConnectionInput {
  @Field(() => ID, { description: RESOURCE.tenantOf('connection') }) tenantId!: string;
  @Field(() => String, { description: NAME.connection }) name!: string;
  @Field(() => ProvisioningPoliciesInput, { nullable: true, description: 'How the connection provisions; the defaults when left out.' }) policies?: ProvisioningPoliciesInput | null;
}

@InputType('UpdateScimConnectionInput', { description: 'Changes to a SCIM connection; fields left out stay as they are.' })
class UpdateScimConnectionInput {
  @Field(() => ID, { description: MUTATION.idOf('connection') }) id!: string;
  @Field(() => String, { nullable: true, description: NAME.connection }) name?: string | null;
  @Field(() => ProvisioningPoliciesInput, { nullable: true, description: 'Policies to change; they apply to the next SCIM request.' }) policies?: ProvisioningPoliciesInput | null;
}

/** Create and rotate answer with the bearer token for the identity provider: the only time it is shown. */
@ObjectType('CreateScimConnectionPayload', { description: MUTATION.payload('createScimConnection') })
class CreateScimConnectionPayload {
  @Field(() => ScimConnectionType, { description: 'The new connection.' }) connection!: ScimConnection;
  @Field(() => String, { description: 'The SCIM bearer token. Shown once; Roster keeps only its hash.' }) token!: string;
}

@ObjectType('RotateScimConnectionTokenPayload', { description: MUTATION.payload('rotateScimConnectionToken') })
class RotateScimConnectionTokenPayload {
  @Field(() => ScimConnectionType, { description: 'The connection, with its new rotatedAt.' }) connection!: ScimConnection;
  @Field(() => String, { description: 'The new SCIM bearer token. Shown once; the old token stopped working.' }) token!: string;
}

const UpdateScimConnectionPayload = payloadType('UpdateScimConnection', 'connection', () => ScimConnectionType, 'The connection after the change.');
const DeleteScimConnectionPayload = deletedPayloadType('DeleteScimConnection');
const RotateScimConnectionTokenInput = refInputType('RotateScimConnectionToken', { what: 'SCIM connection', ifVersion: false });
const DeleteScimConnectionInput = refInputType('DeleteScimConnection', { what: 'SCIM connection', ifVersion: false });
const PauseScimConnectionInput = refInputType('PauseScimConnection', { what: 'SCIM connection', ifVersion: false });
const ResumeScimConnectionInput = refInputType('ResumeScimConnection', { what: 'SCIM connection', ifVersion: false });
const PauseScimConnectionPayload = payloadType('PauseScimConnection', 'connection', () => ScimConnectionType, 'The connection, paused.');
const ResumeScimConnectionPayload = payloadType('ResumeScimConnection', 'connection', () => ScimConnectionType, 'The connection, working again.');

function policies(input: ProvisioningPoliciesInput | null | undefined): Partial<ProvisioningPolicies> | null {
  if (!input) return null;
  return {
    ...(input.loginName != null ? { loginName: input.loginName } : {}),
    ...(input.onLoginNameCollision != null ? { onLoginNameCollision: input.onLoginNameCollision } : {}),
    ...(input.matchBy != null ? { matchBy: input.matchBy } : {}),
    ...(input.onDelete != null ? { onDelete: input.onDelete } : {}),
  };
}

@Resolver(() => ScimConnectionType)
export class ScimConnectionResolver {
  @Mutation(() => CreateScimConnectionPayload, {
    description: 'Makes a SCIM connection for an identity provider and shows its bearer token, once: copy it into the identity provider with the tenant URL.',
  })
  createScimConnection(@Arg('input', () => CreateScimConnectionInput, { description: MUTATION.input }) input: CreateScimConnectionInput, @Ctx() c: GraphQLContext): Promise<{ connection: ScimConnection; token: string }> {
    return c.services.connections.create(c.ctxFor(input.tenantId), input.name, policies(input.policies));
  }

  @Mutation(() => RotateScimConnectionTokenPayload, { description: 'Replaces the connection\'s bearer token; the old one stops working at once.' })
  async rotateScimConnectionToken(
    @Arg('input', () => RotateScimConnectionTokenInput, { description: MUTATION.input }) input: InstanceType<typeof RotateScimConnectionTokenInput>,
    @Ctx() c: GraphQLContext,
  ): Promise<{ connection: ScimConnection; token: string }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    return c.services.connections.rotate(ctx, input.id);
  }

  @Mutation(() => UpdateScimConnectionPayload, { description: 'Renames the connection or changes its provisioning policies.' })
  async updateScimConnection(@Arg('input', () => UpdateScimConnectionInput, { description: MUTATION.input }) input: UpdateScimConnectionInput, @Ctx() c: GraphQLContext): Promise<{ connection: ScimConnection }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    return { connection: await c.services.connections.update(ctx, input.id, { name: input.name, policies: policies(input.policies) }) };
  }

  @Mutation(() => PauseScimConnectionPayload, {
    description: 'Pauses the connection: its token gets 401 with a detail saying so until it is resumed. Its token, policies, users and groups stay as they are. Pausing a paused connection changes nothing.',
  })
  async pauseScimConnection(
    @Arg('input', () => PauseScimConnectionInput, { description: MUTATION.input }) input: InstanceType<typeof PauseScimConnectionInput>,
    @Ctx() c: GraphQLContext,
  ): Promise<{ connection: ScimConnection }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    return { connection: await c.services.connections.pause(ctx, input.id) };
  }

  @Mutation(() => ResumeScimConnectionPayload, { description: 'Resumes a paused connection: its token works again. Resuming a connection that is not paused changes nothing.' })
  async resumeScimConnection(
    @Arg('input', () => ResumeScimConnectionInput, { description: MUTATION.input }) input: InstanceType<typeof ResumeScimConnectionInput>,
    @Ctx() c: GraphQLContext,
  ): Promise<{ connection: ScimConnection }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    return { connection: await c.services.connections.resume(ctx, input.id) };
  }

  @Mutation(() => DeleteScimConnectionPayload, { description: 'Deletes the connection; the users and groups it managed stay, released.' })
  async deleteScimConnection(@Arg('input', () => DeleteScimConnectionInput, { description: MUTATION.input }) input: InstanceType<typeof DeleteScimConnectionInput>, @Ctx() c: GraphQLContext): Promise<{ deletedId: string }> {
    const ctx = await scopeOf(c, input.id, 'ScimConnection');
    await c.services.connections.delete(ctx, input.id);
    return { deletedId: input.id };
  }
}
