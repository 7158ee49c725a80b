import { assertCanRead, type Ctx } from '../context.js';
import { InvalidValueError } from '../errors.js';
import type { AuditPage, ListResult } from '../ports.js';
import { recordAudit, type ServiceDeps } from '../shared/service-kit.js';
import { canonicalId, isUuid } from '../shared/id.js';
import { characterProblem, MAX_KEY_BYTES } from '../shared/validate.js';
import { NO_RESOURCE, type AuditEvent, type AuditQuery } from './audit.js';

/** A userName the log may keep: one the domain would accept as a key (bounded, storable characters). */
const recordableName = (s: string): boolean => Buffer.byteLength(s, 'utf8') <= MAX_KEY_BYTES && characterProblem(s) === null;

/**
 * A filter the log can be searched by: ids where ids belong, and text PostgreSQL can compare (a
 * value it cannot hold would fail the statement rather than match nothing).
 */
function checkQuery(q: AuditQuery): void {
  for (const field of ['resourceId', 'actorId'] as const) {
    const v = q[field];
    if (v != null && !isUuid(v)) throw new InvalidValueError(`"${field}" must be an id`, field);
  }
  for (const field of ['resourceType', 'action'] as const) {
    const problem = q[field] == null ? null : characterProblem(q[field]);
    if (problem) throw new InvalidValueError(`"${field}" ${problem}`, field);
  }
}

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService(deps: ServiceDeps) {
  return {
    /** Newest first, keyset-paged. */
    async list(ctx: Ctx, q: AuditQuery, page: AuditPage): Promise<ListResult<AuditEvent>> {
      assertCanRead(ctx);
      if (q.from && q.to && q.from > q.to) throw new InvalidValueError('"from" must not be after "to"', 'from');
      checkQuery(q);
      return deps.store.read((r) => r.audit.list(ctx.tenantId, q, page));
    },

    /**
     * Records a write that failed (outcome "failure"). Services record their successes inside the
     * write's own transaction; a failed write rolled back, so its event needs a transaction of its own.
     * A resource id that is not an id (a create that failed, a bad URL) is recorded as NO_RESOURCE.
     */
    async recordFailure(
      ctx: Ctx,
      e: {
        action: string; resourceType: string; resourceId: string | null; changes?: readonly string[];
        errorCode: string; errorDetail: string; userName?: string | null;
      },
    ): Promise<void> {
      assertCanRead(ctx);
      // A userName the domain would refuse (too long, odd characters) is not kept either.
      if (e.userName != null && !recordableName(e.userName)) e = { ...e, userName: null };
      const resourceId = e.resourceId && isUuid(e.resourceId) ? canonicalId(e.resourceId) : NO_RESOURCE;
      // Its log holds no key to the tenant (docs/architecture.md#tenant-keys): the failure of a write
      // that met its tenant's delete is recorded only while the tenant is there, else it would
      // outlive the tenant's logs, which the delete removes.
      await deps.store.write(async (r) => {
        if (await r.tenants.hold(ctx.tenantId)) await recordAudit(deps, r, ctx, { ...e, resourceId, outcome: 'failure' });
      });
    },
  };
}
