import { Migration } from '@mikro-orm/migrations';

/** How far fan-out has moved change events into the webhook delivery queue (docs/architecture.md#webhooks). */
export class Migration20261204160000_webhook_fan_out extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "webhook_fan_out" ("name" varchar(32) not null, "position" text not null, constraint "webhook_fan_out_pkey" primary key ("name"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_fan_out";`);
  }
}
