import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Field, FieldResolver, ID, Info, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ApiKey } from '../../domain/apikey/apikey.js';
import type { AuditEvent } from '../../domain/audit/audit.js';
import type { ScimConnection } from '../../domain/connection/connection.js';
import { InvalidValueError } from '../../domain/errors.js';
import type { Group } from '../../domain/group/group.js';
import type { ListQuery, ListResult } from '../../domain/ports.js';
import type { Tenant } from '../../domain/tenant/tenant.js';
import type { User } from '../../domain/user/user.js';
import { isUuid } from '../../domain/shared/id.js';
import { ApiKeyType } from '../apikey/apikey.type.js';
import { ActorTypeEnum, AuditEventConnectionType, AuditEventFilterInput } from '../audit/audit.type.js';
import { ScimConnectionType } from '../connection/connection.type.js';
import type { GraphQLContext } from '../context.js';
import { GROUP_FILTER_SPEC, GroupFilterInput, GroupOrderInput } from '../group/group.input.js';
import { GroupConnectionType, GroupType } from '../group/group.type.js';
import { toDomainFilter, type FilterSpec } from '../shared/filter.input.js';
import { FILTER, MUTATION, NAME, ORDER } from '../shared/docs.js';
import { deletedPayloadType, payloadType, refInputType } from '../shared/payload.js';
import { ConnectionArgs, keysetPage, paging, selects, toConnection, type Connection } from '../shared/relay.js';
import { USER_FILTER_SPEC, UserFilterInput, UserOrderInput } from '../user/user.input.js';
import { prefetchForUsers } from '../user/user.prefetch.js';
import { UserConnectionType, UserType } from '../user/user.type.js';
import { TenantType } from './tenant.type.js';

@InputType('CreateTenantInput', { description: 'A new tenant.' })
class CreateTenantInput {
  @Field(() => String, { description: NAME.tenant }) name!: string;
}

@InputType('RenameTenantInput', { description: 'A new name for a tenant.' })
class RenameTenantInput {
  @Field(() => ID, { description: MUTATION.idOf('tenant') }) id!: string;
  @Field(() => String, { description: NAME.tenant }) name!: string;
}

const CreateTenantPayload = payloadType('CreateTenant', 'tenant', () => TenantType, 'The new tenant.');
const RenameTenantPayload = payloadType('RenameTenant', 'tenant', () => TenantType, 'The tenant after the change.');
const DeleteTenantPayload = deletedPayloadType('DeleteTenant');
const DeleteTenantInput = refInputType('DeleteTenant', { what: 'tenant', ifVersion: false });

type Lister<T> = (q: ListQuery) => Promise<ListResult<T>>;

async function list<T>(
  c: GraphQLContext,
  info: GraphQLResolveInfo,
  args: ConnectionArgs,
  filter: object | null | undefined,
  spec: FilterSpec,
  orderBy: { field: string; direction: 'asc' | 'desc' } | null | undefined,
  run: Lister<T>,
): Promise<Connection<T>> {
  const p = paging(args, c.limits.maxPageSize);
  const result = await run({
    filter: toDomainFilter(filter, spec),
    sort: orderBy ? { field: orderBy.field, direction: orderBy.direction } : null,
    page: keysetPage(p),
    withTotal: selects(info, 'totalCount'),
  });
  return toConnection(result, p);
}

@Resolver(() => TenantType)
export class TenantResolver {
  @Query(() => [TenantType], { description: 'Every tenant for a platform key; its own tenant for a tenant key.' })
  tenants(@Ctx() c: GraphQLContext): Promise<Tenant[]> {
    return c.services.tenants.list(c.actor);
  }

  @Query(() => TenantType, { description: 'A tenant by id; a tenant key may leave the id out to get its own.' })
  tenant(@Arg('id', () => ID, { nullable: true, description: 'Id of the tenant; required with a platform key.' }) id: string | null | undefined, @Ctx() c: GraphQLContext): Promise<Tenant> {
    const own = c.actor.type === 'system' ? null : c.actor.tenantId;
    const target = id ?? own;
    if (!target) throw new InvalidValueError('"id" is required for a platform key', 'id');
    return c.services.tenants.get(c.actor, target);
  }

  @FieldResolver(() => UserConnectionType, { description: 'The tenant\'s users, a page at a time.' })
  users(
    @Root() t: Tenant,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => UserFilterInput, { nullable: true, description: FILTER.which('users') }) filter: UserFilterInput | null,
    @Arg('orderBy', () => UserOrderInput, { nullable: true, description: ORDER.orderBy }) orderBy: UserOrderInput | null,
    @Ctx() c: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<User>> {
    const loaders = c.loaders(t.id);
    return list(c, info, args, filter, USER_FILTER_SPEC, orderBy, async (q) => {
      const r = await c.services.users.list(c.ctxFor(t.id), q);
      // Users on this page are known now: a manager among them needs no second read.
      for (const i of r.items) loaders.user.prime(i.node.id, i.node);
      await prefetchForUsers(loaders, r.items.map((i) => i.node), info);
      return r;
    });
  }

