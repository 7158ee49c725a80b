import { Migration } from '@mikro-orm/migrations';

/**
 * `roster_expect_row(row_found)` fails the statement that calls it, with SQLSTATE RS001, when
 * `row_found` is false (not named `found`, which PL/pgSQL keeps for its own flag). A write computed
 * from a row read without a lock guards its update with the version it read; the statement that
 * carries the update and its audit and change events calls this on whether the update found its
 * row. When another write got there first, nothing of it lands, and Roster runs the write again
 * from a read under the row's lock (docs/architecture.md#optimistic-writes).
 */
export class Migration20261206090000_expect_row extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "roster_expect_row"(row_found boolean) returns boolean language plpgsql as $$
begin
  if not row_found then
    raise exception 'the row changed after it was read' using errcode = 'RS001';
  end if;
  return true;
end
$$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function "roster_expect_row"(boolean);`);
  }
}
