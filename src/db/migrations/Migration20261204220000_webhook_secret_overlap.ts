import { Migration } from '@mikro-orm/migrations';

/**
 * A rotated webhook secret keeps signing beside the new one for an overlap (docs/architecture.md#webhooks),
 * so receivers switch over without refusing a delivery: the replaced secret and when it stops.
 */
export class Migration20261204220000_webhook_secret_overlap extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_endpoints" add column "previous_secret" text null, add column "previous_secret_expires_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_endpoints" drop column "previous_secret", drop column "previous_secret_expires_at";`);
  }
}
