import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { ScimConnection } from '../../domain/connection/connection.js';
import { isDomainError } from '../../domain/errors.js';
import type { Group } from '../../domain/group/group.js';
import { canonicalId } from '../../domain/shared/id.js';
import type { Tenant } from '../../domain/tenant/tenant.js';
import type { User } from '../../domain/user/user.js';
import type { GraphQLContext } from '../context.js';
import { NodeInterface } from '../shared/relay.js';

type NodeValue = User | Group | Tenant | ScimConnection;

@Resolver()
export class NodeResolver {
  /**
   * Relay's refetch entry point. Ids are bare UUIDs shared with SCIM, so they do not say their
   * type: the domain looks the id up once across tenants, users, groups and connections
   * (primary-key probes), answers only when the caller may read that tenant, and the node is
   * then read through the same tenant-scoped services as everywhere else.
   */
  @Query(() => NodeInterface, { nullable: true, description: 'A user, group, tenant or SCIM connection by id; null when the caller cannot see it.' })
  async node(@Arg('id', () => ID, { description: 'Id of a user, group, tenant or SCIM connection: the same id SCIM uses.' }) id: string, @Ctx() c: GraphQLContext): Promise<NodeValue | null> {
    const found = await c.services.tenants.locate(c.actor, id);
    if (!found) return null;
    const ctx = c.ctxFor(found.tenantId);
    try {
      switch (found.type) {
        case 'User':
          return await c.loaders(found.tenantId).user.load(canonicalId(id));
        case 'Group':
          return await c.loaders(found.tenantId).group.load(canonicalId(id));
        case 'ScimConnection':
          return await c.services.connections.get(ctx, canonicalId(id));
        case 'Tenant':
          return await c.services.tenants.get(c.actor, found.tenantId);
      }
    } catch (e) {
      // Deleted between the lookup and the read: as absent as an unknown id.
      if (isDomainError(e) && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }
}
