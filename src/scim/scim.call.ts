import type { ScimConnection } from '../domain/connection/connection.js';
import type { Ctx } from '../domain/context.js';
import type { Services } from '../domain/services.js';
import { UnavailableError } from '../domain/errors.js';
import { bearerToken } from '../domain/shared/bearer.js';
import { parseIfMatch } from './resource/resource.meta.js';
import { recordedFailure, ScimError } from './scim.errors.js';

/**
 * One SCIM request as the facade sees it, independent of the web framework (http/scim.mount.ts
 * adapts Koa to it), and the call every resource handler works in: who is calling, for which
 * tenant, under which base URL, and how its writes are audited.
 */

export interface ScimRequest {
  readonly method: string;
  /** The path below the SCIM base URL, e.g. `/Users/0190...`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly authorization: string | undefined;
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
  /** The parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  /** The absolute base URL (`https://host/scim/v2`), for `meta.location` and `Location`. */
  readonly baseUrl: string;
  readonly requestId: string | null;
}

export interface ScimResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Who made the request, once its credential was accepted (for the request log). */
  readonly principal?: ScimPrincipal;
}

export interface ScimPrincipal {
  readonly tenantId: string;
  readonly connectionId: string;
}

export interface ScimDeps {
  readonly services: Services;
  /** ServiceProviderConfig filter.maxResults: the largest page. */
  readonly maxResults: number;
  /** Called with errors the facade cannot explain (bugs); they are answered as a masked 500. */
  readonly onUnexpected: (e: unknown, requestId: string | null) => void;
  /** Called with each UNAVAILABLE error (a database fault or a full tenant), answered 503. */
  readonly onUnavailable?: (e: unknown, requestId: string | null) => void;
  /** Called when a failed write's audit record could not be written either, the database being unavailable. */
  readonly onFailureUnrecorded?: (e: unknown, requestId: string | null) => void;
  /** The Retry-After of a 503, in seconds. */
  readonly retryAfterSeconds: number;
  /**
   * Waits for a slot among the tenant's requests in progress; resolves to the function that
   * gives it back, or fails with UnavailableError (docs/architecture.md#robustness).
   */
  readonly admit?: (tenantId: string) => Promise<() => void>;
}

/** What one request holds while it runs: set once its credential is accepted. */
export interface ScimScope {
  principal?: ScimPrincipal;
  release?: () => void;
}

/** Page sizes of lists and searches (RFC 7644 §3.4.2.4). */
export interface PageLimits {
  readonly defaultCount: number;
  readonly maxResults: number;
}

const DEFAULT_COUNT = 100;

/** A write as the audit trail records it when it fails. */
export interface AuditedWrite {
  readonly action: string;
  readonly resourceType: 'User' | 'Group';
  readonly resourceId: string | null;
  /** The attributes the request names; asked after a failure, so it sees what was parsed by then. */
  readonly changes: () => string[];
  /** For a user create: the userName it was for, recorded with its failure (docs/architecture.md#audit-events). */
  readonly userName?: () => string | null;
}

/** One authenticated SCIM request. */
export interface ScimCall {
  readonly req: ScimRequest;
  readonly services: Services;
  /** The connection whose token authenticated the request; its tenant is the call's tenant. */
  readonly connection: ScimConnection;
  /** The domain context: the connection's tenant, the connection as actor, the request id. */
  readonly ctx: Ctx;
  readonly baseUrl: string;
  readonly limits: PageLimits;
  /** The version If-Match asks for (RFC 7644 §3.14): undefined when absent, null for `*`. */
  readonly ifVersion: number | null | undefined;
  /** Runs a write; a failure is recorded in the audit trail in a transaction of its own. */
  audited<T>(w: AuditedWrite, fn: () => Promise<T>): Promise<T>;
}

/**
 * Authenticates a request by its connection token, waits for the tenant's turn, and opens its
 * call; `scope` learns who is calling and holds the turn until the request is answered.
 */
export async function openCall(deps: ScimDeps, req: ScimRequest, scope: ScimScope): Promise<ScimCall> {
  const token = bearerToken(req.authorization);
  // RFC 7644 §2, RFC 6750 §3: no or a bad credential is a 401 with a Bearer challenge.
  if (!token) throw new ScimError(401, 'send the SCIM connection token as "Authorization: Bearer <token>"');
  const { services } = deps;
  const { connection, actor } = await services.connections.authenticate(token);
  scope.principal = { tenantId: connection.tenantId, connectionId: connection.id };
  if (deps.admit) scope.release = await deps.admit(connection.tenantId);
  const ctx: Ctx = { tenantId: connection.tenantId, actor, requestId: req.requestId };
  return {
    req,
    services,
    connection,
    ctx,
    baseUrl: req.baseUrl,
    limits: { defaultCount: Math.min(DEFAULT_COUNT, deps.maxResults), maxResults: deps.maxResults },
    ifVersion: parseIfMatch(req.ifMatch),
    async audited(w, fn) {
      try {
        return await fn();
      } catch (e) {
        try {
          await services.audit.recordFailure(ctx, {
            action: w.action,
            resourceType: w.resourceType,
            resourceId: w.resourceId,
            changes: w.changes(),
            userName: w.userName?.() ?? null,
            ...recordedFailure(e),
          });
        } catch (auditError) {
          // A database out of reach takes no record either: that is the outage the request's own
          // answer reports (a 503), not a fault of the facade (docs/architecture.md#audit-events).
          if (auditError instanceof UnavailableError) deps.onFailureUnrecorded?.(auditError, req.requestId);
          else deps.onUnexpected(auditError, req.requestId);
        }
        throw e;
      }
    },
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScimResponse => ({ status, headers, body });
export const noContent = (headers: Record<string, string> = {}): ScimResponse => ({ status: 204, headers });
