import { Migration } from '@mikro-orm/migrations';

/**
 * The users index by (tenant, id) carries the columns a SCIM connection's view filters on, so a
 * startIndex page finds its ids from the index alone, without reading the row of every user it
 * skips (docs/architecture.md#offset-pages).
 */
export class Migration20261205100000_users_visible_index extends Migration {
  override async up(): Promise<void> {
    // Built beside the old one, which is dropped only then: reads keep their index while it builds.
    this.addSql(`create index "users_tenant_id_id_include_index" on "users" ("tenant_id", "id") include ("managed_by", "deprovisioned_at");`);
    this.addSql(`drop index "users_tenant_id_id_index";`);
    this.addSql(`alter index "users_tenant_id_id_include_index" rename to "users_tenant_id_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "users_tenant_id_id_index";`);
    this.addSql(`create index "users_tenant_id_id_index" on "users" ("tenant_id", "id");`);
  }
}
