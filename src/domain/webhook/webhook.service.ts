import { assertCanRead, assertCanWrite, canReadTenant, type Actor, type Ctx } from '../context.js';
import { NotFoundError } from '../errors.js';
import type { ListResult } from '../ports.js';
import { canonicalId, isUuid } from '../shared/id.js';
import { pruneInBatches, recordAudit, type ServiceDeps } from '../shared/service-kit.js';
import { EVENT_TYPES } from '../event/event.js';
import { checkTarget, resolveHost, type TargetPolicy } from './url-guard.js';
import {
  newWebhookSecret,
  normaliseDescription,
  normaliseEventTypes,
  normaliseSecretOverlap,
  type WebhookDelivery,
  type WebhookEndpoint,
} from './webhook.js';

export type WebhookService = ReturnType<typeof createWebhookService>;

export interface EndpointInput {
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string | null;
}

export interface EndpointChange {
  readonly url?: string | null;
  readonly events?: readonly string[] | null;
  readonly description?: string | null;
}

/** Where a URL may point unless the operator says otherwise: public addresses over https. */
export const DEFAULT_TARGET_POLICY: TargetPolicy = Object.freeze({ allowPrivateNetworks: false, resolve: resolveHost });

/**
 * Webhook endpoints (docs/architecture.md#webhooks): registration, changes, the signing secret
 * (shown once, on create and on rotation), the list of deliveries and redelivery. Every change
 * is one transaction with its audit event.
 */
