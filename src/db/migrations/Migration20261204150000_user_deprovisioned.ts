import { Migration } from '@mikro-orm/migrations';

/**
 * Deprovisioned users (docs/architecture.md#provisioning-policies, onDelete: deactivate): when a
 * connection deleted them; they stay for admins and are absent for that connection until created again.
 */
export class Migration20261204150000_user_deprovisioned extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "deprovisioned_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column "deprovisioned_at";`);
  }
}
