import { Migration } from '@mikro-orm/migrations';

/**
 * Delivery records are pruned once delivered or given up and older than the retention
 * (docs/operations.md#event-retention). The partial index holds only those, by when they last
 * moved, so each small delete batch finds its rows without reading the pending queue.
 */
export class Migration20261204210000_webhook_delivery_retention extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "webhook_deliveries_settled_index" on "webhook_deliveries" (coalesce("delivered_at", "last_attempt_at", "created_at")) where "status" <> 'pending';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "webhook_deliveries_settled_index";`);
  }
}
