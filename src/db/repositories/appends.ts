import type { AuditEvent } from '../../domain/audit/audit.js';
import type { NewChangeEvent } from '../../domain/event/event.js';
import { jsonParam, later, waiting, type Db, type Statement } from '../sql.js';

/** Wakes subscribers in every Roster process when a transaction that wrote events commits. */
export const EVENTS_CHANNEL = 'roster_events';

/**
 * The audit and change events of one unit of work, kept until its end and then written with the
 * unit's last writes, in one statement (docs/architecture.md#statements-per-request): both tables
 * are append-only and nothing in the unit reads them back, so they land in the same transaction as
 * the change, just later.
 */
export interface Appends {
  readonly audit: AuditEvent[];
  readonly events: NewChangeEvent[];
}

export const newAppends = (): Appends => ({ audit: [], events: [] });

/**
 * Audit rows and event rows, each from a JSON array. An event's xid defaults to
 * pg_current_xact_id(), the top-level transaction's id even inside a savepoint; events take their
 * sequence numbers in the order given. Other processes hear of the events once the transaction
 * committed (src/db/event-announcer.ts), never from inside it.
 */
const INSERT_AUDIT = `insert into audit_events (id, tenant_id, occurred_at, actor_type, actor_id, action, resource_type, resource_id, changes, request_id, outcome,
    error_code, error_detail, user_name)
  select x.id, x.tenant_id, x.occurred_at, x.actor_type, x.actor_id, x.action, x.resource_type, x.resource_id, x.changes, x.request_id, x.outcome,
    x.error_code, x.error_detail, x.user_name
  from jsonb_to_recordset(?::jsonb) as x(id uuid, tenant_id uuid, occurred_at timestamptz, actor_type text, actor_id uuid, action text,
    resource_type text, resource_id uuid, changes jsonb, request_id text, outcome text, error_code text, error_detail text, user_name text)`;
const insertEvents = (data: string) => `insert into change_events (id, tenant_id, type, occurred_at, resource_type, resource_id, actor_type, actor_id, request_id, changed_attributes, data)
  select x.id, x.tenant_id, x.type, x.occurred_at, x.resource_type, x.resource_id, x.actor_type, x.actor_id, x.request_id, x.changed_attributes, ${data}
  from jsonb_to_recordset(?::jsonb) as x(id uuid, tenant_id uuid, type text, occurred_at timestamptz, resource_type text, resource_id uuid,
    actor_type text, actor_id uuid, request_id text, changed_attributes jsonb, data jsonb, versions_after int)`;
const INSERT_EVENTS = insertEvents('x.data');

/**
 * The name of a waiting write that moves resources' versions and returns `id, version`
 * (GroupRepository.moveVersion). The unit's change events about those resources take their
 * `data.version` from it, the version the write gave, which only the statement knows: concurrent
 * membership changes of one group each move it on without waiting for the others' reads
 * (docs/architecture.md#memberships).
 */
export const MOVED_VERSIONS = 'moved_versions';
const INSERT_EVENTS_MOVED = insertEvents(
  `x.data || coalesce((select jsonb_build_object('version', v.version - coalesce(x.versions_after, 0)) from ${MOVED_VERSIONS} v where v.id = x.resource_id), '{}'::jsonb)`,
);

const auditRow = (e: AuditEvent) => ({
  id: e.id, tenant_id: e.tenantId, occurred_at: e.occurredAt, actor_type: e.actorType, actor_id: e.actorId, action: e.action,
  resource_type: e.resourceType, resource_id: e.resourceId, changes: e.changes, request_id: e.requestId, outcome: e.outcome,
  error_code: e.errorCode, error_detail: e.errorDetail, user_name: e.userName,
});

const eventRow = (e: NewChangeEvent) => ({
  id: e.id, tenant_id: e.tenantId, type: e.type, occurred_at: e.occurredAt, resource_type: e.resourceType, resource_id: e.resourceId,
  actor_type: e.actorType, actor_id: e.actorId, request_id: e.requestId, changed_attributes: e.changedAttributes, data: e.data,
  ...(e.versionsAfter ? { versions_after: e.versionsAfter } : {}),
});

/**
 * Writes the rows, in the same statement as the unit's other last writes when it runs in a
 * transaction of its own (`later` in src/db/sql.ts), else in one statement of their own.
 */
export async function writeAppends(db: Db, rows: { readonly audit: readonly AuditEvent[]; readonly events: readonly NewChangeEvent[] }): Promise<void> {
  const statements: Statement[] = [];
  if (rows.audit.length > 0) statements.push({ sql: INSERT_AUDIT, params: [jsonParam(rows.audit.map(auditRow))] });
  if (rows.events.length > 0) {
    const params = [jsonParam(rows.events.map(eventRow))];
    statements.push(waiting(db, MOVED_VERSIONS) ? { sql: INSERT_EVENTS_MOVED, params, uses: MOVED_VERSIONS } : { sql: INSERT_EVENTS, params });
  }
  await later(db, statements);
}

/** Writes what a unit of work kept and forgets it; called at the end of the unit, inside its transaction. */
export async function flushAppends(db: Db, kept: Appends): Promise<void> {
  const rows = { audit: kept.audit.splice(0), events: kept.events.splice(0) };
  await writeAppends(db, rows);
}
