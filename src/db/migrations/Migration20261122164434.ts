import { Migration } from '@mikro-orm/migrations';

export class Migration20261122164434 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "tenants" ("id" uuid not null, "name" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "tenants_pkey" primary key ("id"));`);
    this.addSql(`create unique index "tenants_name_unique" on "tenants" (lower("name"));`);

    this.addSql(`create table "scim_connections" ("id" uuid not null, "tenant_id" uuid not null, "name" text not null, "token_hash" varchar(64) not null, "policies" jsonb not null, "created_at" timestamptz not null, "rotated_at" timestamptz null, "last_used_at" timestamptz null, constraint "scim_connections_pkey" primary key ("id"));`);
    this.addSql(`alter table "scim_connections" add constraint "scim_connections_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "scim_connections" add constraint "scim_connections_tenant_name_unique" unique ("tenant_id", "name");`);

    this.addSql(`create table "groups" ("id" uuid not null, "tenant_id" uuid not null, "display_name" text not null, "external_id" text null, "managed_by" uuid null, "extensions" jsonb not null, "version" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "groups_pkey" primary key ("id"));`);
    this.addSql(`create index "groups_managed_by_index" on "groups" ("managed_by");`);
    this.addSql(`create index "groups_tenant_id_id_index" on "groups" ("tenant_id", "id");`);
    this.addSql(`create index "groups_tenant_external_id_index" on "groups" ("tenant_id", "external_id");`);
    this.addSql(`create unique index "groups_tenant_display_name_unique" on "groups" ("tenant_id", lower("display_name"));`);

    this.addSql(`create table "audit_events" ("id" uuid not null, "tenant_id" uuid not null, "occurred_at" timestamptz not null, "actor_type" varchar(16) not null, "actor_id" uuid null, "action" varchar(64) not null, "resource_type" varchar(32) not null, "resource_id" uuid not null, "changes" jsonb not null, "request_id" varchar(128) null, "outcome" varchar(16) not null, constraint "audit_events_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_events_tenant_id_index" on "audit_events" ("tenant_id", "id");`);
    this.addSql(`create index "audit_events_tenant_resource_index" on "audit_events" ("tenant_id", "resource_id");`);
    this.addSql(`create index "audit_events_tenant_actor_index" on "audit_events" ("tenant_id", "actor_id");`);

    this.addSql(`create table "api_keys" ("id" uuid not null, "tenant_id" uuid null, "name" text not null, "key_hash" varchar(64) not null, "role" varchar(16) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`create index "api_keys_tenant_id_index" on "api_keys" ("tenant_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");`);

    this.addSql(`create table "users" ("id" uuid not null, "tenant_id" uuid not null, "user_name" text not null, "external_id" text null, "name_formatted" text null, "name_family_name" text null, "name_given_name" text null, "name_middle_name" text null, "name_honorific_prefix" text null, "name_honorific_suffix" text null, "display_name" text null, "nick_name" text null, "profile_url" text null, "title" text null, "user_type" text null, "preferred_language" text null, "locale" text null, "timezone" text null, "active" boolean not null, "employee_number" text null, "cost_center" text null, "organization" text null, "division" text null, "department" text null, "manager_id" uuid null, "managed_by" uuid null, "extensions" jsonb not null, "version" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`create index "users_tenant_id_id_index" on "users" ("tenant_id", "id");`);
    this.addSql(`create index "users_tenant_external_id_index" on "users" ("tenant_id", "external_id");`);
    this.addSql(`create index "users_tenant_manager_id_index" on "users" ("tenant_id", "manager_id");`);
    this.addSql(`create index "users_managed_by_index" on "users" ("managed_by");`);
    this.addSql(`create unique index "users_tenant_user_name_unique" on "users" ("tenant_id", lower("user_name"));`);

    this.addSql(`create table "user_addresses" ("id" bigserial primary key, "tenant_id" uuid not null, "user_id" uuid not null, "position" smallint not null, "type" text null, "primary" boolean not null, "formatted" text null, "street_address" text null, "locality" text null, "region" text null, "postal_code" text null, "country" text null);`);
    this.addSql(`create index "user_addresses_user_id_index" on "user_addresses" ("user_id");`);

    this.addSql(`create table "memberships" ("id" bigserial primary key, "tenant_id" uuid not null, "group_id" uuid not null, "member_user_id" uuid null, "member_group_id" uuid null, "created_at" timestamptz not null, constraint memberships_one_member_check check (num_nonnulls(member_user_id, member_group_id) = 1));`);
    this.addSql(`create index "memberships_tenant_member_user_index" on "memberships" ("tenant_id", "member_user_id");`);
    this.addSql(`create index "memberships_tenant_member_group_index" on "memberships" ("tenant_id", "member_group_id");`);
    this.addSql(`alter table "memberships" add constraint "memberships_group_user_unique" unique ("tenant_id", "group_id", "member_user_id");`);
    this.addSql(`alter table "memberships" add constraint "memberships_group_group_unique" unique ("tenant_id", "group_id", "member_group_id");`);

    this.addSql(`create table "user_values" ("id" bigserial primary key, "tenant_id" uuid not null, "user_id" uuid not null, "attribute" varchar(32) not null, "position" smallint not null, "value" text not null, "type" text null, "primary" boolean not null, "display" text null);`);
    this.addSql(`create index "user_values_user_id_index" on "user_values" ("user_id");`);
    this.addSql(`create index "user_values_tenant_attribute_value_index" on "user_values" ("tenant_id", "attribute", lower("value"));`);

    this.addSql(`alter table "scim_connections" add constraint "scim_connections_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "groups" add constraint "groups_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "groups" add constraint "groups_managed_by_foreign" foreign key ("managed_by") references "scim_connections" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "audit_events" add constraint "audit_events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "users" add constraint "users_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "users" add constraint "users_managed_by_foreign" foreign key ("managed_by") references "scim_connections" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "user_addresses" add constraint "user_addresses_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "user_addresses" add constraint "user_addresses_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "memberships" add constraint "memberships_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_group_id_foreign" foreign key ("group_id") references "groups" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_member_user_id_foreign" foreign key ("member_user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_member_group_id_foreign" foreign key ("member_group_id") references "groups" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "user_values" add constraint "user_values_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "user_values" add constraint "user_values_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

}
