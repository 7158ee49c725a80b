import type { ClaimedDelivery, WebhookDeliveryRepository, WebhookEndpointRepository } from '../../domain/webhook/webhook.ports.js';
import type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from '../../domain/webhook/webhook.js';
import { decodeCursor, encodeCursor } from '../../domain/shared/cursor.js';
import { isUuid } from '../../domain/shared/id.js';
import { exec, ID_ARRAY, jsonParam, query, toDate, toDateOrNull, type Db } from '../sql.js';

/** The transaction-scoped advisory lock one process holds while it fans events out. */
const FAN_OUT_LOCK = 7_265_001;

/** The channel a trigger notifies when an endpoint is created enabled or enabled again (the webhook_endpoint_notify migration). */
export const WEBHOOK_ENDPOINTS_CHANNEL = 'roster_webhook_endpoints';

interface EndpointRow {
  id: string; tenant_id: string; url: string; events: string[]; description: string | null; secret: string; enabled: boolean;
  disabled_reason: 'manual' | 'failing' | null; secret_rotated_at: Date | null; previous_secret_expires_at: Date | null; created_at: Date; updated_at: Date;
}
const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  events: r.events,
  description: r.description,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  secretRotatedAt: toDateOrNull(r.secret_rotated_at),
  previousSecretExpiresAt: toDateOrNull(r.previous_secret_expires_at),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

/** Whether the secret a rotation replaced still signs: its overlap has not ended. */
const PREVIOUS_SECRET_LIVE = 'previous_secret_expires_at > now()';
const ENDPOINT_COLUMNS = `id, tenant_id, url, events, description, enabled, disabled_reason, secret_rotated_at,
  case when ${PREVIOUS_SECRET_LIVE} then previous_secret_expires_at end as previous_secret_expires_at, created_at, updated_at`;

export function createWebhookEndpointRepository(db: Db): WebhookEndpointRepository {
  return {
    async enabledIn(tenantIds) {
      const rows = await query<EndpointRow>(db, `select ${ENDPOINT_COLUMNS} from webhook_endpoints where tenant_id = any(${ID_ARRAY}) and enabled order by id`, [tenantIds]);
      return rows.map(toEndpoint);
    },
    async locate(id) {
      if (!isUuid(id)) return null;
      const [r] = await query<{ tenant_id: string }>(db, 'select tenant_id from webhook_endpoints where id = ?::uuid', [id]);
      return r?.tenant_id ?? null;
    },
    async get(tenantId, id, opts) {
      if (!isUuid(id)) return null;
      const [r] = await query<EndpointRow>(db, `select ${ENDPOINT_COLUMNS} from webhook_endpoints where tenant_id = ? and id = ?::uuid${opts?.forUpdate ? ' for update' : ''}`, [tenantId, id]);
      return r ? toEndpoint(r) : null;
    },
    async list(tenantId) {
      return (await query<EndpointRow>(db, `select ${ENDPOINT_COLUMNS} from webhook_endpoints where tenant_id = ? order by id`, [tenantId])).map(toEndpoint);
    },
    async insert(e, secret) {
      await exec(
        db,
        `insert into webhook_endpoints (id, tenant_id, url, events, description, secret, enabled, disabled_reason, secret_rotated_at, created_at, updated_at)
         values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)`,
        [e.id, e.tenantId, e.url, jsonParam(e.events), e.description, secret, e.enabled, e.disabledReason, e.secretRotatedAt, e.createdAt, e.updatedAt],
      );
    },
    async update(e) {
      await exec(
        db,
        'update webhook_endpoints set url = ?, events = ?::jsonb, description = ?, enabled = ?, disabled_reason = ?, updated_at = ? where tenant_id = ? and id = ?',
        [e.url, jsonParam(e.events), e.description, e.enabled, e.disabledReason, e.updatedAt, e.tenantId, e.id],
      );
    },
    async setSecret(tenantId, id, secret, at, previousUntil) {
      if (!isUuid(id)) return false;
      // The right-hand "secret" is the row's value before this update: the one being replaced.
      return (
        (await exec(
          db,
          `update webhook_endpoints
           set previous_secret = case when ?::timestamptz is null then null else secret end, previous_secret_expires_at = ?::timestamptz,
               secret = ?, secret_rotated_at = ?, updated_at = ?
           where tenant_id = ? and id = ?::uuid`,
          [previousUntil, previousUntil, secret, at, at, tenantId, id],
        )) > 0
      );
    },
    async forgetExpiredSecrets() {
      return exec(db, 'update webhook_endpoints set previous_secret = null, previous_secret_expires_at = null where previous_secret_expires_at <= now()', []);
    },
    async delete(tenantId, id) {
      if (!isUuid(id)) return false;
      return (await exec(db, 'delete from webhook_endpoints where tenant_id = ? and id = ?::uuid', [tenantId, id])) > 0;
    },
  };
}

