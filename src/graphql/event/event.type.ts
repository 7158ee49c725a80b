import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { EVENT_TYPES } from '../../domain/event/event.js';
import { ActorTypeEnum } from '../audit/audit.type.js';
import { AUDIT } from '../shared/docs.js';
import { connectionTypes } from '../shared/relay.js';

/** What the change event fields say (docs/architecture.md#change-events). */
export const EVENT = {
  type: `What happened: one of ${EVENT_TYPES.map((t) => `\`${t}\``).join(', ')}.`,
  types: `Only events of these types (${EVENT_TYPES.join(', ')}); absent or empty: every type.`,
  position: 'Where the event stands in the tenant\'s feed. Positions compare as strings; once a reader has seen a position, no event at or before it appears later. Usable as a cursor.',
} as const;

@ObjectType('ChangeEvent', { simpleResolvers: true,
  description: 'A change in a tenant, written in the same transaction as the change: a committed change always has its events, a rolled-back one never does.',
})
export class ChangeEventType {
  @Field(() => ID, { description: 'Unique id of the event, the same wherever it is delivered (feed, webhook, subscription).' }) id!: string;
  @Field(() => String, { description: EVENT.type }) type!: string;
  @Field(() => String, { description: EVENT.position }) position!: string;
  @Field(() => GraphQLDateTimeISO, { description: 'When the change was made.' }) occurredAt!: Date;
  @Field(() => String, { description: 'The type of what changed: User, Group or ScimConnection.' }) resourceType!: string;
  @Field(() => ID, { description: 'Id of what changed.' }) resourceId!: string;
  @Field(() => ActorTypeEnum, { description: AUDIT.actorType }) actorType!: ActorTypeEnum;
  @Field(() => ID, { nullable: true, description: AUDIT.actorId }) actorId!: string | null;
  @Field(() => String, { nullable: true, description: 'The id of the request that made the change (its X-Request-Id), to find it in the logs.' }) requestId!: string | null;
  @Field(() => [String], { description: 'Names of the attributes that changed, never their values.' }) changedAttributes!: string[];
  @Field(() => GraphQLJSONObject, {
    description: 'The resource as this API shows it after the change (relations as ids); for deletes its id and last known names; for membership changes the group with `members`, the members added or removed.',
  })
  data!: Record<string, unknown>;
}

export const ChangeEventConnectionType = connectionTypes('ChangeEvent', () => ChangeEventType, { totalCount: false, item: 'change event', items: 'change events, oldest first' });

@InputType('ChangeEventFilter', { description: 'Which change events to list; every field given narrows the list.' })
export class ChangeEventFilterInput {
  @Field(() => [String], { nullable: true, description: EVENT.types }) types?: string[] | null;
  @Field(() => ID, { nullable: true, description: 'Only events about this user, group or connection.' }) resourceId?: string | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'Only events at or after this time.' }) since?: Date | null;
}