export function createWebhookService(deps: ServiceDeps) {
  const { store } = deps;
  const policy = deps.webhookTargets ?? DEFAULT_TARGET_POLICY;
  const audit = (r: Parameters<typeof recordAudit>[1], ctx: Ctx, action: string, id: string, changes: readonly string[] = []) =>
    recordAudit(deps, r, ctx, { action, resourceType: 'WebhookEndpoint', resourceId: id, changes });

  /** The URL, checked against the target policy after DNS resolution; its canonical form is kept. */
  const checkedUrl = async (url: unknown): Promise<string> => (await checkTarget(url, policy)).url.toString();

  async function change(ctx: Ctx, id: string, fn: (e: WebhookEndpoint) => Promise<WebhookEndpoint> | WebhookEndpoint, action: string): Promise<WebhookEndpoint> {
    return store.write(async (r) => {
      const current = await r.webhookEndpoints.get(ctx.tenantId, id, { forUpdate: true });
      if (!current) throw new NotFoundError('WebhookEndpoint', id);
      const next = await fn(current);
      const changes = (['url', 'events', 'description', 'enabled'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
      if (changes.length === 0) return current;
      const saved = { ...next, updatedAt: deps.now() };
      await r.webhookEndpoints.update(saved);
      await audit(r, ctx, action, id, changes);
      return saved;
    });
  }

  return {
    /** Which tenant holds the endpoint, if the actor may see it. */
    async locateEndpoint(actor: Actor, id: string): Promise<string | null> {
      if (typeof id !== 'string' || !isUuid(id)) return null;
      const tenantId = await store.read((r) => r.webhookEndpoints.locate(canonicalId(id)));
      return tenantId && canReadTenant(actor, tenantId) ? tenantId : null;
    },

    /** Which tenant holds the delivery, if the actor may see it. */
    async locateDelivery(actor: Actor, id: string): Promise<string | null> {
      if (typeof id !== 'string' || !isUuid(id)) return null;
      const tenantId = await store.read((r) => r.webhookDeliveries.locate(canonicalId(id)));
      return tenantId && canReadTenant(actor, tenantId) ? tenantId : null;
    },

    async list(ctx: Ctx): Promise<WebhookEndpoint[]> {
      assertCanRead(ctx);
      return store.read((r) => r.webhookEndpoints.list(ctx.tenantId));
    },

    async get(ctx: Ctx, id: string): Promise<WebhookEndpoint> {
      assertCanRead(ctx);
      const e = await store.read((r) => r.webhookEndpoints.get(ctx.tenantId, id));
      if (!e) throw new NotFoundError('WebhookEndpoint', id);
      return e;
    },

    /** Registers an endpoint; its signing secret is returned here, and on rotation, only. */
    async create(ctx: Ctx, input: EndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      assertCanWrite(ctx);
      const events = normaliseEventTypes(input.events, EVENT_TYPES);
      const description = normaliseDescription(input.description);
      const url = await checkedUrl(input.url);
      return store.write(async (r) => {
        if (!(await r.tenants.get(ctx.tenantId))) throw new NotFoundError('Tenant', ctx.tenantId);
        const now = deps.now();
        const endpoint: WebhookEndpoint = { id: deps.newId(), tenantId: ctx.tenantId, url, events, description, enabled: true, disabledReason: null, createdAt: now, updatedAt: now, secretRotatedAt: null, previousSecretExpiresAt: null };
        const secret = newWebhookSecret();
        await r.webhookEndpoints.insert(endpoint, secret);
        await audit(r, ctx, 'webhookEndpoint.create', endpoint.id, ['url', 'events', ...(description ? ['description'] : []), 'secret']);
        return { endpoint, secret };
      });
    },

    async update(ctx: Ctx, id: string, c: EndpointChange): Promise<WebhookEndpoint> {
      assertCanWrite(ctx);
      const events = c.events != null ? normaliseEventTypes(c.events, EVENT_TYPES) : null;
      const description = c.description !== undefined ? normaliseDescription(c.description) : undefined;
      const url = c.url != null ? await checkedUrl(c.url) : null;
      return change(ctx, id, (e) => ({ ...e, url: url ?? e.url, events: events ?? e.events, description: description === undefined ? e.description : description }), 'webhookEndpoint.update');
    },

    /** Stops deliveries to the endpoint; pending ones wait, and go out in order when it is enabled again. */
    async disable(ctx: Ctx, id: string): Promise<WebhookEndpoint> {
      assertCanWrite(ctx);
      return change(ctx, id, (e) => ({ ...e, enabled: false, disabledReason: e.enabled ? 'manual' : e.disabledReason }), 'webhookEndpoint.disable');
    },

    /** Resumes deliveries; the URL is checked again, since what it resolves to may have changed. */
    async enable(ctx: Ctx, id: string): Promise<WebhookEndpoint> {
      assertCanWrite(ctx);
      return change(
        ctx,
        id,
        async (e) => {
          if (!e.enabled) await checkedUrl(e.url);
          return { ...e, enabled: true, disabledReason: null };
        },
        'webhookEndpoint.enable',
      );
    },

    /** Deletes the endpoint and its deliveries. */
    async delete(ctx: Ctx, id: string): Promise<void> {
      assertCanWrite(ctx);
      await store.write(async (r) => {
        if (!(await r.webhookEndpoints.delete(ctx.tenantId, id))) throw new NotFoundError('WebhookEndpoint', id);
        await audit(r, ctx, 'webhookEndpoint.delete', id);
      });
    },

    /**
     * A new signing secret, returned once; the next attempt is signed with it and, for
     * `overlapSeconds` (24 hours when left out; 0 for none), with the secret it replaces too, so
     * receivers switch over without refusing a delivery.
     */
    async rotateSecret(ctx: Ctx, id: string, opts: { overlapSeconds?: number | null } = {}): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      assertCanWrite(ctx);
      const overlap = normaliseSecretOverlap(opts.overlapSeconds);
      return store.write(async (r) => {
        const secret = newWebhookSecret();
        const now = deps.now();
        const previousUntil = overlap > 0 ? new Date(now.getTime() + overlap * 1000) : null;
        if (!(await r.webhookEndpoints.setSecret(ctx.tenantId, id, secret, now, previousUntil))) throw new NotFoundError('WebhookEndpoint', id);
        await audit(r, ctx, 'webhookEndpoint.rotate', id, ['secret']);
        const endpoint = await r.webhookEndpoints.get(ctx.tenantId, id);
        return { endpoint: endpoint!, secret };
      });
    },

    /** The endpoint's deliveries, newest first. */
    async deliveries(ctx: Ctx, endpointId: string, page: { cursor: string | null; limit: number }): Promise<ListResult<WebhookDelivery>> {
      assertCanRead(ctx);
      return store.read(async (r) => {
        if (!(await r.webhookEndpoints.get(ctx.tenantId, endpointId))) throw new NotFoundError('WebhookEndpoint', endpointId);
        return r.webhookDeliveries.list(ctx.tenantId, endpointId, page);
      });
    },

    /**
     * Deletes deliveries delivered or given up more than `retentionDays` ago, `batch` at a time,
     * each batch its own short transaction; pending ones stay whatever their age. Returns how
     * many went (docs/operations.md#event-retention).
     */
    async pruneDeliveries(retentionDays: number, batch = 1000): Promise<number> {
      return pruneInBatches(deps, retentionDays, batch, (r, before, n) => r.webhookDeliveries.prune(before, n));
    },

    /** Drops the secrets rotations replaced once their overlap has ended; returns how many. */
    async forgetExpiredSecrets(): Promise<number> {
      return store.write((r) => r.webhookEndpoints.forgetExpiredSecrets());
    },

    /** Queues the delivery's event again for its endpoint, behind what is already queued; same webhook-id. */
    async redeliver(ctx: Ctx, deliveryId: string): Promise<WebhookDelivery> {
      assertCanWrite(ctx);
      return store.write(async (r) => {
        const d = await r.webhookDeliveries.redeliver(ctx.tenantId, deliveryId, deps.newId(), deps.now());
        if (!d) throw new NotFoundError('WebhookDelivery', deliveryId);
        await recordAudit(deps, r, ctx, { action: 'webhookDelivery.redeliver', resourceType: 'WebhookEndpoint', resourceId: d.endpointId, changes: [] });
        return d;
      });
    },
  };
}