interface DeliveryRow {
  id: string; tenant_id: string; endpoint_id: string; event_id: string; event_type: string; status: DeliveryStatus; attempts: number;
  last_status_code: number | null; last_error: string | null; last_attempt_at: Date | null; next_attempt_at: Date | null;
  delivered_at: Date | null; created_at: Date;
}
const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  tenantId: r.tenant_id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastAttemptAt: toDateOrNull(r.last_attempt_at),
  nextAttemptAt: toDateOrNull(r.next_attempt_at),
  deliveredAt: toDateOrNull(r.delivered_at),
  createdAt: toDate(r.created_at),
});
const DELIVERY_COLUMNS =
  'id, tenant_id, endpoint_id, event_id, event_type, status, attempts, last_status_code, last_error, last_attempt_at, next_attempt_at, delivered_at, created_at';

interface ClaimRow {
  id: string; tenant_id: string; endpoint_id: string; event_id: string; event_type: string; payload: unknown; url: string; secret: string;
  previous_secret: string | null; attempts: number; first_attempt_at: Date; lease_token: string;
}

/** Clears the lease of the claim that is still ours; the outcome's columns come first. */
const OUTCOME = 'last_status_code = ?, last_error = ?, last_attempt_at = now(), lease_token = null, lease_until = null';
const OURS = 'where id = ? and lease_token = ?';
/** When a delivery that is no longer pending last moved: delivered, last attempted, or (given up unattempted) queued. */
const SETTLED_AT = 'coalesce(delivered_at, last_attempt_at, created_at)';

