import { Migration } from '@mikro-orm/migrations';

/**
 * Columns that hold documents Roster only reads back — a user's multi-valued attributes and
 * extensions, a group's extensions, the payloads of the audit log, change events and webhook
 * deliveries — are never filtered, joined or sorted on, so ANALYZE keeps no statistics of them
 * (docs/operations.md#planner-statistics): their values were what most of an ANALYZE of those
 * tables cost, and the planner never asks for them.
 */
const PAYLOAD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  users: ['extensions', 'emails', 'phone_numbers', 'ims', 'photos', 'roles', 'entitlements', 'x509_certificates', 'addresses'],
  groups: ['extensions'],
  audit_events: ['changes', 'error_detail'],
  change_events: ['changed_attributes', 'data'],
  webhook_deliveries: ['payload'],
};

const setStatistics = (target: number) =>
  Object.entries(PAYLOAD_COLUMNS).map(
    ([table, columns]) => `alter table "${table}" ${columns.map((c) => `alter column "${c}" set statistics ${target}`).join(', ')};`,
  );

export class Migration20261209090000_payload_statistics extends Migration {
  override async up(): Promise<void> {
    for (const sql of setStatistics(0)) this.addSql(sql);
  }

  override async down(): Promise<void> {
    // -1: the server's default_statistics_target again.
    for (const sql of setStatistics(-1)) this.addSql(sql);
  }
}
