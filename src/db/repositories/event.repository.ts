import type { ActorType } from '../../domain/audit/audit.js';
import { InvalidValueError } from '../../domain/errors.js';
import type { ChangeEvent, EventData, EventResourceType, EventType } from '../../domain/event/event.js';
import { isUuid } from '../../domain/shared/id.js';
import type { EventRepository } from '../../domain/ports.js';
import { exec, query, TEXT_ARRAY, toDate, type Db } from '../sql.js';
import { writeAppends, type Appends } from './appends.js';

/**
 * The change events outbox (docs/architecture.md#change-events). An event's position is the
 * writing transaction's id (`xid`, xid8) and a sequence number (`seq`); readers see only events of
 * transactions older than every transaction still running, so no event can later commit before a
 * position a reader has passed.
 */

export { EVENTS_CHANNEL } from './appends.js';

/** Only events no running transaction can still precede (docs/architecture.md#change-events). */
const SETTLED = 'xid < pg_snapshot_xmin(pg_current_snapshot())';

interface EventRow {
  seq: string; xid: string; id: string; tenant_id: string; type: EventType; occurred_at: Date;
  resource_type: EventResourceType; resource_id: string; actor_type: ActorType; actor_id: string | null;
  request_id: string | null; changed_attributes: string[]; data: EventData;
}

const FORWARD = 'change_events.xid, change_events.seq';
const BACKWARD = 'change_events.xid desc, change_events.seq desc';

const DIGITS = 20;
/** Zero-padded, so positions compare as strings the way (xid, seq) compare as numbers. */
export const formatPosition = (xid: string, seq: string): string => `${xid.padStart(DIGITS, '0')}.${seq.padStart(DIGITS, '0')}`;

const POSITION = /^(\d{1,20})\.(\d{1,20})$/;
/** The (xid, seq) of a position this API issued; `field` names the argument when it is not one. */
export function parsePosition(position: string, field: string): [string, string] {
  const m = POSITION.exec(position);
  if (!m) throw new InvalidValueError('the position is not one this API returned', field);
  return [m[1]!.replace(/^0+(?=\d)/, ''), m[2]!.replace(/^0+(?=\d)/, '')];
}

const toEvent = (r: EventRow): ChangeEvent => ({
  id: r.id,
  tenantId: r.tenant_id,
  position: formatPosition(r.xid, r.seq),
  type: r.type,
  occurredAt: toDate(r.occurred_at),
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  actorType: r.actor_type,
  actorId: r.actor_id,
  requestId: r.request_id,
  changedAttributes: r.changed_attributes,
  data: r.data,
});

/**
 * `xid` and `seq` leave as text (JavaScript has no 64-bit integer), under their own names; so
 * every ORDER BY names the table's columns (`FORWARD`, `BACKWARD`), or PostgreSQL would sort the text and put
 * position 1000 before 999.
 */
const NARROW_COLUMNS = 'seq::text as seq, xid::text as xid, id, tenant_id, type, occurred_at, resource_type, resource_id, actor_type, actor_id, request_id, changed_attributes';
const COLUMNS = `${NARROW_COLUMNS}, data`;

/** Settled events after a position (or from the oldest). */
function nextAfter(after: string | null): { sql: string; params: unknown[] } {
  if (after === null) return { sql: SETTLED, params: [] };
  return { sql: `${SETTLED} and (xid, seq) > (?::xid8, ?::bigint)`, params: parsePosition(after, 'after') };
}

/** `kept`: the unit of work's appends, written at its end; without it each event is written at once. */
export function createEventRepository(db: Db, kept: Appends | null = null): EventRepository {
  return {
    async append(e) {
      if (kept) kept.events.push(e);
      else await writeAppends(db, { audit: [], events: [e] });
    },

    async list(tenantId, filter, page) {
      const where = ['tenant_id = ?', SETTLED];
      const params: unknown[] = [tenantId];
      if (filter.types?.length) {
        where.push(`type = any(${TEXT_ARRAY})`);
        params.push(filter.types);
      }
      if (filter.resourceId != null) {
        if (!isUuid(filter.resourceId)) throw new InvalidValueError('"resourceId" must be an id', 'resourceId');
        where.push('resource_id = ?::uuid');
        params.push(filter.resourceId);
      }
      if (filter.since != null) {
        where.push('occurred_at >= ?');
        params.push(filter.since);
      }
      if (page.after !== null) {
        where.push('(xid, seq) > (?::xid8, ?::bigint)');
        params.push(...parsePosition(page.after, 'after'));
      }
      if (page.before !== null) {
        where.push('(xid, seq) < (?::xid8, ?::bigint)');
        params.push(...parsePosition(page.before, 'before'));
      }
      const order = page.direction === 'forward' ? FORWARD : BACKWARD;
      const rows = await query<EventRow>(db, `select ${COLUMNS} from change_events where ${where.join(' and ')} order by ${order} limit ?`, [...params, page.limit + 1]);
      const hasMore = rows.length > page.limit;
      const kept = rows.slice(0, page.limit);
      if (page.direction === 'backward') kept.reverse();
      return { items: kept.map((r) => { const node = toEvent(r); return { node, cursor: node.position }; }), total: null, hasMore };
    },

    async listAfter(after, limit) {
      const next = nextAfter(after);
      const rows = await query<EventRow>(db, `select ${COLUMNS} from change_events where ${next.sql} order by ${FORWARD} limit ?`, [...next.params, limit]);
      return rows.map(toEvent);
    },

    async listForFanOut(after, limit) {
      const next = nextAfter(after);
      // The same walk of the position index as listAfter; the document is read only where its
      // tenant has an enabled endpoint (`data` is never null in the table: null means not read).
      const rows = await query<Omit<EventRow, 'data'> & { data: EventData | null }>(
        db,
        `select ${NARROW_COLUMNS},
           case when exists (select 1 from webhook_endpoints ep where ep.tenant_id = change_events.tenant_id and ep.enabled) then data end as data
         from change_events where ${next.sql} order by ${FORWARD} limit ?`,
        [...next.params, limit],
      );
      return rows.map((r) => ({ position: formatPosition(r.xid, r.seq), event: r.data === null ? null : toEvent(r as EventRow) }));
    },

    async prune(before, limit) {
      // Small batches by primary key: each statement holds its row locks briefly (docs/architecture.md#change-events).
      return exec(db, 'delete from change_events where seq in (select seq from change_events where occurred_at < ? order by occurred_at limit ?)', [before, limit]);
    },
  };
}
