import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RESOURCE } from '../shared/docs.js';
import { connectionTypes } from '../shared/relay.js';

export enum DeliveryStatusEnum {
  PENDING = 'pending',
  DELIVERED = 'delivered',
  FAILED = 'failed',
}
registerEnumType(DeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not taken yet: waiting for its turn, for its next attempt, or for the endpoint to be enabled.' },
    DELIVERED: { description: 'The endpoint answered an attempt with a 2xx status.' },
    FAILED: { description: 'Given up: every attempt failed for the whole retry period, or the endpoint was disabled for failing.' },
  },
});

export enum DisabledReasonEnum {
  MANUAL = 'manual',
  FAILING = 'failing',
}
registerEnumType(DisabledReasonEnum, {
  name: 'WebhookDisabledReason',
  description: 'Why a webhook endpoint is disabled.',
  valuesConfig: {
    MANUAL: { description: 'An admin disabled it; its pending deliveries wait until it is enabled.' },
    FAILING: { description: 'Its deliveries failed for the whole retry period; they were given up.' },
  },
});

/** The secret is never a field: it is shown once, by create and rotate. */
@ObjectType('WebhookEndpoint', { simpleResolvers: true, description: 'A URL that change events of a tenant are POSTed to, signed as the Standard Webhooks specification says.' })
export class WebhookEndpointType {
  @Field(() => ID, { description: 'Unique id of the endpoint.' }) id!: string;
  @Field(() => ID, { description: RESOURCE.tenantId }) tenantId!: string;
  @Field(() => String, { description: 'Where events are POSTed: https, or http to a private network when the operator allows it.' }) url!: string;
  @Field(() => [String], { description: 'The event types delivered to it, such as `user.created`.' }) events!: string[];
  @Field(() => String, { nullable: true, description: 'What the endpoint is for, in the admins\' words.' }) description!: string | null;
  @Field(() => Boolean, { description: 'Whether events are delivered to it now.' }) enabled!: boolean;
  @Field(() => DisabledReasonEnum, { nullable: true, description: 'Why it is disabled; null while it is enabled.' }) disabledReason!: DisabledReasonEnum | null;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.createdAt }) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.updatedAt }) updatedAt!: Date;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the signing secret was last replaced; null if never.' }) secretRotatedAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, {
    nullable: true,
    description: 'Until when deliveries are also signed with the secret the last rotation replaced; null when they are not (never rotated, rotated without overlap, or the overlap has ended).',
  })
  previousSecretExpiresAt!: Date | null;
}

@ObjectType('WebhookDelivery', { simpleResolvers: true, description: 'One event on its way to one endpoint, and what its attempts gave.' })
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'Unique id of the delivery; pass it to `redeliverWebhook`.' }) id!: string;
  @Field(() => ID, { description: 'Id of the endpoint.' }) endpointId!: string;
  @Field(() => ID, { description: 'Id of the event; sent as the `webhook-id` header, the same on every attempt.' }) eventId!: string;
  @Field(() => String, { description: 'Type of the event, such as `user.created`.' }) eventType!: string;
  @Field(() => DeliveryStatusEnum, { description: 'Where the delivery stands.' }) status!: DeliveryStatusEnum;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts!: number;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last answer; null when the endpoint did not answer (refused, timed out) or nothing was attempted yet.' })
  lastStatusCode!: number | null;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, in a few words; never the response body.' }) lastError!: string | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the last attempt ended.' }) lastAttemptAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the next attempt is due; null once delivered or given up.' }) nextAttemptAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When an attempt was taken.' }) deliveredAt!: Date | null;
  @Field(() => GraphQLDateTimeISO, { description: 'When the delivery was queued.' }) createdAt!: Date;
}

export const WebhookDeliveryConnectionType = connectionTypes('WebhookDelivery', () => WebhookDeliveryType, {
  totalCount: false,
  item: 'webhook delivery',
  items: 'webhook deliveries, newest first',
});
