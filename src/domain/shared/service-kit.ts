import type { AuditOutcome } from '../audit/audit.js';
import { actorFields, type Ctx } from '../context.js';
import type { EventData, EventResourceType, EventType } from '../event/event.js';
import { ConflictError, ForbiddenError, ManagedByScimError, PreconditionFailedError, StaleWriteError, UnavailableError, type UniqueRule } from '../errors.js';
import type { Repositories, Store } from '../ports.js';
import type { FilterBudget } from './filter.js';
import type { InputLimits } from './validate.js';
import type { TargetPolicy } from '../webhook/url-guard.js';

/** The configured bounds of the domain (docs/architecture.md#limits). */
export interface Limits extends InputLimits {
  readonly filter: FilterBudget;
}

/** What every domain service is built from: storage, a clock, an id source and the limits. */
export interface ServiceDeps {
  readonly store: Store;
  readonly now: () => Date;
  /** Time-ordered UUIDs (v7). */
  readonly newId: () => string;
  readonly limits: Limits;
  /** Where webhook URLs may point (docs/architecture.md#webhook-url-guard); public https only when absent. */
  readonly webhookTargets?: TargetPolicy;
  /** How many bytes of users a process remembers to plan changes from (docs/architecture.md#remembered-users); none when absent. */
  readonly recentUsersBytes?: number;
}

/** Records an audit event inside the caller's transaction (docs/architecture.md#audit-events: append-only). */
export async function recordAudit(
  deps: ServiceDeps,
  r: Repositories,
  ctx: Ctx,
  e: {
    action: string; resourceType: string; resourceId: string; changes?: readonly string[]; outcome?: AuditOutcome;
    errorCode?: string | null; errorDetail?: string | null; userName?: string | null;
  },
): Promise<void> {
  await r.audit.append({
    id: deps.newId(),
    tenantId: ctx.tenantId,
    occurredAt: deps.now(),
    ...actorFields(ctx.actor),
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    changes: e.changes ?? [],
    requestId: ctx.requestId,
    outcome: e.outcome ?? 'success',
    errorCode: e.errorCode ?? null,
    errorDetail: e.errorDetail ?? null,
    userName: e.userName ?? null,
  });
}

/**
 * Records a change event inside the caller's transaction, beside its audit event: it commits with
 * the change or not at all (docs/architecture.md#change-events).
 */
export async function recordEvent(
  deps: ServiceDeps,
  r: Repositories,
  ctx: Ctx,
  e: { type: EventType; resourceType: EventResourceType; resourceId: string; data: EventData; changedAttributes?: readonly string[]; versionsAfter?: number },
): Promise<void> {
  await r.events.append({
    id: deps.newId(),
    tenantId: ctx.tenantId,
    occurredAt: deps.now(),
    ...actorFields(ctx.actor),
    requestId: ctx.requestId,
    type: e.type,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    changedAttributes: e.changedAttributes ?? [],
    data: e.data,
    ...(e.versionsAfter ? { versionsAfter: e.versionsAfter } : {}),
  });
}

/**
 * Ownership (docs/architecture.md#provisioning-policies): a resource owned by a SCIM connection may be changed by that connection
 * (or the system) only. Admin tools get MANAGED_BY_SCIM until an admin releases it.
 */
export function assertMayChange(ctx: Ctx, resource: { managedBy: string | null }, kind: string, id: string): void {
  if (resource.managedBy === null || ctx.actor.type === 'system') return;
  if (ctx.actor.type === 'connection') {
    if (ctx.actor.id !== resource.managedBy) {
      throw new ForbiddenError(`${kind} ${id} is managed by another SCIM connection`);
    }
    return;
  }
  throw new ManagedByScimError(kind, id);
}

export function assertVersion(current: number, expected: number | null | undefined, kind: string, id: string): void {
  if (expected !== undefined && expected !== null && expected !== current) {
    // Versions start at 1: anything below names no version (an ETag never given out, such as another system's).
    if (expected < 1) throw new PreconditionFailedError(`${kind} ${id} is at version ${current}; the precondition names no version of it; read it again and retry`);
    throw new PreconditionFailedError(`${kind} ${id} is at version ${current}, not ${expected}; read it again and retry`);
  }
}

/** How often a write is tried: once unlocked, then under the row's lock (which a guard cannot lose to). */
const STALE_ATTEMPTS = 3;

/**
 * Runs a write whose guarded update may find its row changed since it was read (StaleWriteError)
 * (docs/architecture.md#optimistic-writes): first from a plain read (`locked` false), and after a
 * lost race again from a read under the row's lock, so concurrent changes of one row queue and
 * each lands. Should a row still change under it, the caller is asked to retry (503 with Retry-After).
 */
export async function retryStale<T>(write: (locked: boolean) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(attempt > 1);
    } catch (e) {
      if (!(e instanceof StaleWriteError)) throw e;
      if (attempt >= STALE_ATTEMPTS) throw new UnavailableError('the resource kept changing while this change was being made; retry it', 'serialization_conflict', e);
    }
  }
}

/** The id of the connection acting, if a connection is acting. */
export function actingConnection(ctx: Ctx): string | null {
  return ctx.actor.type === 'connection' ? ctx.actor.id : null;
}

/**
 * Runs a write of a name (userName, displayName) and, when a connection's write is refused because
 * a resource another connection manages holds that name, says so: that resource is absent for the
 * connection, so its identity provider's query found nobody and a bare "taken" would not say why
 * (docs/architecture.md#scope-of-a-connection).
 */
export async function explainSourceConflict<T>(
  ctx: Ctx,
  rule: UniqueRule,
  holder: () => Promise<{ readonly managedBy: string | null } | null | undefined>,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    const mine = actingConnection(ctx);
    if (mine === null || !(e instanceof ConflictError) || e.rule !== rule) throw e;
    const h = await holder();
    if (!h || h.managedBy === null || h.managedBy === mine) throw e;
    throw new ConflictError(`${e.field ?? 'the name'} is already taken in this tenant by a resource another source (SCIM connection) manages; this connection cannot see or change it`, e.field, e.rule);
  }
}

/**
 * Deletes what `prune` finds older than `retentionDays`, `batch` rows at a time, each batch its own
 * short transaction, until a batch comes back short; returns how many rows went
 * (docs/operations.md#event-retention).
 */
export async function pruneInBatches(
  deps: ServiceDeps,
  retentionDays: number,
  batch: number,
  prune: (r: Repositories, before: Date, batch: number) => Promise<number>,
): Promise<number> {
  const before = new Date(deps.now().getTime() - retentionDays * 86_400_000);
  let total = 0;
  for (;;) {
    const n = await deps.store.write((r) => prune(r, before, batch));
    total += n;
    if (n < batch) return total;
  }
}
