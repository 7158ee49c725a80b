import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { AUDIT } from '../shared/docs.js';
import { connectionTypes } from '../shared/relay.js';

export enum ActorTypeEnum {
  CONNECTION = 'connection',
  API_KEY = 'apiKey',
  SYSTEM = 'system',
}
registerEnumType(ActorTypeEnum, {
  name: 'ActorType',
  description: AUDIT.actorType,
  valuesConfig: {
    CONNECTION: { description: 'A SCIM connection: an identity provider provisioning.' },
    API_KEY: { description: 'An API key of this API: an admin or an admin tool.' },
    SYSTEM: { description: 'Roster itself, e.g. the command line or start-up.' },
  },
});

export enum AuditOutcomeEnum {
  SUCCESS = 'success',
  FAILURE = 'failure',
}
registerEnumType(AuditOutcomeEnum, {
  name: 'AuditOutcome',
  description: 'Whether the change was made.',
  valuesConfig: {
    SUCCESS: { description: 'The change was made, in the same transaction as this event.' },
    FAILURE: { description: 'The change was refused (invalid, conflicting or not allowed) and nothing changed.' },
  },
});

@ObjectType('AuditEvent', { simpleResolvers: true, description: 'One entry of the audit log: a change, written in the same transaction as the change itself, or a refused SCIM change.' })
export class AuditEventType {
  @Field(() => ID, { description: 'Unique id of the event; ids are time-ordered.' }) id!: string;
  @Field(() => GraphQLDateTimeISO, { description: 'When it happened.' }) occurredAt!: Date;
  @Field(() => ActorTypeEnum, { description: AUDIT.actorType }) actorType!: ActorTypeEnum;
  @Field(() => ID, { nullable: true, description: AUDIT.actorId }) actorId!: string | null;
  @Field(() => String, { description: AUDIT.action }) action!: string;
  @Field(() => String, { description: AUDIT.resourceType }) resourceType!: string;
  @Field(() => ID, { description: AUDIT.resourceId }) resourceId!: string;
  @Field(() => [String], { description: 'Names of the attributes that changed, never their values (they may be personal data).' }) changes!: string[];
  @Field(() => String, { nullable: true, description: 'The id of the request that made the change (its X-Request-Id), to find it in the logs.' })
  requestId!: string | null;
  @Field(() => AuditOutcomeEnum, { description: 'Whether the change was made.' }) outcome!: AuditOutcomeEnum;
  @Field(() => String, { nullable: true, description: 'For a failure: a stable code such as CONFLICT, INVALID_VALUE, INVALID_PATH or NOT_FOUND; null for a success.' })
  errorCode!: string | null;
  @Field(() => String, { nullable: true, description: 'For a failure: what was wrong and, when known, the attribute at fault; never a value of the request. Null for a success.' })
  errorDetail!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'For a refused SCIM user create: the userName it was for, the one request value the log keeps, so an admin can tell whose provisioning failed. Null otherwise.',
  })
  userName!: string | null;
}

export const AuditEventConnectionType = connectionTypes('AuditEvent', () => AuditEventType, { totalCount: true, item: 'audit event', items: 'audit events, newest first' });

@InputType('AuditEventFilter', { description: 'Which audit events to list: every field given must match exactly; times bound the range.' })
export class AuditEventFilterInput {
  @Field(() => String, { nullable: true, description: AUDIT.resourceType }) resourceType?: string | null;
  @Field(() => ID, { nullable: true, description: AUDIT.resourceId }) resourceId?: string | null;
  @Field(() => ActorTypeEnum, { nullable: true, description: AUDIT.actorType }) actorType?: ActorTypeEnum | null;
  @Field(() => ID, { nullable: true, description: AUDIT.actorId }) actorId?: string | null;
  @Field(() => String, { nullable: true, description: AUDIT.action }) action?: string | null;
  @Field(() => ID, { nullable: true, description: 'Events of this SCIM connection: what one identity provider did (the same as actorType CONNECTION with its id as actorId).' })
  connectionId?: string | null;
  @Field(() => AuditOutcomeEnum, { nullable: true, description: 'Only successes, or only failures (refused SCIM writes).' }) outcome?: AuditOutcomeEnum | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'Events at or after this time.' }) from?: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'Events at or before this time.' }) to?: Date | null;
}
