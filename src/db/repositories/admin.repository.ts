import type { ApiKey, ApiKeyRole } from '../../domain/apikey/apikey.js';
import type { ActorType, AuditEvent, AuditOutcome } from '../../domain/audit/audit.js';
import { normalisePolicies, type ProvisioningPolicies, type ScimConnection } from '../../domain/connection/connection.js';
import type { ApiKeyRepository, AuditRepository, ConnectionRepository, TenantRepository } from '../../domain/ports.js';
import type { Tenant } from '../../domain/tenant/tenant.js';
import { decodeCursor, encodeCursor } from '../../domain/shared/cursor.js';
import { isUuid } from '../../domain/shared/id.js';
import { exec, jsonParam, query, toDate, toDateOrNull, type Db } from '../sql.js';
import type { CredentialCache } from '../credentials.cache.js';
import { writeAppends, type Appends } from './appends.js';

/** The credential cache as one unit of work sees it (docs/architecture.md#credential-cache). */
export interface CredentialScope {
  readonly cache: CredentialCache | null;
  /** The unit changed a credential: the cache is emptied now and again once the unit is over. */
  changed(): void;
}

export const NO_CREDENTIAL_CACHE: CredentialScope = { cache: null, changed: () => undefined };

/** A credential by the hash of its secret, from the cache when it holds it. */
async function cachedCredential<T>(scope: CredentialScope, key: string, load: () => Promise<T | null>): Promise<T | null> {
  const { cache } = scope;
  if (!cache) return load();
  // A change announced while this request was read may be waiting on the listening connection's
  // socket, ready in the same turn of the event loop: its callback runs before the next turn's
  // immediates, so the cache is emptied before it is asked (a busy process would otherwise answer
  // once more from an entry already revoked).
  await new Promise<void>((resolve) => setImmediate(resolve));
  const hit = cache.get<T>(key);
  if (hit !== undefined) return hit;
  const epoch = cache.epoch();
  const found = await load();
  if (found) cache.set(key, found, epoch);
  return found;
}

interface TenantRow { id: string; name: string; created_at: Date; updated_at: Date }
const toTenant = (r: TenantRow): Tenant => ({ id: r.id, name: r.name, createdAt: toDate(r.created_at), updatedAt: toDate(r.updated_at) });

export function createTenantRepository(db: Db, credentials: CredentialScope = NO_CREDENTIAL_CACHE): TenantRepository {
  return {
    async get(id) {
      if (!isUuid(id)) return null;
      const [r] = await query<TenantRow>(db, 'select * from tenants where id = ?::uuid', [id]);
      return r ? toTenant(r) : null;
    },
    async locate(id) {
      if (!isUuid(id)) return null;
      // Four primary-key probes in one statement; ids are UUIDs, so at most one table holds the id.
      const [r] = await query<{ type: 'Tenant' | 'User' | 'Group' | 'ScimConnection'; tenant_id: string }>(
        db,
        `select 'Tenant' as type, id as tenant_id from tenants where id = ?::uuid
         union all select 'User', tenant_id from users where id = ?::uuid
         union all select 'Group', tenant_id from groups where id = ?::uuid
         union all select 'ScimConnection', tenant_id from scim_connections where id = ?::uuid
         limit 1`,
        [id, id, id, id],
      );
      return r ? { type: r.type, tenantId: r.tenant_id } : null;
    },
    async list() {
      return (await query<TenantRow>(db, 'select * from tenants order by lower(name), id')).map(toTenant);
    },
    async insert(t) {
      await exec(db, 'insert into tenants (id, name, created_at, updated_at) values (?, ?, ?, ?)', [t.id, t.name, t.createdAt, t.updatedAt]);
    },
    async update(t) {
      await exec(db, 'update tenants set name = ?, updated_at = ? where id = ?', [t.name, t.updatedAt, t.id]);
    },
    async hold(id) {
      if (!isUuid(id)) return false;
      return (await query(db, 'select 1 from tenants where id = ?::uuid for key share', [id])).length > 0;
    },
    async delete(id) {
      if (!isUuid(id)) return false;
      // Its connections, keys, users and groups go with it (and with those, their values and
      // memberships). Its logs hold no key to it (docs/architecture.md#tenant-keys): they are
      // deleted after the tenant, whose delete waited for every write that still held it.
      credentials.changed();
      const deleted = (await exec(db, 'delete from tenants where id = ?::uuid', [id])) > 0;
      if (deleted) {
        await exec(db, 'delete from audit_events where tenant_id = ?::uuid', [id]);
        await exec(db, 'delete from change_events where tenant_id = ?::uuid', [id]);
      }
      return deleted;
    },
  };
}

