import { assertCanRead, type Ctx } from '../context.js';
import { InvalidValueError } from '../errors.js';
import type { ListResult } from '../ports.js';
import type { ServiceDeps } from '../shared/service-kit.js';
import type { AuditEvent, AuditQuery } from './audit.js';

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService(deps: ServiceDeps) {
  return {
    /** Newest first, keyset-paged. */
    async list(ctx: Ctx, q: AuditQuery, page: { cursor: string | null; limit: number }): Promise<ListResult<AuditEvent>> {
      assertCanRead(ctx);
      if (q.from && q.to && q.from > q.to) throw new InvalidValueError('"from" must not be after "to"', 'from');
      return deps.store.read((r) => r.audit.list(ctx.tenantId, q, page));
    },
  };
}
