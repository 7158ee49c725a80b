import { Migration } from '@mikro-orm/migrations';

/**
 * Every change of a credential is announced on the `roster_credentials` channel, whoever makes it
 * (a request, the command line, a cascade from a deleted tenant), so each Roster process empties
 * its credential cache (docs/architecture.md#credential-cache). An update that only stamps the last
 * use changes nothing a cache holds and is not announced; any other update is, even one that
 * changes nothing. NOTIFY is delivered at commit, and not at all on rollback.
 */
export class Migration20261204180000_credential_notify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "roster_credentials_changed"() returns trigger language plpgsql as $$
begin
  perform pg_notify('roster_credentials', '');
  return null;
end
$$;`);
    for (const table of ['scim_connections', 'api_keys']) {
      this.addSql(`create trigger "${table}_changed" after update on "${table}" for each row
        when (old.last_used_at is not distinct from new.last_used_at or (to_jsonb(old) - 'last_used_at') is distinct from (to_jsonb(new) - 'last_used_at'))
        execute function "roster_credentials_changed"();`);
      this.addSql(`create trigger "${table}_deleted" after delete on "${table}" for each row execute function "roster_credentials_changed"();`);
    }
    // A deleted tenant takes its credentials with it; it is announced even when it had none.
    this.addSql(`create trigger "tenants_deleted" after delete on "tenants" for each row execute function "roster_credentials_changed"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "tenants_deleted" on "tenants";`);
    for (const table of ['scim_connections', 'api_keys']) {
      this.addSql(`drop trigger "${table}_changed" on "${table}";`);
      this.addSql(`drop trigger "${table}_deleted" on "${table}";`);
    }
    this.addSql(`drop function "roster_credentials_changed"();`);
  }
}
