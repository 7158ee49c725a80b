import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook endpoints and the delivery queue (docs/architecture.md#webhooks): each endpoint's pending
 * deliveries in feed order (`seq`), attempted under leases so that several Roster processes on one
 * database never send the same attempt twice.
 */
export class Migration20261204120000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "webhook_endpoints" ("id" uuid not null, "tenant_id" uuid not null, "url" text not null, "events" jsonb not null, "description" text null, "secret" text not null, "enabled" boolean not null, "disabled_reason" varchar(16) null, "secret_rotated_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "webhook_endpoints_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoints_tenant_id_index" on "webhook_endpoints" ("tenant_id", "id");`);
    this.addSql(`create table "webhook_deliveries" ("id" uuid not null, "seq" bigserial, "tenant_id" uuid not null, "endpoint_id" uuid not null, "event_id" uuid not null, "event_type" varchar(64) not null, "payload" jsonb not null, "redelivery_of" uuid null, "status" varchar(16) not null, "attempts" int not null, "first_attempt_at" timestamptz null, "last_attempt_at" timestamptz null, "last_status_code" int null, "last_error" text null, "next_attempt_at" timestamptz null, "delivered_at" timestamptz null, "lease_token" uuid null, "lease_until" timestamptz null, "created_at" timestamptz not null, constraint "webhook_deliveries_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_seq_unique" unique ("seq");`);
    this.addSql(`create index "webhook_deliveries_tenant_endpoint_id_index" on "webhook_deliveries" ("tenant_id", "endpoint_id", "id");`);
    this.addSql(`create index "webhook_deliveries_pending_index" on "webhook_deliveries" ("endpoint_id", "seq") where "status" = 'pending';`);
    this.addSql(`create unique index "webhook_deliveries_endpoint_event_unique" on "webhook_deliveries" ("endpoint_id", "event_id") where "redelivery_of" is null;`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);
  }
}
