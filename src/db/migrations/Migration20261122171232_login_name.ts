import { Migration } from '@mikro-orm/migrations';

/** Login names (docs/architecture.md#provisioning-policies): existing users sign in with their userName, as before. */
export class Migration20261122171232_login_name extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "login_name" text null;`);
    this.addSql(`update "users" set "login_name" = "user_name";`);
    this.addSql(`alter table "users" alter column "login_name" set not null;`);
    this.addSql(`create unique index "users_tenant_login_name_unique" on "users" ("tenant_id", lower("login_name"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "users_tenant_login_name_unique";`);
    this.addSql(`alter table "users" drop column "login_name";`);
  }
}
