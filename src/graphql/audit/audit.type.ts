import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { connectionTypes } from '../shared/relay.js';

export enum ActorTypeEnum {
  CONNECTION = 'connection',
  API_KEY = 'apiKey',
  SYSTEM = 'system',
}
registerEnumType(ActorTypeEnum, { name: 'ActorType' });

export enum AuditOutcomeEnum {
  SUCCESS = 'success',
  FAILURE = 'failure',
}
registerEnumType(AuditOutcomeEnum, { name: 'AuditOutcome' });

@ObjectType('AuditEvent', { description: 'One change, written in the same transaction as the change itself.' })
export class AuditEventType {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLDateTimeISO) occurredAt!: Date;
  @Field(() => ActorTypeEnum) actorType!: ActorTypeEnum;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
  @Field(() => String, { description: 'e.g. user.create, user.update, group.members, connection.rotate' }) action!: string;
  @Field(() => String) resourceType!: string;
  @Field(() => ID) resourceId!: string;
  @Field(() => [String], { description: 'Names of the attributes that changed, never their values.' }) changes!: string[];
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => AuditOutcomeEnum) outcome!: AuditOutcomeEnum;
}

export const AuditEventConnectionType = connectionTypes('AuditEvent', () => AuditEventType, { totalCount: false });

@InputType('AuditEventFilter')
export class AuditEventFilterInput {
  @Field(() => String, { nullable: true, description: 'User, Group, ScimConnection, ApiKey or Tenant' }) resourceType?: string | null;
  @Field(() => ID, { nullable: true }) resourceId?: string | null;
  @Field(() => ActorTypeEnum, { nullable: true }) actorType?: ActorTypeEnum | null;
  @Field(() => ID, { nullable: true }) actorId?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'Events at or after this time.' }) from?: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'Events at or before this time.' }) to?: Date | null;
}
