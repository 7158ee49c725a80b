import type { ApiKeyRole } from './apikey/apikey.js';
import { ForbiddenError, NotFoundError } from './errors.js';
import { isUuid } from './shared/id.js';

/** Who is acting. Connections act for their tenant; API keys for theirs, or any when platform-wide. */
export type Actor =
  | { readonly type: 'connection'; readonly id: string; readonly tenantId: string }
  | { readonly type: 'apiKey'; readonly id: string; readonly tenantId: string | null; readonly role: ApiKeyRole }
  | { readonly type: 'system' };

/** The context of one call into the domain: who, on which tenant, for which request. */
export interface Ctx {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly requestId: string | null;
}

export const systemActor: Actor = Object.freeze({ type: 'system' });

export function isPlatformAdmin(actor: Actor): boolean {
  return actor.type === 'system' || (actor.type === 'apiKey' && actor.tenantId === null && actor.role === 'admin');
}

export function canReadTenant(actor: Actor, tenantId: string): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'connection') return actor.tenantId === tenantId;
  return actor.tenantId === null || actor.tenantId === tenantId;
}

/** Tenant scoping for reads. A tenant the caller may not see does not exist for it. */
export function assertCanRead(ctx: Ctx): void {
  if (!isUuid(ctx.tenantId)) throw new NotFoundError('Tenant', ctx.tenantId);
  if (!canReadTenant(ctx.actor, ctx.tenantId)) throw new ForbiddenError('This credential cannot access that tenant');
}

/** Tenant scoping for writes, and read-only keys. */
export function assertCanWrite(ctx: Ctx): void {
  assertCanRead(ctx);
  if (ctx.actor.type === 'apiKey' && ctx.actor.role !== 'admin') {
    throw new ForbiddenError('This API key is read-only');
  }
}

export function actorFields(actor: Actor): { actorType: 'connection' | 'apiKey' | 'system'; actorId: string | null } {
  return { actorType: actor.type, actorId: actor.type === 'system' ? null : actor.id };
}
