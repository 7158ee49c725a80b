import { readableExtensions } from '../../domain/shared/validate.js';
import type { ListQuery, ListResult, UserRepository } from '../../domain/ports.js';
import { canonicalId, isUuid } from '../../domain/shared/id.js';
import { USER_FIELDS, VALUE_ATTRIBUTES, type Address, type MultiValue, type User, type ValueAttribute } from '../../domain/user/user.js';
import type { TableMapping } from '../filter/filter.compile.js';
import { exec, ID_LIST, jsonParam, query, toDate, type Db } from '../sql.js';
import { listRows, type ListSource, type SortKey } from './list.js';

interface UserRow {
  id: string;
  tenant_id: string;
  user_name: string;
  login_name: string;
  external_id: string | null;
  name_formatted: string | null;
  name_family_name: string | null;
  name_given_name: string | null;
  name_middle_name: string | null;
  name_honorific_prefix: string | null;
  name_honorific_suffix: string | null;
  display_name: string | null;
  nick_name: string | null;
  profile_url: string | null;
  title: string | null;
  user_type: string | null;
  preferred_language: string | null;
  locale: string | null;
  timezone: string | null;
  active: boolean;
  employee_number: string | null;
  cost_center: string | null;
  organization: string | null;
  division: string | null;
  department: string | null;
  manager_id: string | null;
  managed_by: string | null;
  extensions: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
  vals: { a: string; v: string; t: string | null; p: boolean; d: string | null }[];
  addrs: Omit<Address, never>[];
}

/** Domain path → column, for filters (docs/architecture.md#filter-language). */
const COLUMNS: Record<string, string> = {
  id: 'u.id',
  userName: 'u.user_name',
  loginName: 'u.login_name',
  externalId: 'u.external_id',
  displayName: 'u.display_name',
  nickName: 'u.nick_name',
  profileUrl: 'u.profile_url',
  title: 'u.title',
  userType: 'u.user_type',
  preferredLanguage: 'u.preferred_language',
  locale: 'u.locale',
  timezone: 'u.timezone',
  active: 'u.active',
  'name.formatted': 'u.name_formatted',
  'name.familyName': 'u.name_family_name',
  'name.givenName': 'u.name_given_name',
  'name.middleName': 'u.name_middle_name',
  'name.honorificPrefix': 'u.name_honorific_prefix',
  'name.honorificSuffix': 'u.name_honorific_suffix',
  'enterprise.employeeNumber': 'u.employee_number',
  'enterprise.costCenter': 'u.cost_center',
  'enterprise.organization': 'u.organization',
  'enterprise.division': 'u.division',
  'enterprise.department': 'u.department',
  'enterprise.managerId': 'u.manager_id',
  managedBy: 'u.managed_by',
  createdAt: 'u.created_at',
  updatedAt: 'u.updated_at',
};

const valueMapping = (attribute: ValueAttribute) => ({
  exists: (a: string) => ({
    sql: `exists (select 1 from user_values ${a} where ${a}.tenant_id = u.tenant_id and ${a}.user_id = u.id and ${a}.attribute = ? and (%s))`,
    params: [attribute],
  }),
  columns: (a: string) => ({ value: `${a}.value`, type: `${a}.type`, primary: `${a}."primary"`, display: `${a}.display` }),
});

export const USER_MAPPING: TableMapping = {
  columns: COLUMNS,
  multi: {
    ...Object.fromEntries(VALUE_ATTRIBUTES.map((attr) => [attr, valueMapping(attr)])),
    addresses: {
      exists: (a) => ({ sql: `exists (select 1 from user_addresses ${a} where ${a}.user_id = u.id and (%s))`, params: [] }),
      columns: (a) => ({
        type: `${a}.type`,
        primary: `${a}."primary"`,
        formatted: `${a}.formatted`,
        streetAddress: `${a}.street_address`,
        locality: `${a}.locality`,
        region: `${a}.region`,
        postalCode: `${a}.postal_code`,
        country: `${a}.country`,
      }),
    },
    groups: {
      exists: (a) => ({
        sql: `exists (select 1 from memberships ${a} join groups ${a}g on ${a}g.id = ${a}.group_id where ${a}.tenant_id = u.tenant_id and ${a}.member_user_id = u.id and (%s))`,
        params: [],
      }),
      columns: (a) => ({ value: `${a}.group_id`, display: `${a}g.display_name` }),
    },
  },
};

