import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { NodeInterface } from '../shared/relay.js';

@ObjectType('Tenant', { implements: NodeInterface, description: 'Everything in Roster belongs to exactly one tenant.' })
export class TenantType extends NodeInterface {
  @Field(() => String) name!: string;
  @Field(() => GraphQLDateTimeISO) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO) updatedAt!: Date;
}
