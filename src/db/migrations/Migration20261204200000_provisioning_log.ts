import { Migration } from '@mikro-orm/migrations';

/**
 * The provisioning log (docs/architecture.md#audit-events): a refused write keeps its error code, a message
 * without request values, and for a refused SCIM user create the userName it was for. Failures are
 * few among many successes, so listing them reads a partial index.
 */
export class Migration20261204200000_provisioning_log extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "audit_events" add column "error_code" varchar(32) null, add column "error_detail" text null, add column "user_name" text null;`);
    this.addSql(`create index "audit_events_tenant_failure_index" on "audit_events" ("tenant_id", "id") where "outcome" = 'failure';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "audit_events_tenant_failure_index";`);
    this.addSql(`alter table "audit_events" drop column "error_code", drop column "error_detail", drop column "user_name";`);
  }
}