const text = (col: string): SortKey => ({ expr: `coalesce(lower(${col}), '')`, cast: 'text' });
const SORT_KEYS: Record<string, SortKey> = {
  id: { expr: 'u.id', cast: 'uuid' },
  userName: { expr: 'lower(u.user_name)', cast: 'text' },
  loginName: { expr: 'lower(u.login_name)', cast: 'text' },
  externalId: { expr: `coalesce(u.external_id, '')`, cast: 'text' },
  displayName: text('u.display_name'),
  title: text('u.title'),
  'name.familyName': text('u.name_family_name'),
  'name.givenName': text('u.name_given_name'),
  'enterprise.employeeNumber': { expr: `coalesce(u.employee_number, '')`, cast: 'text' },
  'enterprise.department': text('u.department'),
  createdAt: { expr: 'u.created_at', cast: 'timestamptz' },
  updatedAt: { expr: 'u.updated_at', cast: 'timestamptz' },
};

/** A user row with its multi-valued attributes aggregated in, so one statement reads whole users. */
const USER_COLUMNS = `u.*,
  (select coalesce(jsonb_agg(jsonb_build_object('a', v.attribute, 'v', v.value, 't', v.type, 'p', v."primary", 'd', v.display) order by v.attribute, v.position), '[]'::jsonb)
     from user_values v where v.user_id = u.id) as vals,
  (select coalesce(jsonb_agg(jsonb_build_object('type', ad.type, 'primary', ad."primary", 'formatted', ad.formatted,
            'streetAddress', ad.street_address, 'locality', ad.locality, 'region', ad.region, 'postalCode', ad.postal_code,
            'country', ad.country) order by ad.position), '[]'::jsonb)
     from user_addresses ad where ad.user_id = u.id) as addrs`;

const SOURCE: ListSource<UserRow> = {
  columns: USER_COLUMNS,
  from: 'users u',
  alias: 'u',
  catalog: USER_FIELDS,
  mapping: USER_MAPPING,
  sortKeys: SORT_KEYS,
  idOf: (r) => r.id,
};