  @FieldResolver(() => GroupConnectionType, { description: 'The tenant\'s groups, a page at a time.' })
  groups(
    @Root() t: Tenant,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => GroupFilterInput, { nullable: true, description: FILTER.which('groups') }) filter: GroupFilterInput | null,
    @Arg('orderBy', () => GroupOrderInput, { nullable: true, description: ORDER.orderBy }) orderBy: GroupOrderInput | null,
    @Ctx() c: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<Group>> {
    const loaders = c.loaders(t.id);
    return list(c, info, args, filter, GROUP_FILTER_SPEC, orderBy, async (q) => {
      const r = await c.services.groups.list(c.ctxFor(t.id), q);
      for (const i of r.items) loaders.group.prime(i.node.id, i.node);
      return r;
    });
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'One user of the tenant by id; null when there is none.' })
  user(@Root() t: Tenant, @Arg('id', () => ID, { description: MUTATION.idOf('user') }) id: string, @Ctx() c: GraphQLContext): User | null | Promise<User | null> {
    return c.loaders(t.id).user.get(id);
  }

  @FieldResolver(() => GroupType, { nullable: true, description: 'One group of the tenant by id; null when there is none.' })
  group(@Root() t: Tenant, @Arg('id', () => ID, { description: MUTATION.idOf('group') }) id: string, @Ctx() c: GraphQLContext): Group | null | Promise<Group | null> {
    return c.loaders(t.id).group.get(id);
  }

  @FieldResolver(() => AuditEventConnectionType, { description: 'The tenant\'s audit log, newest first: every change, and every refused SCIM change with its error code and detail. Pages forward (first/after, towards older events) and backward (last/before, towards newer ones).' })
  async auditEvents(
    @Root() t: Tenant,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => AuditEventFilterInput, { nullable: true, description: FILTER.which('audit events') }) filter: AuditEventFilterInput | null,
    @Ctx() c: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<AuditEvent>> {
    const p = paging(args, c.limits.maxPageSize);
    const { connectionId, ...rest } = filter ?? {};
    if (connectionId != null && rest.actorId != null && rest.actorId !== connectionId) {
      throw new InvalidValueError('"connectionId" and "actorId" name different actors; give one of them', 'connectionId');
    }
    if (connectionId != null && !isUuid(connectionId)) throw new InvalidValueError('"connectionId" must be the id of a SCIM connection', 'connectionId');
    const q = connectionId != null ? { ...rest, actorType: ActorTypeEnum.CONNECTION, actorId: connectionId } : rest;
    const result = await c.services.audit.list(c.ctxFor(t.id), q, { cursor: p.cursor, limit: p.limit, direction: p.direction, withTotal: selects(info, 'totalCount') });
    return toConnection(result, p);
  }

  @FieldResolver(() => [ScimConnectionType], { description: 'The tenant\'s SCIM connections, oldest first.' })
  scimConnections(@Root() t: Tenant, @Ctx() c: GraphQLContext): Promise<ScimConnection[]> {
    return c.services.connections.list(c.ctxFor(t.id));
  }

  @FieldResolver(() => [ApiKeyType], { description: "The tenant's API keys, revoked ones included (admin keys only)." })
  apiKeys(@Root() t: Tenant, @Ctx() c: GraphQLContext): Promise<ApiKey[]> {
    return c.services.apiKeys.list(c.actor, t.id);
  }

  @Mutation(() => CreateTenantPayload, { description: 'Makes a tenant. Platform admin keys only.' })
  async createTenant(@Arg('input', () => CreateTenantInput, { description: MUTATION.input }) input: CreateTenantInput, @Ctx() c: GraphQLContext): Promise<{ tenant: Tenant }> {
    return { tenant: await c.services.tenants.create(c.actor, input.name, c.requestId) };
  }

  @Mutation(() => RenameTenantPayload, { description: 'Renames a tenant. Platform admin keys only.' })
  async renameTenant(@Arg('input', () => RenameTenantInput, { description: MUTATION.input }) input: RenameTenantInput, @Ctx() c: GraphQLContext): Promise<{ tenant: Tenant }> {
    return { tenant: await c.services.tenants.rename(c.actor, input.id, input.name, c.requestId) };
  }

  @Mutation(() => DeleteTenantPayload, { description: 'Deletes the tenant and everything in it. Platform admin keys only.' })
  async deleteTenant(@Arg('input', () => DeleteTenantInput, { description: MUTATION.input }) input: InstanceType<typeof DeleteTenantInput>, @Ctx() c: GraphQLContext): Promise<{ deletedId: string }> {
    await c.services.tenants.delete(c.actor, input.id);
    return { deletedId: input.id };
  }
}
