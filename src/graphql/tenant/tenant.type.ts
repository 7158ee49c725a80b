import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { NAME, RESOURCE } from '../shared/docs.js';
import { NodeInterface } from '../shared/relay.js';

@ObjectType('Tenant', { simpleResolvers: true, implements: NodeInterface, description: 'Everything in Roster belongs to exactly one tenant.' })
export class TenantType extends NodeInterface {
  @Field(() => String, { description: NAME.tenant }) name!: string;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.createdAt }) createdAt!: Date;
  @Field(() => GraphQLDateTimeISO, { description: RESOURCE.updatedAt }) updatedAt!: Date;
}