function toUser(r: UserRow): User {
  const values = Object.fromEntries(VALUE_ATTRIBUTES.map((a) => [a, [] as MultiValue[]])) as Record<ValueAttribute, MultiValue[]>;
  for (const v of r.vals) values[v.a as ValueAttribute]?.push({ value: v.v, type: v.t, primary: v.p, display: v.d });
  return {
    id: r.id,
    tenantId: r.tenant_id,
    userName: r.user_name,
    loginName: r.login_name,
    externalId: r.external_id,
    name: {
      formatted: r.name_formatted,
      familyName: r.name_family_name,
      givenName: r.name_given_name,
      middleName: r.name_middle_name,
      honorificPrefix: r.name_honorific_prefix,
      honorificSuffix: r.name_honorific_suffix,
    },
    displayName: r.display_name,
    nickName: r.nick_name,
    profileUrl: r.profile_url,
    title: r.title,
    userType: r.user_type,
    preferredLanguage: r.preferred_language,
    locale: r.locale,
    timezone: r.timezone,
    active: r.active,
    ...values,
    addresses: r.addrs,
    enterprise: {
      employeeNumber: r.employee_number,
      costCenter: r.cost_center,
      organization: r.organization,
      division: r.division,
      department: r.department,
      managerId: r.manager_id,
    },
    extensions: readableExtensions(r.extensions),
    managedBy: r.managed_by,
    version: r.version,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

/** Column values of a user, in the order of UPDATABLE below. */
function columnValues(u: User): unknown[] {
  return [
    u.userName, u.loginName, u.externalId, u.name.formatted, u.name.familyName, u.name.givenName, u.name.middleName,
    u.name.honorificPrefix, u.name.honorificSuffix, u.displayName, u.nickName, u.profileUrl, u.title, u.userType,
    u.preferredLanguage, u.locale, u.timezone, u.active, u.enterprise.employeeNumber, u.enterprise.costCenter,
    u.enterprise.organization, u.enterprise.division, u.enterprise.department, u.enterprise.managerId, u.managedBy,
    jsonParam(u.extensions), u.version, u.createdAt, u.updatedAt,
  ];
}
const UPDATABLE = [
  'user_name', 'login_name', 'external_id', 'name_formatted', 'name_family_name', 'name_given_name', 'name_middle_name',
  'name_honorific_prefix', 'name_honorific_suffix', 'display_name', 'nick_name', 'profile_url', 'title', 'user_type',
  'preferred_language', 'locale', 'timezone', 'active', 'employee_number', 'cost_center',
  'organization', 'division', 'department', 'manager_id', 'managed_by',
  'extensions', 'version', 'created_at', 'updated_at',
];

async function writeValues(db: Db, u: User): Promise<void> {
  const vals = VALUE_ATTRIBUTES.flatMap((attribute) =>
    u[attribute].map((v, position) => ({ attribute, position, value: v.value, type: v.type, primary: v.primary, display: v.display })),
  );
  if (vals.length > 0) {
    await exec(
      db,
      `insert into user_values (tenant_id, user_id, attribute, position, value, type, "primary", display)
       select ?, ?, x.attribute, x.position, x.value, x.type, x."primary", x.display
       from jsonb_to_recordset(?::jsonb) as x(attribute text, position smallint, value text, type text, "primary" boolean, display text)`,
      [u.tenantId, u.id, jsonParam(vals)],
    );
  }
  if (u.addresses.length > 0) {
    await exec(
      db,
      `insert into user_addresses (tenant_id, user_id, position, type, "primary", formatted, street_address, locality, region, postal_code, country)
       select ?, ?, x.position, x.type, x."primary", x.formatted, x."streetAddress", x.locality, x.region, x."postalCode", x.country
       from jsonb_to_recordset(?::jsonb) as x(position smallint, type text, "primary" boolean, formatted text, "streetAddress" text,
         locality text, region text, "postalCode" text, country text)`,
      [u.tenantId, u.id, jsonParam(u.addresses.map((a, position) => ({ ...a, position })))],
    );
  }
}

export function createUserRepository(db: Db): UserRepository {
  return {
    async get(tenantId, id, opts = {}) {
      if (!isUuid(id)) return null;
      const rows = await query<UserRow>(
        db,
        `select ${USER_COLUMNS} from users u where u.tenant_id = ? and u.id = ?::uuid${opts.forUpdate ? ' for update of u' : ''}`,
        [tenantId, canonicalId(id)],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },

    async getMany(tenantId, ids) {
      ids = ids.filter(isUuid);
      if (ids.length === 0) return [];
      const rows = await query<UserRow>(db, `select ${USER_COLUMNS} from users u where u.tenant_id = ? and u.id in ${ID_LIST}`, [tenantId, jsonParam(ids)]);
      return rows.map(toUser);
    },

    list(tenantId: string, q: ListQuery): Promise<ListResult<User>> {
      return listRows(db, SOURCE, tenantId, q, toUser);
    },

    async findCandidates(tenantId, by) {
      const conds: string[] = [];
      const params: unknown[] = [tenantId];
      if (by.userName !== undefined) {
        conds.push('lower(u.user_name) = lower(?)');
        params.push(by.userName);
      }
      if (by.emails && by.emails.length > 0) {
        conds.push(`exists (select 1 from user_values e where e.tenant_id = u.tenant_id and e.user_id = u.id and e.attribute = 'emails'
          ${by.primaryOnly ? 'and e."primary"' : ''} and lower(e.value) in (select lower(value) from jsonb_array_elements_text(?::jsonb)))`);
        params.push(jsonParam(by.emails));
      }
      if (conds.length === 0) return [];
      const rows = await query<UserRow>(db, `select ${USER_COLUMNS} from users u where u.tenant_id = ? and (${conds.join(' or ')}) limit 10`, params);
      return rows.map(toUser);
    },

    async takenLoginNames(tenantId, loginNames) {
      const rows = await query<{ n: string }>(
        db,
        `select lower(login_name) as n from users where tenant_id = ? and lower(login_name) in (select lower(value) from jsonb_array_elements_text(?::jsonb))`,
        [tenantId, jsonParam(loginNames)],
      );
      return new Set(rows.map((r) => r.n));
    },

    async insert(u) {
      await exec(
        db,
        `insert into users (id, tenant_id, ${UPDATABLE.join(', ')}) values (?, ?, ${UPDATABLE.map((c) => (c === 'extensions' ? '?::jsonb' : '?')).join(', ')})`,
        [u.id, u.tenantId, ...columnValues(u)],
      );
      await writeValues(db, u);
    },

    async update(u) {
      await exec(
        db,
        `update users set ${UPDATABLE.map((c) => `${c} = ${c === 'extensions' ? '?::jsonb' : '?'}`).join(', ')} where tenant_id = ? and id = ?`,
        [...columnValues(u), u.tenantId, u.id],
      );
      // A user is small: its multi-valued attributes are rewritten whole (docs/architecture.md#patch-as-commands).
      await exec(db, 'delete from user_values where user_id = ?', [u.id]);
      await exec(db, 'delete from user_addresses where user_id = ?', [u.id]);
      await writeValues(db, u);
    },

    async delete(tenantId, id) {
      if (!isUuid(id)) return false;
      return (await exec(db, 'delete from users where tenant_id = ? and id = ?::uuid', [tenantId, id])) > 0;
    },
  };
}
