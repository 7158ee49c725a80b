import { Migration } from '@mikro-orm/migrations';

/**
 * The users index by externalId ends with the id, the order of a list without `sortBy`: a lookup by
 * externalId (`filter=externalId eq "…"`) reads its users from the index already in order, and
 * PostgreSQL does not sort them (docs/architecture.md#statements-per-request).
 */
export class Migration20261208090000_external_id_order extends Migration {
  override async up(): Promise<void> {
    // Built beside the old one, which is dropped only then: lookups keep their index while it builds.
    this.addSql(`create index "users_tenant_external_id_id_index" on "users" ("tenant_id", "external_id", "id");`);
    this.addSql(`drop index "users_tenant_external_id_index";`);
    this.addSql(`alter index "users_tenant_external_id_id_index" rename to "users_tenant_external_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "users_tenant_external_id_index";`);
    this.addSql(`create index "users_tenant_external_id_index" on "users" ("tenant_id", "external_id");`);
  }
}
