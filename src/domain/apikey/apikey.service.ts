import { isPlatformAdmin, type Actor } from '../context.js';
import { ForbiddenError, InvalidValueError, NotFoundError, UnauthenticatedError } from '../errors.js';
import { hashSecret, newSecret, sameHash } from '../shared/secrets.js';
import { requireName } from '../shared/resource.js';
import { recordAudit, type ServiceDeps } from '../shared/service-kit.js';
import { usageStamp } from '../shared/usage.js';
import { API_KEY_ROLES, type ApiKey, type ApiKeyRole } from './apikey.js';

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

/** Platform admins manage every key; a tenant admin key manages the keys of its tenant. */
function assertMayManage(actor: Actor, tenantId: string | null): void {
  if (isPlatformAdmin(actor)) return;
  if (actor.type === 'apiKey' && actor.role === 'admin' && tenantId !== null && actor.tenantId === tenantId) return;
  throw new ForbiddenError(tenantId === null ? 'Only a platform admin key can manage platform keys' : 'This credential cannot manage API keys of that tenant');
}

export function createApiKeyService(deps: ServiceDeps) {
  const { store } = deps;
  const stampUse = usageStamp(store, (r, id, at) => r.apiKeys.touch(id, at));

  /**
   * The key with this secret when it verifies (not revoked, not deleted, nor its tenant), read
   * through the credential cache, with its use stamped; null when it does not.
   */
  async function verified(secret: string) {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 512) return null;
    const hash = hashSecret(secret);
    const found = await store.read((r) => r.apiKeys.findByHash(hash));
    if (!found || found.revokedAt !== null || !sameHash(found.keyHash, hash)) return null;
    await stampUse(found.id, found.lastUsedAt, deps.now());
    return found;
  }

  return {
    async list(actor: Actor, tenantId: string | null): Promise<ApiKey[]> {
      assertMayManage(actor, tenantId);
      return store.read((r) => r.apiKeys.list(tenantId));
    },

    /** Creates a key; the secret is returned here once and stored only as a hash. */
    async create(actor: Actor, input: { tenantId: string | null; name: string; role: ApiKeyRole }, requestId: string | null = null): Promise<{ apiKey: ApiKey; secret: string }> {
      assertMayManage(actor, input.tenantId);
      const name = requireName(input.name);
      if (!API_KEY_ROLES.includes(input.role)) throw new InvalidValueError(`"role" must be one of ${API_KEY_ROLES.join(', ')}`, 'role');
      const secret = newSecret('roster_key');
      const apiKey: ApiKey = { id: deps.newId(), tenantId: input.tenantId, name, role: input.role, createdAt: deps.now(), lastUsedAt: null, revokedAt: null };
      return store.write(async (r) => {
        if (input.tenantId !== null && !(await r.tenants.get(input.tenantId))) throw new NotFoundError('Tenant', input.tenantId);
        await r.apiKeys.insert(apiKey, hashSecret(secret));
        if (input.tenantId !== null) {
          await recordAudit(deps, r, { actor, tenantId: input.tenantId, requestId }, { action: 'apiKey.create', resourceType: 'ApiKey', resourceId: apiKey.id, changes: ['name', 'role'] });
        }
        return { apiKey, secret };
      });
    },

    async revoke(actor: Actor, id: string, requestId: string | null = null): Promise<ApiKey> {
      return store.write(async (r) => {
        const k = await r.apiKeys.get(id);
        if (!k) throw new NotFoundError('ApiKey', id);
        assertMayManage(actor, k.tenantId);
        if (k.revokedAt) return k;
        const now = deps.now();
        await r.apiKeys.revoke(id, now);
        if (k.tenantId !== null) {
          await recordAudit(deps, r, { actor, tenantId: k.tenantId, requestId }, { action: 'apiKey.revoke', resourceType: 'ApiKey', resourceId: id });
        }
        return { ...k, revokedAt: now };
      });
    },

    /** Registers BOOTSTRAP_ADMIN_TOKEN as a platform admin key; running it twice changes nothing. */
    async ensureBootstrapKey(secret: string): Promise<void> {
      const apiKey: ApiKey = { id: deps.newId(), tenantId: null, name: 'bootstrap', role: 'admin', createdAt: deps.now(), lastUsedAt: null, revokedAt: null };
      await store.write((r) => r.apiKeys.insert(apiKey, hashSecret(secret)));
    },

    async authenticate(secret: string): Promise<{ apiKey: ApiKey; actor: Actor }> {
      if (typeof secret !== 'string' || secret.length === 0 || secret.length > 512) throw new UnauthenticatedError();
      const found = await verified(secret);
      if (!found) throw new UnauthenticatedError('The API key is missing, wrong, or revoked');
      const { keyHash: _omit, ...apiKey } = found;
      void _omit;
      return { apiKey, actor: { type: 'apiKey', id: apiKey.id, tenantId: apiKey.tenantId, role: apiKey.role } };
    },

    /**
     * Whether the key `apiKeyId`, which authenticated with this secret before, still does: the
     * check a long-lived connection repeats. Served by the credential cache while the key is
     * unchanged (no statement), and a use of the key like any other.
     */
    async stillValid(secret: string, apiKeyId: string): Promise<boolean> {
      return (await verified(secret))?.id === apiKeyId;
    },
  };
}
