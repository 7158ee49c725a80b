import { Migration } from '@mikro-orm/migrations';

/**
 * Values as sent (docs/architecture.md#values-as-sent): `primary` may be absent, which is not false, and a manager
 * may be named by any identifier (an employee id, a login name), not only by a user id.
 * Stored `false` was written for both "false" and "absent" and returned as absent, so it becomes null and
 * every stored value reads back as before.
 */
export class Migration20261204190000_values_as_sent extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "user_values" alter column "primary" drop not null;`);
    this.addSql(`update "user_values" set "primary" = null where "primary" = false;`);
    this.addSql(`alter table "user_addresses" alter column "primary" drop not null;`);
    this.addSql(`update "user_addresses" set "primary" = null where "primary" = false;`);
    this.addSql(`drop index "users_tenant_manager_id_index";`);
    this.addSql(`alter table "users" rename column "manager_id" to "manager_value";`);
    this.addSql(`alter table "users" alter column "manager_value" type text using "manager_value"::text;`);
    this.addSql(`create index "users_tenant_manager_value_index" on "users" ("tenant_id", "manager_value");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "users_tenant_manager_value_index";`);
    this.addSql(`update "users" set "manager_value" = null where "manager_value" !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';`);
    this.addSql(`alter table "users" alter column "manager_value" type uuid using "manager_value"::uuid;`);
    this.addSql(`alter table "users" rename column "manager_value" to "manager_id";`);
    this.addSql(`create index "users_tenant_manager_id_index" on "users" ("tenant_id", "manager_id");`);
    this.addSql(`update "user_addresses" set "primary" = false where "primary" is null;`);
    this.addSql(`alter table "user_addresses" alter column "primary" set not null;`);
    this.addSql(`update "user_values" set "primary" = false where "primary" is null;`);
    this.addSql(`alter table "user_values" alter column "primary" set not null;`);
  }
}
