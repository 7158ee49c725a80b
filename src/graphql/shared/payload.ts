import { Field, ID, InputType, Int, ObjectType, type ClassType } from 'type-graphql';
import { NotFoundError } from '../../domain/errors.js';
import type { Ctx } from '../../domain/context.js';
import type { Located } from '../../domain/ports.js';
import type { GraphQLContext } from '../context.js';

/** `<Name>Payload { <field>: <Type>! }`: every mutation answers with a payload of its own. */
export function payloadType(name: string, field: string, type: () => ClassType) {
  @ObjectType(`${name}Payload`)
  class Payload {}
  Field(type)(Payload.prototype, field);
  return Payload;
}

/** `<Name>Payload { deletedId: ID! }` */
export function deletedPayloadType(name: string) {
  @ObjectType(`${name}Payload`)
  class Payload {
    @Field(() => ID, { description: 'The id of what was deleted.' })
    deletedId!: string;
  }
  return Payload;
}

/** `<Name>Input { id: ID!, ifVersion: Int }`: a mutation that only names its target. */
export function refInputType(name: string, opts: { ifVersion: boolean }) {
  @InputType(`${name}Input`)
  class Ref {
    @Field(() => ID)
    id!: string;
    ifVersion?: number | null;
  }
  if (opts.ifVersion) {
    Field(() => Int, { nullable: true, description: 'Fail with PRECONDITION_FAILED unless the resource is at this version.' })(Ref.prototype, 'ifVersion');
  }
  return Ref;
}

/**
 * The domain context for acting on a resource named by id alone. A tenant key acts in its own
 * tenant (the domain answers NOT_FOUND for ids elsewhere); a platform key asks the domain which
 * tenant holds the id.
 */
export async function scopeOf(c: GraphQLContext, id: string, type: Located['type']): Promise<Ctx> {
  const a = c.actor;
  if (a.type !== 'system' && a.tenantId !== null) return c.ctxFor(a.tenantId);
  const found = await c.services.tenants.locate(a, id);
  if (!found || found.type !== type) throw new NotFoundError(type, id);
  return c.ctxFor(found.tenantId);
}
