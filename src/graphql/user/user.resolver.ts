import { Arg, Ctx, FieldResolver, InputType, Field, ID, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { address, emptyProfile, managerIdOf, multiValue, VALUE_ATTRIBUTES, type Enterprise, type User, type UserProfile } from '../../domain/user/user.js';
import type { ScimConnection } from '../../domain/connection/connection.js';
import type { Group } from '../../domain/group/group.js';
import { ScimConnectionType } from '../connection/connection.type.js';
import type { GraphQLContext } from '../context.js';
import { GroupType } from '../group/group.type.js';
import { NodeInterface } from '../shared/relay.js';
import { MUTATION, RESOURCE, USER } from '../shared/docs.js';
import { deletedPayloadType, payloadType, refInputType, scopeOf } from '../shared/payload.js';
import { CreateUserInput, UpdateUserInput, type AddressInput, type MultiValueInput, type UserProfileFields } from './user.input.js';
import { EnterpriseUserType, UserType } from './user.type.js';

const CreateUserPayload = payloadType('CreateUser', 'user', () => UserType, 'The new user.');
const UpdateUserPayload = payloadType('UpdateUser', 'user', () => UserType, 'The user after the change.');
const DeactivateUserPayload = payloadType('DeactivateUser', 'user', () => UserType, 'The user, now inactive.');
const ReactivateUserPayload = payloadType('ReactivateUser', 'user', () => UserType, 'The user, active again.');
const DeleteUserPayload = deletedPayloadType('DeleteUser');
const DeactivateUserInput = refInputType('DeactivateUser', { what: 'user', ifVersion: true });
const ReactivateUserInput = refInputType('ReactivateUser', { what: 'user', ifVersion: true });
const DeleteUserInput = refInputType('DeleteUser', { what: 'user', ifVersion: true });

@InputType('ReleaseFromScimInput', { description: 'Names the user or group to release.' })
class ReleaseFromScimInput {
  @Field(() => ID, { description: 'A user or group managed by a SCIM connection.' })
  id!: string;
}

@ObjectType('ReleaseFromScimPayload', { description: MUTATION.payload('releaseFromScim') })
class ReleaseFromScimPayload {
  @Field(() => NodeInterface, { description: 'The released user or group.' })
  node!: User | Group;
}

const OPTIONAL_STRINGS = ['externalId', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'] as const;

/** Absent keeps the current value; null resets it. */
const keep = <T>(v: T | null | undefined, current: T, reset: T): T => (v === undefined ? current : v === null ? reset : v);

/** Merges a nested input field by field; null clears every field. */
function merge<T extends object>(cur: T, patch: object | null | undefined): T {
  if (patch === undefined) return cur;
  if (patch === null) return Object.fromEntries(Object.keys(cur).map((k) => [k, null])) as T;
  const out: Record<string, unknown> = { ...(cur as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined && k in cur) out[k] = v;
  return out as T;
}

/**
 * Applies the profile fields of an input to a profile: absent keeps, null clears, `name` and
 * `enterprise` merge field by field, lists replace the whole list. The domain validates the result.
 */
export function applyProfile(base: UserProfile, input: UserProfileFields & { userName?: string | null; active?: boolean | null }): UserProfile {
  const next: Record<string, unknown> = {
    ...base,
    userName: keep(input.userName, base.userName, ''),
    active: keep(input.active, base.active, base.active),
    name: merge(base.name, input.name),
    enterprise: merge(base.enterprise, input.enterprise),
    addresses: input.addresses === undefined ? base.addresses : (input.addresses ?? []).map((a: AddressInput) => address(a)),
    extensions: keep(input.extensions, base.extensions, {}),
  };
  for (const k of OPTIONAL_STRINGS) next[k] = keep(input[k], base[k], null);
  for (const k of VALUE_ATTRIBUTES) next[k] = input[k] === undefined ? base[k] : (input[k] ?? []).map((v: MultiValueInput) => multiValue(v));
  return next as unknown as UserProfile;
}

@Resolver(() => UserType)
export class UserResolver {
  @FieldResolver(() => EnterpriseUserType, { description: USER.enterprise })
  enterprise(@Root() user: User): Enterprise & { tenantId: string } {
    // The tenant travels along so `manager` can be loaded in the user's tenant.
    return { ...user.enterprise, tenantId: user.tenantId };
  }

  @FieldResolver(() => ScimConnectionType, { nullable: true, description: RESOURCE.managedByConnection })
  managedByConnection(@Root() user: User, @Ctx() c: GraphQLContext): ScimConnection | null | Promise<ScimConnection | null> {
    return user.managedBy ? c.loaders(user.tenantId).connection.get(user.managedBy) : null;
  }

  @FieldResolver(() => [GroupType], { description: 'Groups the user belongs to: directly, or also through nested groups (cycle-safe).' })
  groups(
    @Root() user: User,
    @Arg('transitive', () => Boolean, { defaultValue: false, description: 'false: only the groups the user is directly in; true: also the groups those are in, and so on.' }) transitive: boolean,
    @Ctx() c: GraphQLContext,
  ): Group[] | Promise<Group[]> {
    const l = c.loaders(user.tenantId);
    return (transitive ? l.groupsOfTransitive : l.groupsOf).get(user.id);
  }

  @Mutation(() => CreateUserPayload, { description: 'Makes a user, managed by admins. A taken userName answers CONFLICT.' })
  async createUser(@Arg('input', () => CreateUserInput, { description: MUTATION.input }) input: CreateUserInput, @Ctx() c: GraphQLContext): Promise<{ user: User }> {
    const profile = applyProfile(emptyProfile(input.userName), input);
    const { user } = await c.services.users.create(c.ctxFor(input.tenantId), profile);
    return { user };
  }

  @Mutation(() => UpdateUserPayload, { description: 'Changes the fields given; users managed by SCIM answer MANAGED_BY_SCIM.' })
  async updateUser(@Arg('input', () => UpdateUserInput, { description: MUTATION.input }) input: UpdateUserInput, @Ctx() c: GraphQLContext): Promise<{ user: User }> {
    const ctx = await scopeOf(c, input.id, 'User');
    const user = await c.services.users.update(ctx, input.id, (current) => applyProfile(current, input), { ifVersion: input.ifVersion });
    return { user };
  }

  @Mutation(() => DeactivateUserPayload, { description: 'Keeps the user, its attributes and memberships; it can no longer sign in.' })
  async deactivateUser(@Arg('input', () => DeactivateUserInput, { description: MUTATION.input }) input: InstanceType<typeof DeactivateUserInput>, @Ctx() c: GraphQLContext): Promise<{ user: User }> {
    const ctx = await scopeOf(c, input.id, 'User');
    return { user: await c.services.users.setActive(ctx, input.id, false, { ifVersion: input.ifVersion }) };
  }

  @Mutation(() => ReactivateUserPayload, { description: 'Lets a deactivated user sign in again, with its memberships as they were.' })
  async reactivateUser(@Arg('input', () => ReactivateUserInput, { description: MUTATION.input }) input: InstanceType<typeof ReactivateUserInput>, @Ctx() c: GraphQLContext): Promise<{ user: User }> {
    const ctx = await scopeOf(c, input.id, 'User');
    return { user: await c.services.users.setActive(ctx, input.id, true, { ifVersion: input.ifVersion }) };
  }

  @Mutation(() => DeleteUserPayload, { description: 'Deletes the user and its memberships.' })
  async deleteUser(@Arg('input', () => DeleteUserInput, { description: MUTATION.input }) input: InstanceType<typeof DeleteUserInput>, @Ctx() c: GraphQLContext): Promise<{ deletedId: string }> {
    const ctx = await scopeOf(c, input.id, 'User');
    await c.services.users.delete(ctx, input.id, { ifVersion: input.ifVersion });
    return { deletedId: input.id };
  }

  @Mutation(() => ReleaseFromScimPayload, { description: 'Ends SCIM ownership of a user or group, so this API may change it again.' })
  async releaseFromScim(@Arg('input', () => ReleaseFromScimInput, { description: MUTATION.input }) input: ReleaseFromScimInput, @Ctx() c: GraphQLContext): Promise<{ node: User | Group }> {
    const found = await c.services.tenants.locate(c.actor, input.id);
    if (found?.type === 'Group') return { node: await c.services.groups.release(c.ctxFor(found.tenantId), input.id) };
    // Anything else is released as a user, so an unknown id gets the domain's NOT_FOUND.
    const ctx = found?.type === 'User' ? c.ctxFor(found.tenantId) : await scopeOf(c, input.id, 'User');
    return { node: await c.services.users.release(ctx, input.id) };
  }
}

@Resolver(() => EnterpriseUserType)
export class EnterpriseUserResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'The manager, when `managerValue` is the id of a user of the tenant; null otherwise (not arrived yet, or an employee id or login name).' })
  manager(@Root() e: Enterprise & { tenantId: string }, @Ctx() c: GraphQLContext): User | null | Promise<User | null> {
    // docs/entra.md#manager: the value is kept as sent; only an id can name a user.
    const id = managerIdOf(e.managerValue);
    return id ? c.loaders(e.tenantId).user.get(id) : null;
  }
}

