import { Field, ID, InputType, Int, ObjectType, type ClassType } from 'type-graphql';
import { NotFoundError } from '../../domain/errors.js';
import type { Ctx } from '../../domain/context.js';
import type { Located } from '../../domain/ports.js';
import type { GraphQLContext } from '../context.js';
import { MUTATION, RESOURCE } from './docs.js';

/** `CreateUser` → `createUser`: the mutation a payload or input type belongs to. */
const mutationOf = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** `<Name>Payload { <field>: <Type>! }`: every mutation answers with a payload of its own. */
export function payloadType(name: string, field: string, type: () => ClassType, description: string) {
  @ObjectType(`${name}Payload`, { description: MUTATION.payload(mutationOf(name)) })
  class Payload {}
  Field(type, { description })(Payload.prototype, field);
  return Payload;
}

/** `<Name>Payload { deletedId: ID! }` */
export function deletedPayloadType(name: string) {
  @ObjectType(`${name}Payload`, { description: MUTATION.payload(mutationOf(name)) })
  class Payload {
    @Field(() => ID, { description: MUTATION.deletedId })
    deletedId!: string;
  }
  return Payload;
}

/** `<Name>Input { id: ID!, ifVersion: Int }`: a mutation that only names its target, a `what`. */
export function refInputType(name: string, opts: { what: string; ifVersion: boolean }) {
  @InputType(`${name}Input`, { description: `Names the ${opts.what} that \`${mutationOf(name)}\` acts on.` })
  class Ref {
    @Field(() => ID, { description: MUTATION.idOf(opts.what) })
    id!: string;
    ifVersion?: number | null;
  }
  if (opts.ifVersion) {
    Field(() => Int, { nullable: true, description: RESOURCE.ifVersion })(Ref.prototype, 'ifVersion');
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
