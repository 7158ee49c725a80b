import { assertCanRead, assertCanWrite, type Actor, type Ctx } from '../context.js';
import { NotFoundError, UnauthenticatedError } from '../errors.js';
import { sameData } from '../shared/equal.js';
import { hashSecret, newSecret, sameHash } from '../shared/secrets.js';
import { requireName } from '../shared/resource.js';
import { connectionData } from '../event/event.js';
import { recordAudit, recordEvent, type ServiceDeps } from '../shared/service-kit.js';
import { usageStamp } from '../shared/usage.js';
import { normalisePolicies, type ProvisioningPolicies, type ScimConnection } from './connection.js';

export type ConnectionService = ReturnType<typeof createConnectionService>;


export function createConnectionService(deps: ServiceDeps) {
  const { store } = deps;
  const stampUse = usageStamp(store, (r, id, at) => r.connections.touch(id, at));

  async function setPaused(ctx: Ctx, id: string, paused: boolean): Promise<ScimConnection> {
    assertCanWrite(ctx);
    return store.write(async (r) => {
      const c = await r.connections.get(ctx.tenantId, id);
      if (!c) throw new NotFoundError('ScimConnection', id);
      if ((c.pausedAt !== null) === paused) return c;
      const pausedAt = paused ? deps.now() : null;
      await r.connections.setPaused(ctx.tenantId, id, pausedAt);
      await recordAudit(deps, r, ctx, { action: paused ? 'connection.pause' : 'connection.resume', resourceType: 'ScimConnection', resourceId: id, changes: ['pausedAt'] });
      return { ...c, pausedAt };
    });
  }

  return {
    /** The tenant's connections; NOT_FOUND when there is no such tenant (an empty list would say it has none). */
    async list(ctx: Ctx): Promise<ScimConnection[]> {
      assertCanRead(ctx);
      const found = await store.read((r) => r.connections.list(ctx.tenantId));
      if (!found) throw new NotFoundError('Tenant', ctx.tenantId);
      return found;
    },

    async get(ctx: Ctx, id: string): Promise<ScimConnection> {
      assertCanRead(ctx);
      const c = await store.read((r) => r.connections.get(ctx.tenantId, id));
      if (!c) throw new NotFoundError('ScimConnection', id);
      return c;
    },

    /** Creates a connection; the token is returned here once and stored only as a hash. */
    async create(ctx: Ctx, name: string, policies?: Partial<ProvisioningPolicies> | null): Promise<{ connection: ScimConnection; token: string }> {
      assertCanWrite(ctx);
      const clean = requireName(name);
      const p = normalisePolicies(policies);
      return store.write(async (r) => {
        if (!(await r.tenants.get(ctx.tenantId))) throw new NotFoundError('Tenant', ctx.tenantId);
        const token = newSecret('roster_scim');
        const connection: ScimConnection = { id: deps.newId(), tenantId: ctx.tenantId, name: clean, policies: p, createdAt: deps.now(), rotatedAt: null, lastUsedAt: null, pausedAt: null };
        await r.connections.insert(connection, hashSecret(token));
        await recordAudit(deps, r, ctx, { action: 'connection.create', resourceType: 'ScimConnection', resourceId: connection.id, changes: ['name', 'policies'] });
        return { connection, token };
      });
    },

    /** Issues a new token; the old one stops working at once. */
    async rotate(ctx: Ctx, id: string): Promise<{ connection: ScimConnection; token: string }> {
      assertCanWrite(ctx);
      return store.write(async (r) => {
        const token = newSecret('roster_scim');
        const now = deps.now();
        if (!(await r.connections.setToken(ctx.tenantId, id, hashSecret(token), now))) throw new NotFoundError('ScimConnection', id);
        await recordAudit(deps, r, ctx, { action: 'connection.rotate', resourceType: 'ScimConnection', resourceId: id, changes: ['token'] });
        const connection = (await r.connections.get(ctx.tenantId, id))!;
        await recordEvent(deps, r, ctx, { type: 'connection.token_rotated', resourceType: 'ScimConnection', resourceId: id, data: connectionData(connection), changedAttributes: ['token'] });
        return { connection, token };
      });
    },

    async update(ctx: Ctx, id: string, change: { name?: string | null; policies?: Partial<ProvisioningPolicies> | null }): Promise<ScimConnection> {
      assertCanWrite(ctx);
      return store.write(async (r) => {
        const c = await r.connections.get(ctx.tenantId, id);
        if (!c) throw new NotFoundError('ScimConnection', id);
        const next: ScimConnection = {
          ...c,
          name: change.name != null ? requireName(change.name) : c.name,
          policies: change.policies != null ? normalisePolicies(change.policies, c.policies) : c.policies,
        };
        const changes = [...(next.name !== c.name ? ['name'] : []), ...(sameData(next.policies, c.policies) ? [] : ['policies'])];
        // Like a user or group write that changes nothing: no write, no audit event.
        if (changes.length === 0) return c;
        await r.connections.update(next);
        await recordAudit(deps, r, ctx, { action: 'connection.update', resourceType: 'ScimConnection', resourceId: id, changes });
        return next;
      });
    },

    /**
     * Pauses the connection (docs/architecture.md#connection-lifecycle): its token gets 401 until it is resumed; the
     * token, policies and the users and groups it manages stay as they are. Pausing a paused connection changes nothing.
     */
    async pause(ctx: Ctx, id: string): Promise<ScimConnection> {
      return setPaused(ctx, id, true);
    },

    /** Resumes a paused connection: its token works again. Resuming one that is not paused changes nothing. */
    async resume(ctx: Ctx, id: string): Promise<ScimConnection> {
      return setPaused(ctx, id, false);
    },

    /** Deletes the connection; the users and groups it managed stay, released. */
    async delete(ctx: Ctx, id: string): Promise<void> {
      assertCanWrite(ctx);
      await store.write(async (r) => {
        if (!(await r.connections.delete(ctx.tenantId, id))) throw new NotFoundError('ScimConnection', id);
        await recordAudit(deps, r, ctx, { action: 'connection.delete', resourceType: 'ScimConnection', resourceId: id });
      });
    },

    /** Resolves a bearer token to its connection, or throws UNAUTHENTICATED. */
    async authenticate(token: string): Promise<{ connection: ScimConnection; actor: Actor }> {
      if (typeof token !== 'string' || token.length === 0 || token.length > 512) throw new UnauthenticatedError();
      const hash = hashSecret(token);
      const found = await store.read((r) => r.connections.findByTokenHash(hash));
      if (!found || !sameHash(found.tokenHash, hash)) throw new UnauthenticatedError('The SCIM token is missing, wrong, or has been rotated');
      // The token is right: say why it is refused, so the identity provider's log tells its admin what to do.
      if (found.pausedAt) throw new UnauthenticatedError('This SCIM connection is paused; a Roster admin must resume it before it provisions again');
      await stampUse(found.id, found.lastUsedAt, deps.now());
      const { tokenHash: _omit, ...connection } = found;
      void _omit;
      return { connection, actor: { type: 'connection', id: connection.id, tenantId: connection.tenantId } };
    },
  };
}
