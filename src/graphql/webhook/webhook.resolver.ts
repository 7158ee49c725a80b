import { Arg, Args, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { Ctx as DomainCtx } from '../../domain/context.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Tenant } from '../../domain/tenant/tenant.js';
import { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS, type WebhookDelivery, type WebhookEndpoint } from '../../domain/webhook/webhook.js';
import type { GraphQLContext } from '../context.js';
import { MUTATION, RESOURCE } from '../shared/docs.js';
import { deletedPayloadType, payloadType, refInputType } from '../shared/payload.js';
import { ForwardConnectionArgs, paging, toConnection, type Connection } from '../shared/relay.js';
import { TenantType } from '../tenant/tenant.type.js';
import { WebhookDeliveryConnectionType, WebhookDeliveryType, WebhookEndpointType } from './webhook.type.js';

const EVENTS = 'The event types to deliver, such as `user.created` or `group.members_added`; at least one.';
const URL_DOC = 'Where to POST events: an https URL whose host resolves to public addresses (plain http and private addresses only when the operator allows private networks).';

@InputType('CreateWebhookEndpointInput', { description: 'A new webhook endpoint.' })
class CreateWebhookEndpointInput {
  @Field(() => ID, { description: RESOURCE.tenantOf('endpoint') }) tenantId!: string;
  @Field(() => String, { description: URL_DOC }) url!: string;
  @Field(() => [String], { description: EVENTS }) events!: string[];
  @Field(() => String, { nullable: true, description: 'What the endpoint is for.' }) description?: string | null;
}

@InputType('UpdateWebhookEndpointInput', { description: 'Changes to a webhook endpoint; fields left out stay as they are.' })
class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: MUTATION.idOf('webhook endpoint') }) id!: string;
  @Field(() => String, { nullable: true, description: URL_DOC }) url?: string | null;
  @Field(() => [String], { nullable: true, description: EVENTS }) events?: string[] | null;
  @Field(() => String, { nullable: true, description: 'What the endpoint is for; an empty string clears it.' }) description?: string | null;
}

@InputType('RotateWebhookSecretInput', { description: 'Names the webhook endpoint that `rotateWebhookSecret` acts on, and how long the old secret still signs.' })
class RotateWebhookSecretInput {
  @Field(() => ID, { description: MUTATION.idOf('webhook endpoint') }) id!: string;
  @Field(() => Int, {
    nullable: true,
    description: `Seconds during which each delivery is signed with the new secret and the one it replaces, so the receiver can switch over: ${DEFAULT_SECRET_OVERLAP_SECONDS} (24 hours) when left out, 0 for none (the old secret leaked), at most ${MAX_SECRET_OVERLAP_SECONDS} (7 days).`,
  })
  overlapSeconds?: number | null;
}

@InputType('RedeliverWebhookInput', { description: 'Names the delivery that `redeliverWebhook` sends again.' })
class RedeliverWebhookInput {
  @Field(() => ID, { description: 'Id of the delivery to send again.' }) deliveryId!: string;
}

@ObjectType('CreateWebhookEndpointPayload', { description: MUTATION.payload('createWebhookEndpoint') })
class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpointType, { description: 'The new endpoint.' }) endpoint!: WebhookEndpoint;
  @Field(() => String, { description: 'The signing secret (`whsec_` and base64). Shown once: keep it where the receiver verifies signatures.' }) secret!: string;
}

@ObjectType('RotateWebhookSecretPayload', { description: MUTATION.payload('rotateWebhookSecret') })
class RotateWebhookSecretPayload {
  @Field(() => WebhookEndpointType, { description: 'The endpoint, with its new secretRotatedAt.' }) endpoint!: WebhookEndpoint;
  @Field(() => String, { description: 'The new signing secret, shown once; the next attempt is signed with it (and, during the overlap, with the old one too).' }) secret!: string;
}

const UpdateWebhookEndpointPayload = payloadType('UpdateWebhookEndpoint', 'endpoint', () => WebhookEndpointType, 'The endpoint after the change.');
const EnableWebhookEndpointPayload = payloadType('EnableWebhookEndpoint', 'endpoint', () => WebhookEndpointType, 'The endpoint, enabled.');
const DisableWebhookEndpointPayload = payloadType('DisableWebhookEndpoint', 'endpoint', () => WebhookEndpointType, 'The endpoint, disabled.');
const RedeliverWebhookPayload = payloadType('RedeliverWebhook', 'delivery', () => WebhookDeliveryType, 'The new delivery, queued behind what the endpoint already has.');
const DeleteWebhookEndpointPayload = deletedPayloadType('DeleteWebhookEndpoint');
const EnableWebhookEndpointInput = refInputType('EnableWebhookEndpoint', { what: 'webhook endpoint', ifVersion: false });
const DisableWebhookEndpointInput = refInputType('DisableWebhookEndpoint', { what: 'webhook endpoint', ifVersion: false });
const DeleteWebhookEndpointInput = refInputType('DeleteWebhookEndpoint', { what: 'webhook endpoint', ifVersion: false });

/** The domain context for an endpoint or delivery named by id: the tenant that holds it, if the caller may see it. */
async function scopeOfWebhook(c: GraphQLContext, id: string, kind: 'WebhookEndpoint' | 'WebhookDelivery'): Promise<DomainCtx> {
  const a = c.actor;
  if (a.type !== 'system' && a.tenantId !== null) return c.ctxFor(a.tenantId);
  const tenantId = kind === 'WebhookEndpoint' ? await c.services.webhooks.locateEndpoint(a, id) : await c.services.webhooks.locateDelivery(a, id);
  if (!tenantId) throw new NotFoundError(kind, id);
  return c.ctxFor(tenantId);
}

