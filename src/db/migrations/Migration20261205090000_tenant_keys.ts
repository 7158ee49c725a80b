import { Migration } from '@mikro-orm/migrations';

/**
 * Rows that hang off a user or a group, and the append-only logs, keep their tenant_id without a
 * foreign key to tenants (docs/architecture.md#tenant-keys): every check of such a key share-locks
 * the tenant's one row, so concurrent writes to a tenant all queue on it. A deleted tenant's
 * values, addresses and memberships still go with its users and groups; its audit and change
 * events are deleted with it by the tenant repository.
 */
const KEYS = ['user_values', 'user_addresses', 'memberships', 'audit_events', 'change_events'] as const;

export class Migration20261205090000_tenant_keys extends Migration {
  override async up(): Promise<void> {
    for (const table of KEYS) this.addSql(`alter table "${table}" drop constraint "${table}_tenant_id_foreign";`);
  }

  override async down(): Promise<void> {
    for (const table of KEYS) {
      this.addSql(`alter table "${table}" add constraint "${table}_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    }
  }
}
