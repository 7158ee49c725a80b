import { Migration } from '@mikro-orm/migrations';

/** A connection an admin paused answers 401 to its token until resumed (docs/architecture.md#connection-lifecycle). */
export class Migration20261204130000_connection_paused extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "scim_connections" add column "paused_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "scim_connections" drop column "paused_at";`);
  }
}
