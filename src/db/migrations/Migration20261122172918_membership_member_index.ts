import { Migration } from '@mikro-orm/migrations';

/** Index for "groups that have member X": the member id whichever column holds it. */
export class Migration20261122172918_membership_member_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "memberships_tenant_member_index" on "memberships" ("tenant_id", coalesce("member_user_id", "member_group_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "memberships_tenant_member_index";`);
  }
}