export function createWebhookDeliveryRepository(db: Db): WebhookDeliveryRepository {
  return {
    async locate(id) {
      if (!isUuid(id)) return null;
      const [r] = await query<{ tenant_id: string }>(db, 'select tenant_id from webhook_deliveries where id = ?::uuid', [id]);
      return r?.tenant_id ?? null;
    },
    async get(tenantId, id) {
      if (!isUuid(id)) return null;
      const [r] = await query<DeliveryRow>(db, `select ${DELIVERY_COLUMNS} from webhook_deliveries where tenant_id = ? and id = ?::uuid`, [tenantId, id]);
      return r ? toDelivery(r) : null;
    },
    // Newest first; ids are time-ordered UUIDs, so the id is the keyset.
    async list(tenantId, endpointId, page) {
      const params: unknown[] = [tenantId, endpointId];
      let after = '';
      if (page.cursor !== null) {
        const [id] = decodeCursor(page.cursor, 'after', (p): p is [string] => p.length === 1 && typeof p[0] === 'string' && isUuid(p[0]));
        after = ' and id < ?::uuid';
        params.push(id);
      }
      const rows = await query<DeliveryRow>(
        db,
        `select ${DELIVERY_COLUMNS} from webhook_deliveries where tenant_id = ? and endpoint_id = ?${after} order by id desc limit ?`,
        [...params, page.limit + 1],
      );
      return { items: rows.slice(0, page.limit).map((r) => ({ node: toDelivery(r), cursor: encodeCursor([r.id]) })), total: null, hasMore: rows.length > page.limit };
    },
    async beginFanOut() {
      // An advisory lock, not a row lock: taking it gives the transaction no id, so the outbox's
      // "settled" horizon (the oldest running transaction) is not held back by this one.
      const [got] = await query<{ taken: boolean; endpoints: boolean }>(
        db,
        'select pg_try_advisory_xact_lock(?) as taken, exists (select 1 from webhook_endpoints where enabled) as endpoints',
        [FAN_OUT_LOCK],
      );
      const taken = got?.taken === true;
      const endpoints = got?.endpoints !== false;
      if (!taken) return { taken, position: null, endpoints };
      const [r] = await query<{ position: string }>(db, "select position from webhook_fan_out where name = 'events'");
      return { taken, position: r?.position ?? null, endpoints };
    },
    async enqueue(deliveries) {
      // One statement; `ordinality` keeps the order given, which `seq` then records.
      await exec(
        db,
        `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
         select d.id, d.tenant_id, d.endpoint_id, d.event_id, d.event_type, d.payload, 'pending', 0, d.created_at, d.created_at
         from rows from (jsonb_to_recordset(?::jsonb) as (id uuid, tenant_id uuid, endpoint_id uuid, event_id uuid, event_type text, payload jsonb, created_at timestamptz))
           with ordinality as d(id, tenant_id, endpoint_id, event_id, event_type, payload, created_at, n)
         order by d.n
         on conflict do nothing`,
        [jsonParam(deliveries.map((d) => ({ id: d.id, tenant_id: d.tenantId, endpoint_id: d.endpointId, event_id: d.eventId, event_type: d.eventType, payload: d.payload, created_at: d.createdAt })))],
      );
    },
    async endFanOut(position) {
      await exec(db, "insert into webhook_fan_out (name, position) values ('events', ?) on conflict (name) do update set position = excluded.position", [position]);
    },
    async redeliver(tenantId, deliveryId, newId, at) {
      if (!isUuid(deliveryId)) return null;
      const [r] = await query<DeliveryRow>(
        db,
        `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, payload, redelivery_of, status, attempts, next_attempt_at, created_at)
         select ?, tenant_id, endpoint_id, event_id, event_type, payload, id, 'pending', 0, ?, ? from webhook_deliveries where tenant_id = ? and id = ?::uuid
         returning ${DELIVERY_COLUMNS}`,
        [newId, at, at, tenantId, deliveryId],
      );
      return r ? toDelivery(r) : null;
    },
    async claim(limit, leaseMs, endpointId) {
      // The head of each enabled endpoint's queue (lowest seq among its pending deliveries) is the
      // only candidate: an endpoint's next event waits until the one before is delivered or given up.
      // The candidates are locked with SKIP LOCKED and checked again once locked, so a delivery
      // another process claimed meanwhile (its lease now in the future) is left alone.
      const rows = await query<ClaimRow>(
        db,
        `with heads as (
           select h.id from webhook_endpoints ep
           cross join lateral (
             select d.id, d.next_attempt_at, d.lease_until from webhook_deliveries d
             where d.endpoint_id = ep.id and d.status = 'pending' order by d.seq limit 1
           ) h
           where ep.enabled and (?::uuid is null or ep.id = ?::uuid) and h.next_attempt_at <= now() and (h.lease_until is null or h.lease_until < now())
           order by h.next_attempt_at
           limit ?
         ), locked as (
           select d.id from webhook_deliveries d
           where d.id in (select id from heads) and d.status = 'pending' and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now())
           for update of d skip locked
         )
         update webhook_deliveries d
         set lease_token = gen_random_uuid(), lease_until = now() + ? * interval '1 millisecond', attempts = d.attempts + 1,
             first_attempt_at = coalesce(d.first_attempt_at, now())
         from locked, webhook_endpoints ep
         where d.id = locked.id and ep.id = d.endpoint_id and ep.tenant_id = d.tenant_id
         returning d.id, d.tenant_id, d.endpoint_id, d.event_id, d.event_type, d.payload, ep.url, ep.secret,
           case when ep.${PREVIOUS_SECRET_LIVE} then ep.previous_secret end as previous_secret, d.attempts, d.first_attempt_at, d.lease_token`,
        [endpointId ?? null, endpointId ?? null, limit, leaseMs],
      );
      return rows.map(
        (r): ClaimedDelivery => ({
          id: r.id,
          tenantId: r.tenant_id,
          endpointId: r.endpoint_id,
          eventId: r.event_id,
          eventType: r.event_type,
          payload: r.payload,
          url: r.url,
          secret: r.secret,
          previousSecret: r.previous_secret,
          attempts: r.attempts,
          firstAttemptAt: toDate(r.first_attempt_at),
          leaseToken: r.lease_token,
        }),
      );
    },
    async succeed(d, o) {
      return (await exec(db, `update webhook_deliveries set status = 'delivered', delivered_at = now(), next_attempt_at = null, ${OUTCOME} ${OURS}`, [o.statusCode, o.error, d.id, d.leaseToken])) > 0;
    },
    async retry(d, o, delayMs) {
      return (await exec(db, `update webhook_deliveries set next_attempt_at = now() + ? * interval '1 millisecond', ${OUTCOME} ${OURS}`, [delayMs, o.statusCode, o.error, d.id, d.leaseToken])) > 0;
    },
    async giveUp(d, o) {
      return (await exec(db, `update webhook_deliveries set status = 'failed', next_attempt_at = null, ${OUTCOME} ${OURS}`, [o.statusCode, o.error, d.id, d.leaseToken])) > 0;
    },
    async failPending(tenantId, endpointId, reason) {
      return exec(
        db,
        `update webhook_deliveries set status = 'failed', next_attempt_at = null, last_error = coalesce(last_error, ?), lease_token = null, lease_until = null
         where tenant_id = ? and endpoint_id = ? and status = 'pending'`,
        [reason, tenantId, endpointId],
      );
    },
    async prune(before, limit) {
      // Small batches through webhook_deliveries_settled_index, whose expression and predicate
      // these repeat; a pending delivery is outside that index and never chosen.
      return exec(
        db,
        `delete from webhook_deliveries where id in (
           select id from webhook_deliveries where status <> 'pending' and ${SETTLED_AT} < ? order by ${SETTLED_AT} limit ?)`,
        [before, limit],
      );
    },
  };
}
