import { Migration } from '@mikro-orm/migrations';

/**
 * The change events outbox (docs/architecture.md#change-events): `xid` is the writing
 * transaction's id, so readers can tell which events no running transaction can still precede.
 */
export class Migration20261204140000_change_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "change_events" ("seq" bigserial primary key, "xid" xid8 not null default pg_current_xact_id(), "id" uuid not null, "tenant_id" uuid not null, "type" varchar(64) not null, "occurred_at" timestamptz not null, "resource_type" varchar(32) not null, "resource_id" uuid not null, "actor_type" varchar(16) not null, "actor_id" uuid null, "request_id" varchar(128) null, "changed_attributes" jsonb not null, "data" jsonb not null);`);
    this.addSql(`create index "change_events_tenant_position_index" on "change_events" ("tenant_id", "xid", "seq");`);
    this.addSql(`create index "change_events_tenant_resource_index" on "change_events" ("tenant_id", "resource_id", "xid", "seq");`);
    this.addSql(`create index "change_events_position_index" on "change_events" ("xid", "seq");`);
    this.addSql(`create index "change_events_occurred_at_index" on "change_events" ("occurred_at");`);
    this.addSql(`alter table "change_events" add constraint "change_events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "change_events";`);
  }
}
