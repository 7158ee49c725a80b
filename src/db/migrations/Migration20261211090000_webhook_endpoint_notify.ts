import { Migration } from '@mikro-orm/migrations';

/**
 * An endpoint that is created enabled, or enabled again, is announced on the
 * `roster_webhook_endpoints` channel, whoever makes the change: a dispatcher that found no enabled
 * endpoint leaves announced events to its poll, and this tells it to fan out at once again
 * (docs/architecture.md#webhooks). NOTIFY is delivered at commit, and not at all on rollback;
 * endpoints change seldom, so the commit-order lock NOTIFY takes costs nothing that matters here.
 */
export class Migration20261211090000_webhook_endpoint_notify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "roster_webhook_endpoints_changed"() returns trigger language plpgsql as $$
begin
  perform pg_notify('roster_webhook_endpoints', '');
  return null;
end
$$;`);
    this.addSql(`create trigger "webhook_endpoints_created" after insert on "webhook_endpoints" for each row
      when (new.enabled) execute function "roster_webhook_endpoints_changed"();`);
    this.addSql(`create trigger "webhook_endpoints_enabled" after update of "enabled" on "webhook_endpoints" for each row
      when (new.enabled and not old.enabled) execute function "roster_webhook_endpoints_changed"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "webhook_endpoints_enabled" on "webhook_endpoints";`);
    this.addSql(`drop trigger "webhook_endpoints_created" on "webhook_endpoints";`);
    this.addSql(`drop function "roster_webhook_endpoints_changed"();`);
  }
}
