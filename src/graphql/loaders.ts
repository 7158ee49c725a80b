import DataLoader from 'dataloader';
import type { ScimConnection } from '../domain/connection/connection.js';
import type { Ctx } from '../domain/context.js';
import type { Group, Member } from '../domain/group/group.js';
import type { Services } from '../domain/services.js';
import { canonicalId } from '../domain/shared/id.js';
import type { User } from '../domain/user/user.js';

/**
 * Per-request, per-tenant batching (docs/architecture.md#performance-budgets: a page of users with their groups and managers is
 * a constant number of statements). Each loader turns the keys one tick of resolvers asks for
 * into one domain call.
 */
export interface TenantLoaders {
  readonly user: DataLoader<string, User | null>;
  readonly group: DataLoader<string, Group | null>;
  /** Groups a user or group is a direct member of. */
  readonly groupsOf: DataLoader<string, Group[]>;
  /** Groups reached by following nesting upwards, cycle-safe (the domain's recursive query). */
  readonly groupsOfTransitive: DataLoader<string, Group[]>;
  readonly memberCount: DataLoader<string, number>;
  /** SCIM connections by id; a tenant has a handful, so one read of them all serves the request. */
  readonly connection: DataLoader<string, ScimConnection | null>;
  /** The first `limit` members of groups; one loader per limit so each batch is one statement. */
  firstMembers(limit: number): DataLoader<string, Member[]>;
}

const byId = <T extends { id: string }>(ids: readonly string[], found: readonly T[]): (T | null)[] => {
  const m = new Map(found.map((x) => [x.id, x]));
  return ids.map((id) => m.get(id) ?? null);
};

function forTenant(services: Services, ctx: Ctx): TenantLoaders {
  const fromMap = <V>(fallback: V) => (ids: readonly string[], m: Map<string, V>): V[] => ids.map((id) => m.get(id) ?? fallback);
  const members = new Map<number, DataLoader<string, Member[]>>();
  // Ids are cached in canonical form: PostgreSQL returns UUIDs lower-case, callers may not.
  const cacheKeyFn = canonicalId;
  return {
    user: new DataLoader(async (ids) => byId(ids, await services.users.getMany(ctx, ids)), { cacheKeyFn }),
    group: new DataLoader(async (ids) => byId(ids, await services.groups.getMany(ctx, ids)), { cacheKeyFn }),
    groupsOf: new DataLoader(async (ids) => fromMap<Group[]>([])(ids, await services.groups.groupsOf(ctx, ids, false))),
    groupsOfTransitive: new DataLoader(async (ids) => fromMap<Group[]>([])(ids, await services.groups.groupsOf(ctx, ids, true))),
    memberCount: new DataLoader(async (ids) => fromMap(0)(ids, await services.groups.memberCounts(ctx, ids))),
    connection: new DataLoader(async (ids) => byId(ids, await services.connections.list(ctx)), { cacheKeyFn }),
    firstMembers(limit) {
      let l = members.get(limit);
      if (!l) {
        l = new DataLoader(async (ids) => fromMap<Member[]>([])(ids, await services.groups.membersOfGroups(ctx, ids, limit)));
        members.set(limit, l);
      }
      return l;
    },
  };
}

export function createLoaders(services: Services, ctxFor: (tenantId: string) => Ctx): (tenantId: string) => TenantLoaders {
  const perTenant = new Map<string, TenantLoaders>();
  return (tenantId) => {
    let l = perTenant.get(tenantId);
    if (!l) {
      l = forTenant(services, ctxFor(tenantId));
      perTenant.set(tenantId, l);
    }
    return l;
  };
}