interface ConnectionRow {
  id: string; tenant_id: string; name: string; token_hash: string; policies: Partial<ProvisioningPolicies>;
  created_at: Date; rotated_at: Date | null; last_used_at: Date | null; paused_at: Date | null;
}
const toConnection = (r: ConnectionRow): ScimConnection => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  policies: normalisePolicies(r.policies),
  createdAt: toDate(r.created_at),
  rotatedAt: toDateOrNull(r.rotated_at),
  lastUsedAt: toDateOrNull(r.last_used_at),
  pausedAt: toDateOrNull(r.paused_at),
});

export function createConnectionRepository(db: Db, credentials: CredentialScope = NO_CREDENTIAL_CACHE): ConnectionRepository {
  return {
    async get(tenantId, id) {
      if (!isUuid(id)) return null;
      const [r] = await query<ConnectionRow>(db, 'select * from scim_connections where tenant_id = ? and id = ?::uuid', [tenantId, id]);
      return r ? toConnection(r) : null;
    },
    async list(tenantId) {
      // One statement says both: no row at all when there is no such tenant, one row of nulls when it has no connection.
      const rows = await query<ConnectionRow | { [K in keyof ConnectionRow]: null }>(
        db,
        'select c.* from tenants t left join scim_connections c on c.tenant_id = t.id where t.id = ? order by c.created_at, c.id',
        [tenantId],
      );
      if (rows.length === 0) return null;
      return rows.flatMap((r) => (r.id === null ? [] : [toConnection(r as ConnectionRow)]));
    },
    findByTokenHash(tokenHash) {
      return cachedCredential(credentials, `scim:${tokenHash}`, async () => {
        const [r] = await query<ConnectionRow>(db, 'select * from scim_connections where token_hash = ?', [tokenHash]);
        return r ? { ...toConnection(r), tokenHash: r.token_hash } : null;
      });
    },
    async insert(c, tokenHash) {
      await exec(
        db,
        'insert into scim_connections (id, tenant_id, name, token_hash, policies, created_at, rotated_at, last_used_at) values (?, ?, ?, ?, ?::jsonb, ?, ?, ?)',
        [c.id, c.tenantId, c.name, tokenHash, jsonParam(c.policies), c.createdAt, c.rotatedAt, c.lastUsedAt],
      );
    },
    async update(c) {
      credentials.changed();
      await exec(db, 'update scim_connections set name = ?, policies = ?::jsonb where tenant_id = ? and id = ?', [c.name, jsonParam(c.policies), c.tenantId, c.id]);
    },
    async setToken(tenantId, id, tokenHash, at) {
      if (!isUuid(id)) return false;
      credentials.changed();
      return (await exec(db, 'update scim_connections set token_hash = ?, rotated_at = ? where tenant_id = ? and id = ?::uuid', [tokenHash, at, tenantId, id])) > 0;
    },
    async setPaused(tenantId, id, at) {
      if (!isUuid(id)) return false;
      credentials.changed();
      return (await exec(db, 'update scim_connections set paused_at = ? where tenant_id = ? and id = ?::uuid', [at, tenantId, id])) > 0;
    },
    async touch(id, at) {
      await exec(db, 'update scim_connections set last_used_at = ? where id = ?', [at, id]);
    },
    async delete(tenantId, id) {
      if (!isUuid(id)) return false;
      credentials.changed();
      // What it managed stays, released (the foreign key sets managed_by null); released users are no longer deprovisioned.
      await exec(db, 'update users set deprovisioned_at = null where tenant_id = ? and managed_by = ?::uuid and deprovisioned_at is not null', [tenantId, id]);
      return (await exec(db, 'delete from scim_connections where tenant_id = ? and id = ?::uuid', [tenantId, id])) > 0;
    },
  };
}

interface ApiKeyRow {
  id: string; tenant_id: string | null; name: string; key_hash: string; role: ApiKeyRole;
  created_at: Date; last_used_at: Date | null; revoked_at: Date | null;
}
const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  role: r.role,
  createdAt: toDate(r.created_at),
  lastUsedAt: toDateOrNull(r.last_used_at),
  revokedAt: toDateOrNull(r.revoked_at),
});