@Resolver(() => TenantType)
export class TenantWebhooksResolver {
  @FieldResolver(() => [WebhookEndpointType], { description: "The tenant's webhook endpoints, oldest first." })
  webhookEndpoints(@Root() t: Tenant, @Ctx() c: GraphQLContext): Promise<WebhookEndpoint[]> {
    return c.services.webhooks.list(c.ctxFor(t.id));
  }

  @FieldResolver(() => WebhookEndpointType, { nullable: true, description: 'One webhook endpoint of the tenant by id; null when there is none.' })
  async webhookEndpoint(@Root() t: Tenant, @Arg('id', () => ID, { description: MUTATION.idOf('webhook endpoint') }) id: string, @Ctx() c: GraphQLContext): Promise<WebhookEndpoint | null> {
    try {
      return await c.services.webhooks.get(c.ctxFor(t.id), id);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }
}

@Resolver(() => WebhookEndpointType)
export class WebhookEndpointResolver {
  @FieldResolver(() => WebhookDeliveryConnectionType, { description: 'Deliveries to this endpoint, newest first.' })
  async deliveries(@Root() e: WebhookEndpoint, @Args(() => ForwardConnectionArgs) args: ForwardConnectionArgs, @Ctx() c: GraphQLContext): Promise<Connection<WebhookDelivery>> {
    const p = paging(args, c.limits.maxPageSize);
    return toConnection(await c.services.webhooks.deliveries(c.ctxFor(e.tenantId), e.id, { cursor: p.cursor, limit: p.limit }), p);
  }

  @Mutation(() => CreateWebhookEndpointPayload, { description: 'Registers a webhook endpoint and shows its signing secret, once.' })
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput, { description: MUTATION.input }) input: CreateWebhookEndpointInput, @Ctx() c: GraphQLContext): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return c.services.webhooks.create(c.ctxFor(input.tenantId), { url: input.url, events: input.events, description: input.description });
  }

  @Mutation(() => UpdateWebhookEndpointPayload, { description: 'Changes the URL, the event types or the description of a webhook endpoint.' })
  async updateWebhookEndpoint(@Arg('input', () => UpdateWebhookEndpointInput, { description: MUTATION.input }) input: UpdateWebhookEndpointInput, @Ctx() c: GraphQLContext): Promise<{ endpoint: WebhookEndpoint }> {
    const ctx = await scopeOfWebhook(c, input.id, 'WebhookEndpoint');
    return { endpoint: await c.services.webhooks.update(ctx, input.id, { url: input.url, events: input.events, description: input.description }) };
  }

  @Mutation(() => DisableWebhookEndpointPayload, { description: 'Stops deliveries to the endpoint; what is pending waits, in order, until it is enabled.' })
  async disableWebhookEndpoint(@Arg('input', () => DisableWebhookEndpointInput, { description: MUTATION.input }) input: InstanceType<typeof DisableWebhookEndpointInput>, @Ctx() c: GraphQLContext): Promise<{ endpoint: WebhookEndpoint }> {
    const ctx = await scopeOfWebhook(c, input.id, 'WebhookEndpoint');
    return { endpoint: await c.services.webhooks.disable(ctx, input.id) };
  }

  @Mutation(() => EnableWebhookEndpointPayload, { description: 'Resumes deliveries to the endpoint (its URL is checked again).' })
  async enableWebhookEndpoint(@Arg('input', () => EnableWebhookEndpointInput, { description: MUTATION.input }) input: InstanceType<typeof EnableWebhookEndpointInput>, @Ctx() c: GraphQLContext): Promise<{ endpoint: WebhookEndpoint }> {
    const ctx = await scopeOfWebhook(c, input.id, 'WebhookEndpoint');
    return { endpoint: await c.services.webhooks.enable(ctx, input.id) };
  }

  @Mutation(() => DeleteWebhookEndpointPayload, { description: 'Deletes the endpoint and its deliveries.' })
  async deleteWebhookEndpoint(@Arg('input', () => DeleteWebhookEndpointInput, { description: MUTATION.input }) input: InstanceType<typeof DeleteWebhookEndpointInput>, @Ctx() c: GraphQLContext): Promise<{ deletedId: string }> {
    const ctx = await scopeOfWebhook(c, input.id, 'WebhookEndpoint');
    await c.services.webhooks.delete(ctx, input.id);
    return { deletedId: input.id };
  }

  @Mutation(() => RotateWebhookSecretPayload, {
    description: 'Replaces the signing secret and shows the new one, once. Attempts are signed with the new secret and, for the overlap (24 hours unless `overlapSeconds` says otherwise), with the old one too, as two signatures in `webhook-signature`.',
  })
  async rotateWebhookSecret(@Arg('input', () => RotateWebhookSecretInput, { description: MUTATION.input }) input: RotateWebhookSecretInput, @Ctx() c: GraphQLContext): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const ctx = await scopeOfWebhook(c, input.id, 'WebhookEndpoint');
    return c.services.webhooks.rotateSecret(ctx, input.id, { overlapSeconds: input.overlapSeconds });
  }

  @Mutation(() => RedeliverWebhookPayload, { description: 'Sends a delivery\'s event to its endpoint again, with the same webhook-id, behind what is already queued there.' })
  async redeliverWebhook(@Arg('input', () => RedeliverWebhookInput, { description: MUTATION.input }) input: RedeliverWebhookInput, @Ctx() c: GraphQLContext): Promise<{ delivery: WebhookDelivery }> {
    const ctx = await scopeOfWebhook(c, input.deliveryId, 'WebhookDelivery');
    return { delivery: await c.services.webhooks.redeliver(ctx, input.deliveryId) };
  }
}
