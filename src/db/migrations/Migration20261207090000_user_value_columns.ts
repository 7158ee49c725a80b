import { Migration } from '@mikro-orm/migrations';

/** The users' multi-valued attributes, each in the order sent, as the JSON arrays of the users columns this migration adds. */
const VALUE_COLUMNS = [
  ['emails', 'emails'],
  ['phone_numbers', 'phoneNumbers'],
  ['ims', 'ims'],
  ['photos', 'photos'],
  ['roles', 'roles'],
  ['entitlements', 'entitlements'],
  ['x509_certificates', 'x509Certificates'],
] as const;

/**
 * A user's multi-valued attributes as JSON columns of its row, beside the user_values and
 * user_addresses rows filters and matching search: a read takes the user from one table
 * (docs/architecture.md#multi-valued-attributes). Existing users get theirs from those rows.
 */
export class Migration20261207090000_user_value_columns extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "users" ${[...VALUE_COLUMNS.map(([c]) => c), 'addresses'].map((c) => `add column "${c}" json not null default '[]'`).join(', ')};`,
    );
    this.addSql(`with v as (
  select user_id, ${VALUE_COLUMNS.map(
    ([c, attribute]) =>
      `coalesce(json_agg(json_build_object('value', value, 'type', type, 'primary', "primary", 'display', display) order by position) filter (where attribute = '${attribute}'), '[]') as ${c}`,
  ).join(',\n    ')}
  from user_values group by user_id)
update "users" u set ${VALUE_COLUMNS.map(([c]) => `${c} = v.${c}`).join(', ')} from v where v.user_id = u.id;`);
    this.addSql(`with a as (
  select user_id, json_agg(json_build_object('type', type, 'primary', "primary", 'formatted', formatted, 'streetAddress', street_address,
    'locality', locality, 'region', region, 'postalCode', postal_code, 'country', country) order by position) as addresses
  from user_addresses group by user_id)
update "users" u set addresses = a.addresses from a where a.user_id = u.id;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" ${[...VALUE_COLUMNS.map(([c]) => c), 'addresses'].map((c) => `drop column "${c}"`).join(', ')};`);
  }
}