export function createApiKeyRepository(db: Db, credentials: CredentialScope = NO_CREDENTIAL_CACHE): ApiKeyRepository {
  return {
    async get(id) {
      if (!isUuid(id)) return null;
      const [r] = await query<ApiKeyRow>(db, 'select * from api_keys where id = ?::uuid', [id]);
      return r ? toApiKey(r) : null;
    },
    async list(tenantId) {
      const rows = tenantId === null
        ? await query<ApiKeyRow>(db, 'select * from api_keys where tenant_id is null order by created_at, id')
        : await query<ApiKeyRow>(db, 'select * from api_keys where tenant_id = ? order by created_at, id', [tenantId]);
      return rows.map(toApiKey);
    },
    findByHash(keyHash) {
      return cachedCredential(credentials, `key:${keyHash}`, async () => {
        const [r] = await query<ApiKeyRow>(db, 'select * from api_keys where key_hash = ?', [keyHash]);
        return r ? { ...toApiKey(r), keyHash: r.key_hash } : null;
      });
    },
    async insert(k, keyHash) {
      const n = await exec(
        db,
        `insert into api_keys (id, tenant_id, name, key_hash, role, created_at, last_used_at, revoked_at) values (?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (key_hash) do nothing`,
        [k.id, k.tenantId, k.name, keyHash, k.role, k.createdAt, k.lastUsedAt, k.revokedAt],
      );
      return n > 0;
    },
    async revoke(id, at) {
      credentials.changed();
      return (await exec(db, 'update api_keys set revoked_at = ? where id = ? and revoked_at is null', [at, id])) > 0;
    },
    async touch(id, at) {
      await exec(db, 'update api_keys set last_used_at = ? where id = ?', [at, id]);
    },
  };
}

interface AuditRow {
  id: string; tenant_id: string; occurred_at: Date; actor_type: ActorType; actor_id: string | null; action: string;
  resource_type: string; resource_id: string; changes: string[]; request_id: string | null; outcome: AuditOutcome;
  error_code: string | null; error_detail: string | null; user_name: string | null;
}
const toEvent = (r: AuditRow): AuditEvent => ({
  id: r.id,
  tenantId: r.tenant_id,
  occurredAt: toDate(r.occurred_at),
  actorType: r.actor_type,
  actorId: r.actor_id,
  action: r.action,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  changes: r.changes,
  requestId: r.request_id,
  outcome: r.outcome,
  errorCode: r.error_code,
  errorDetail: r.error_detail,
  userName: r.user_name,
});

/** `kept`: the unit of work's appends, written at its end; without it each event is written at once. */
export function createAuditRepository(db: Db, kept: Appends | null = null): AuditRepository {
  return {
    async append(e) {
      if (kept) kept.audit.push(e);
      else await writeAppends(db, { audit: [e], events: [] });
    },
    // Newest first; ids are time-ordered UUIDs, so the id is the keyset. Backward pages read towards newer ids.
    async list(tenantId, q, page) {
      const where = ['tenant_id = ?'];
      const params: unknown[] = [tenantId];
      // The audit service checked the query: ids are ids, text is storable.
      if (q.resourceId) { where.push('resource_id = ?::uuid'); params.push(q.resourceId); }
      if (q.actorId) { where.push('actor_id = ?::uuid'); params.push(q.actorId); }
      if (q.resourceType) { where.push('resource_type = ?'); params.push(q.resourceType); }
      if (q.actorType) { where.push('actor_type = ?'); params.push(q.actorType); }
      if (q.action) { where.push('action = ?'); params.push(q.action); }
      if (q.outcome) { where.push('outcome = ?'); params.push(q.outcome); }
      if (q.from) { where.push('occurred_at >= ?'); params.push(q.from); }
      if (q.to) { where.push('occurred_at <= ?'); params.push(q.to); }
      const filtered = { where: where.join(' and '), params: [...params] };
      const backward = page.direction === 'backward';
      if (page.cursor !== null) {
        const [at] = decodeCursor(page.cursor, backward ? 'before' : 'after', (p): p is [string] => p.length === 1 && typeof p[0] === 'string' && isUuid(p[0]));
        where.push(backward ? 'id > ?::uuid' : 'id < ?::uuid');
        params.push(at);
      }
      const rows = await query<AuditRow>(db, `select * from audit_events where ${where.join(' and ')} order by id ${backward ? 'asc' : 'desc'} limit ?`, [...params, page.limit + 1]);
      const shown = rows.slice(0, page.limit);
      // A backward page is read oldest-first from the cursor and shown newest first, like every page.
      if (backward) shown.reverse();
      const items = shown.map((r) => ({ node: toEvent(r), cursor: encodeCursor([r.id]) }));
      const total = page.withTotal
        ? Number((await query<{ n: string }>(db, `select count(*) as n from audit_events where ${filtered.where}`, filtered.params))[0]!.n)
        : null;
      return { items, total, hasMore: rows.length > page.limit };
    },
  };
}
