import { USER_FIELDS, type User, type ValueAttribute } from '../../domain/user/user.js';
import { col, defineTable, resourceColumns } from './table.js';

/** What the `users` row holds; multi-valued attributes live in user_values and user_addresses. */
export type StoredUser = Omit<User, ValueAttribute | 'addresses'>;

const text = col.text<StoredUser>;
const of = col.of<StoredUser>;

/** `users`: the SCIM core User and the enterprise extension as columns (docs/architecture.md#data-model). */
export const USERS = defineTable<StoredUser>({
  name: 'users',
  alias: 'u',
  catalog: USER_FIELDS,
  columns: [
    ...resourceColumns<StoredUser>(),
    of('user_name', 'text', 'userName'),
    of('login_name', 'text', 'loginName'),
    text('external_id', 'externalId'),
    text('name_formatted', 'name.formatted'),
    text('name_family_name', 'name.familyName'),
    text('name_given_name', 'name.givenName'),
    text('name_middle_name', 'name.middleName'),
    text('name_honorific_prefix', 'name.honorificPrefix'),
    text('name_honorific_suffix', 'name.honorificSuffix'),
    text('display_name', 'displayName'),
    text('nick_name', 'nickName'),
    text('profile_url', 'profileUrl'),
    text('title', 'title'),
    text('user_type', 'userType'),
    text('preferred_language', 'preferredLanguage'),
    text('locale', 'locale'),
    text('timezone', 'timezone'),
    of('active', 'boolean', 'active'),
    text('employee_number', 'enterprise.employeeNumber'),
    text('cost_center', 'enterprise.costCenter'),
    text('organization', 'enterprise.organization'),
    text('division', 'enterprise.division'),
    text('department', 'enterprise.department'),
    // Text, not a foreign key: Entra may name a manager it has not provisioned yet, Okta an employee id.
    text('manager_value', 'enterprise.managerValue'),
    of('deprovisioned_at', 'timestamptz', 'deprovisionedAt', { nullable: true }),
  ],
});
