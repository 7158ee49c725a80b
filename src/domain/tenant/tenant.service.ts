import { assertCanRead, canReadTenant, isPlatformAdmin, type Actor, type Ctx } from '../context.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { Located } from '../ports.js';
import { requireName } from '../shared/resource.js';
import { recordAudit, type ServiceDeps } from '../shared/service-kit.js';
import { canonicalId, isUuid } from '../shared/id.js';
import type { Tenant } from './tenant.js';

export type TenantService = ReturnType<typeof createTenantService>;


export function createTenantService(deps: ServiceDeps) {
  const { store } = deps;
  const platformOnly = (actor: Actor): void => {
    if (!isPlatformAdmin(actor)) throw new ForbiddenError('Only a platform admin key can manage tenants');
  };
  const ctxFor = (actor: Actor, tenantId: string, requestId: string | null): Ctx => ({ actor, tenantId, requestId });

  return {
    async get(actor: Actor, id: string): Promise<Tenant> {
      assertCanRead(ctxFor(actor, id, null));
      const t = await store.read((r) => r.tenants.get(id));
      if (!t) throw new NotFoundError('Tenant', id);
      return t;
    },

    /**
     * What a bare id names (tenant, user, group or SCIM connection) and in which tenant, so a
     * platform key can act on a resource by id alone (GraphQL `node(id)`, mutations by id).
     * An id in a tenant the caller may not read is reported as absent, like any unknown id.
     */
    async locate(actor: Actor, id: string): Promise<Located | null> {
      if (typeof id !== 'string' || !isUuid(id)) return null;
      const found = await store.read((r) => r.tenants.locate(canonicalId(id)));
      return found && canReadTenant(actor, found.tenantId) ? found : null;
    },

    /** Every tenant for platform keys; a tenant key sees its own. */
    async list(actor: Actor): Promise<Tenant[]> {
      if (actor.type === 'apiKey' && actor.tenantId !== null) return [await this.get(actor, actor.tenantId)];
      if (actor.type === 'connection') return [await this.get(actor, actor.tenantId)];
      return store.read((r) => r.tenants.list());
    },

    async create(actor: Actor, name: string, requestId: string | null = null): Promise<Tenant> {
      platformOnly(actor);
      const clean = requireName(name);
      return store.write(async (r) => {
        const now = deps.now();
        const t: Tenant = { id: deps.newId(), name: clean, createdAt: now, updatedAt: now };
        await r.tenants.insert(t);
        await recordAudit(deps, r, ctxFor(actor, t.id, requestId), { action: 'tenant.create', resourceType: 'Tenant', resourceId: t.id, changes: ['name'] });
        return t;
      });
    },

    async rename(actor: Actor, id: string, name: string, requestId: string | null = null): Promise<Tenant> {
      platformOnly(actor);
      const clean = requireName(name);
      return store.write(async (r) => {
        const t = await r.tenants.get(id);
        if (!t) throw new NotFoundError('Tenant', id);
        if (t.name === clean) return t;
        const next = { ...t, name: clean, updatedAt: deps.now() };
        await r.tenants.update(next);
        await recordAudit(deps, r, ctxFor(actor, id, requestId), { action: 'tenant.rename', resourceType: 'Tenant', resourceId: id, changes: ['name'] });
        return next;
      });
    },

    /** Deletes the tenant and everything in it (users, groups, connections, keys, audit). */
    async delete(actor: Actor, id: string): Promise<void> {
      platformOnly(actor);
      await store.write(async (r) => {
        if (!(await r.tenants.delete(id))) throw new NotFoundError('Tenant', id);
      });
    },
  };
}
