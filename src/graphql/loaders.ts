import DataLoader from 'dataloader';
import type { ScimConnection } from '../domain/connection/connection.js';
import type { Ctx } from '../domain/context.js';
import type { Group, Member } from '../domain/group/group.js';
import type { Services } from '../domain/services.js';
import { canonicalId } from '../domain/shared/id.js';
import type { User } from '../domain/user/user.js';

/**
 * Batched reads of one request: the keys one tick of resolvers asks for become one domain call
 * (a DataLoader). What a batch brought is also answered synchronously by `get`, and a resolver
 * that returns a value rather than a promise lets graphql-js complete its field at once, without
 * the promises and ticks of an asynchronous field (docs/architecture.md#graphql-execution-cost).
 */
export class Batch<V> {
  private readonly known = new Map<string, V>();
  private readonly loader: DataLoader<string, V, string>;

  constructor(
    read: (keys: readonly string[]) => Promise<V[]>,
    private readonly cacheKey: (key: string) => string = (key) => key,
  ) {
    this.loader = new DataLoader<string, V, string>(
      async (keys) => {
        const values = await read(keys);
        keys.forEach((k, i) => this.known.set(cacheKey(k), values[i]!));
        return values;
      },
      { cacheKeyFn: cacheKey },
    );
  }

  /** The value if a batch (or `prime`) already brought it; otherwise it is loaded with this tick's batch. */
  get(key: string): V | Promise<V> {
    const k = this.cacheKey(key);
    return this.known.has(k) ? (this.known.get(k) as V) : this.loader.load(key);
  }

  load(key: string): Promise<V> {
    return this.loader.load(key);
  }

  /**
   * Reads these keys now, in one batch, so that `get` answers them without waiting. A failed read
   * is not thrown here: each `get` of its keys fails as it would have without this.
   */
  async prefetch(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.loader.loadMany(keys);
  }

  prime(key: string, value: V): void {
    this.loader.prime(key, value);
    this.known.set(this.cacheKey(key), value);
  }
}

/**
 * Per-request, per-tenant batching (docs/architecture.md#performance-budgets: a page of users with
 * their groups and managers is a constant number of statements).
 */
export interface TenantLoaders {
  readonly user: Batch<User | null>;
  readonly group: Batch<Group | null>;
  /** Groups a user or group is a direct member of. */
  readonly groupsOf: Batch<Group[]>;
  /** Groups reached by following nesting upwards, cycle-safe (the domain's recursive query). */
  readonly groupsOfTransitive: Batch<Group[]>;
  readonly memberCount: Batch<number>;
  /** SCIM connections by id; a tenant has a handful, so one read of them all serves the request. */
  readonly connection: Batch<ScimConnection | null>;
  /** The first `limit` members of groups; one loader per limit so each batch is one statement. */
  firstMembers(limit: number): Batch<Member[]>;
}

const byId = <T extends { id: string }>(ids: readonly string[], found: readonly T[]): (T | null)[] => {
  const m = new Map(found.map((x) => [x.id, x]));
  return ids.map((id) => m.get(id) ?? null);
};

function forTenant(services: Services, ctx: Ctx): TenantLoaders {
  const fromMap = <V>(fallback: V) => (ids: readonly string[], m: Map<string, V>): V[] => ids.map((id) => m.get(id) ?? fallback);
  const members = new Map<number, Batch<Member[]>>();
  return {
    // Ids are cached in canonical form: PostgreSQL returns UUIDs lower-case, callers may not.
    user: new Batch(async (ids) => byId(ids, await services.users.getMany(ctx, ids)), canonicalId),
    group: new Batch(async (ids) => byId(ids, await services.groups.getMany(ctx, ids)), canonicalId),
    groupsOf: new Batch(async (ids) => fromMap<Group[]>([])(ids, await services.groups.groupsOf(ctx, ids, false))),
    groupsOfTransitive: new Batch(async (ids) => fromMap<Group[]>([])(ids, await services.groups.groupsOf(ctx, ids, true))),
    memberCount: new Batch(async (ids) => fromMap(0)(ids, await services.groups.memberCounts(ctx, ids))),
    connection: new Batch(async (ids) => byId(ids, await services.connections.list(ctx)), canonicalId),
    firstMembers(limit) {
      let l = members.get(limit);
      if (!l) {
        l = new Batch(async (ids) => fromMap<Member[]>([])(ids, await services.groups.membersOfGroups(ctx, ids, limit)));
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
