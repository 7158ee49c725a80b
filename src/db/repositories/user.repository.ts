import type { ListQuery, ListResult, UserRepository, VisibleTo } from '../../domain/ports.js';
import { sameData } from '../../domain/shared/equal.js';
import { canonicalId, isUuid } from '../../domain/shared/id.js';
import { VALUE_ATTRIBUTES, type GroupRef, type User, type ValueAttribute } from '../../domain/user/user.js';
import type { TableMapping } from '../filter/filter.compile.js';
import { exec, ID_ARRAY, idsByLowerName, jsonParam, later, laterRows, query, TEXT_ARRAY, type Db, type Statement } from '../sql.js';
import { USERS } from '../tables/users.table.js';
import { listRows, type ListSource } from './list.js';
import { groupsVisible, usersVisible, type Condition } from './visibility.js';

/** A users row as one JSON array of its columns (see USER_SELECT). */
type UserRow = {
  readonly id: string;
  readonly doc: readonly unknown[];
};

const valueMapping = (attribute: ValueAttribute) => ({
  exists: (a: string) => ({
    sql: `exists (select 1 from user_values ${a} where ${a}.tenant_id = u.tenant_id and ${a}.user_id = u.id and ${a}.attribute = ? and (%s))`,
    params: [attribute],
  }),
  columns: (a: string) => ({ value: `${a}.value`, type: `${a}.type`, primary: `${a}."primary"`, display: `${a}.display` }),
});

/** The multi-valued attributes filters may name that every caller sees alike. */
const OWN_MULTI: TableMapping['multi'] = {
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
};

/** The multi-valued attributes filters may name (docs/architecture.md#filter-language), `groups` of those the caller sees. */
const multi = (visibleTo: VisibleTo | undefined): TableMapping['multi'] => ({
  ...OWN_MULTI,
  groups: {
    exists: (a) => {
      const visible = groupsVisible(`${a}g`, visibleTo);
      return {
        sql: `exists (select 1 from memberships ${a} join groups ${a}g on ${a}g.id = ${a}.group_id where ${a}.tenant_id = u.tenant_id and ${a}.member_user_id = u.id and ${visible.sql} and (%s))`,
        params: [...visible.params],
      };
    },
    columns: (a) => ({ value: `${a}.group_id`, display: `${a}g.display_name` }),
  },
});

/**
 * A user row, its multi-valued attributes included (they are JSON columns of the row, see
 * users.table.ts), so one statement reads whole users from one table. The row comes as one JSON
 * array of its columns (`doc`, the table description's `rowArray`), not as 40 columns: `pg`
 * describes, and builds a parser for, every column of every result it reads, and builds each row
 * as an object key by key, which cost more Node.js time than the rest of its reading
 * (docs/architecture.md#row-documents).
 */
const USER_SELECT = `u.id, ${USERS.rowArray('u')} as doc`;

/**
 * The user's direct groups that `visible` lets the reader see, by name, in the order a group list
 * takes (case-insensitive name, then id), as one more column: a SCIM read of a user needs no
 * second statement for them.
 */
const groupsColumn = (visible: Condition) => `,
  (select ${GROUPS_JSON} from memberships m join groups g on g.id = m.group_id
     where m.tenant_id = u.tenant_id and m.member_user_id = u.id and ${visible.sql}) as grps`;
const GROUPS_JSON = `coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name) order by lower(g.display_name), g.id), '[]'::json)`;

/**
 * What `updateAll` returns of each row: its id, and the direct groups of the user that the reader
 * named for it in the JSON array of the second parameter sees (every group when it names no
 * connection, as groupsVisible), read in the same statement as the write; no groups for a user it
 * does not name.
 */
const UPDATED_GROUPS = `returning u.id, (select ${GROUPS_JSON}
    from json_to_recordset(?::json) as w(id uuid, visible_to uuid)
    join memberships m on m.tenant_id = u.tenant_id and m.member_user_id = w.id
    join groups g on g.id = m.group_id
    where w.id = u.id and (w.visible_to is null or g.managed_by is null or g.managed_by = w.visible_to)) as grps`;

/** The select list of a read, and the parameters its groups column binds (they come first in the statement). */
function userSelect(withGroups: boolean | undefined, visibleTo: VisibleTo | undefined): { select: string; params: readonly unknown[] } {
  if (!withGroups) return { select: USER_SELECT, params: [] };
  const visible = groupsVisible('g', visibleTo);
  return { select: USER_SELECT + groupsColumn(visible), params: visible.params };
}

/** What `updateAll` gives when no change asked for groups. */
const NO_GROUPS = { sent: true, get: () => new Map<string, GroupRef[]>() } as const;

/** How `findEach` compares each value, as a filter's `eq` on the field does (src/db/filter/filter.compile.ts). */
const MATCH = { id: 'u.id = x.v::uuid', userName: 'lower(u.user_name) = lower(x.v)', externalId: 'u.external_id = x.v' } as const;

const SOURCE: ListSource = { table: USERS, select: USER_SELECT, multi, visible: usersVisible };

/** A user from its row. Runs for every row read: the object fromArray made is completed in place, not copied. */
function toUser(r: UserRow & { grps?: GroupRef[] }): User {
  const u = USERS.fromArray(r.doc) as { -readonly [K in keyof User]: User[K] };
  if (r.grps) u.groups = r.grps;
  return u;
}

/** The users' multi-valued rows, as the JSON arrays the statements below read, each naming its user. */
const valueRows = (users: readonly User[]): unknown[] =>
  users.flatMap((u) =>
    VALUE_ATTRIBUTES.flatMap((attribute) =>
      u[attribute].map((v, position) => ({ tenant_id: u.tenantId, user_id: u.id, attribute, position, value: v.value, type: v.type, primary: v.primary, display: v.display })),
    ),
  );
const addressRows = (users: readonly User[]): unknown[] => users.flatMap((u) => u.addresses.map((a, position) => ({ ...a, tenant_id: u.tenantId, user_id: u.id, position })));

const INSERT_VALUES = `insert into user_values (tenant_id, user_id, attribute, position, value, type, "primary", display)
  select x.tenant_id, x.user_id, x.attribute, x.position, x.value, x.type, x."primary", x.display
  from jsonb_to_recordset(?::jsonb) as x(tenant_id uuid, user_id uuid, attribute text, position smallint, value text, type text, "primary" boolean, display text)`;
const INSERT_ADDRESSES = `insert into user_addresses (tenant_id, user_id, position, type, "primary", formatted, street_address, locality, region, postal_code, country)
  select x.tenant_id, x.user_id, x.position, x.type, x."primary", x.formatted, x."streetAddress", x.locality, x.region, x."postalCode", x.country
  from jsonb_to_recordset(?::jsonb) as x(tenant_id uuid, user_id uuid, position smallint, type text, "primary" boolean, formatted text, "streetAddress" text,
    locality text, region text, "postalCode" text, country text)`;

/** The inserts of the users' multi-valued rows, for those of `which` that any of them holds. */
function valueInserts(users: readonly User[], which: { values: boolean; addresses: boolean }): Statement[] {
  const out: Statement[] = [];
  const values = which.values ? valueRows(users) : [];
  const addresses = which.addresses ? addressRows(users) : [];
  if (values.length > 0) out.push({ sql: INSERT_VALUES, params: [jsonParam(values)] });
  if (addresses.length > 0) out.push({ sql: INSERT_ADDRESSES, params: [jsonParam(addresses)] });
  return out;
}

/**
 * The update of a user row, guarded when the state it replaces is given: it finds its row only if
 * that row still has the version and owner it was read with (docs/architecture.md#optimistic-writes).
 * Every change of a user moves its version, except a deleted connection's users losing their owner.
 */
function guarded(update: Statement, previous: User | undefined): Statement {
  if (!previous) return update;
  return {
    sql: `${update.sql} and version = ? and managed_by is not distinct from ?::uuid returning 1`,
    params: [...update.params, previous.version, previous.managedBy],
    expectRow: true,
  };
}

export function createUserRepository(db: Db): UserRepository {
  return {
    async get(tenantId, id, opts = {}) {
      if (!isUuid(id)) return null;
      const visible = usersVisible('u', opts.visibleTo);
      const { select, params } = userSelect(opts.withGroups, opts.visibleTo);
      const rows = await query<UserRow>(
        db,
        `select ${select} from users u where u.tenant_id = ? and u.id = ?::uuid and ${visible.sql}${opts.forUpdate ? ' for update of u' : ''}`,
        [...params, tenantId, canonicalId(id), ...visible.params],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },

    async findEach(tenantId, by, values, opts = {}) {
      // Index probes for each value, at most two rows (`limit 2` in a lateral subquery), whatever the
      // statistics say. The values are one JSON array, so the text does not depend on how many there
      // are; not a SQL array, whose length PostgreSQL reads into each custom plan's estimate, so that
      // it would never find the generic plan as cheap and would plan every run anew.
      const visible = usersVisible('u', opts.visibleTo);
      const { select, params } = userSelect(opts.withGroups, opts.visibleTo);
      const keys = by === 'id' ? values.map((v) => (isUuid(v) ? canonicalId(v) : null)) : values;
      const rows = await query<UserRow & { grps?: GroupRef[]; i: number }>(
        db,
        `select x.i::int as i, ${select} from json_array_elements_text(?::json) with ordinality as x(v, i)
           join lateral (select * from users u where u.tenant_id = ? and ${MATCH[by]} and ${visible.sql} limit 2) u on true`,
        [...params, jsonParam(keys), tenantId, ...visible.params],
      );
      const found: User[][] = values.map(() => []);
      for (const r of rows) found[r.i - 1]!.push(toUser(r));
      return found;
    },

    async getMany(tenantId, ids) {
      ids = ids.filter(isUuid);
      if (ids.length === 0) return [];
      const rows = await query<UserRow>(db, `select ${USER_SELECT} from users u where u.tenant_id = ? and u.id = any(${ID_ARRAY})`, [tenantId, ids]);
      return rows.map(toUser);
    },

    list(tenantId: string, q: ListQuery): Promise<ListResult<User>> {
      const { select, params } = userSelect(q.withGroups, q.visibleTo);
      return listRows(db, { ...SOURCE, select, selectParams: params }, tenantId, q, toUser);
    },

    async findCandidates(tenantId, by) {
      // One statement per way of matching, each driven by its own index whatever the statistics
      // say (a tenant filled moments ago has none): an OR of the two in one WHERE would read every
      // user of the tenant, and a join on the ids found may be planned as a scan of them all.
      const branches: string[] = [];
      const params: unknown[] = [];
      if (by.userName !== undefined) {
        branches.push(`select ${USER_SELECT} from users u where u.tenant_id = ? and lower(u.user_name) = lower(?)`);
        params.push(tenantId, by.userName);
      }
      if (by.emails && by.emails.length > 0) {
        branches.push(`select ${USER_SELECT} from users u where u.tenant_id = ? and u.id = any(array(
          select e.user_id from user_values e where e.tenant_id = ? and e.attribute = 'emails'${by.primaryOnly ? ' and e."primary"' : ''}
            and lower(e.value) = any(array(select lower(x) from unnest(${TEXT_ARRAY}) as x)) limit 10))`);
        params.push(tenantId, tenantId, by.emails);
      }
      if (branches.length === 0) return [];
      const rows = await query<UserRow>(db, branches.map((b) => `(${b} limit 10)`).join(' union all '), params);
      const seen = new Set<string>();
      return rows.filter((r) => !seen.has(r.id) && seen.add(r.id)).slice(0, 10).map(toUser);
    },

    idsByUserName(tenantId, userNames) {
      return idsByLowerName(db, 'users.user_name', tenantId, userNames);
    },

    async createLookups(tenantId, q) {
      if (q.userName === undefined && q.loginNames.length === 0) return { sameUserName: [], takenLoginNames: new Set() };
      // The login names lowered once, as one array: the plan does not depend on how many there are, so it is made once.
      const [row] = await query<{ same: UserRow[] | null; taken: string[] | null }>(
        db,
        `select (select json_agg(c) from (select ${USER_SELECT} from users u where u.tenant_id = ? and lower(u.user_name) = lower(?) limit 10) c) as same,
           (select array_agg(lower(login_name)) from users where tenant_id = ? and lower(login_name) = any(array(select lower(x) from unnest(${TEXT_ARRAY}) as x))) as taken`,
        [tenantId, q.userName ?? null, tenantId, q.loginNames],
      );
      return { sameUserName: (row?.same ?? []).map(toUser), takenLoginNames: new Set(row?.taken ?? []) };
    },

    async insert(u) {
      // The row and its multi-valued rows go out as one statement, with the unit's audit and change
      // events (`later`).
      await later(db, [USERS.insert(u), ...valueInserts([u], { values: true, addresses: true })]);
    },

    async insertAll(users) {
      // All of them land, or, when any name is taken, none: the foreign keys are checked at the
      // statement's end, after `roster_expect_row` failed it when a row was not inserted. The text
      // does not depend on how many users there are.
      const rows = USERS.insertAll(users);
      // New users, with new ids: the changes of other users written with them may share their statement.
      await later(db, [{ sql: `${rows.sql} on conflict do nothing returning 1`, params: rows.params, expectRows: users.length, disjoint: true }, ...valueInserts(users, { values: true, addresses: true })]);
    },

    async update(u, previous) {
      // A user is small: a multi-valued attribute that changed is rewritten whole (docs/architecture.md#patch-as-commands);
      // one that did not is left alone (docs/architecture.md#statements-per-request).
      const which = {
        values: !previous || VALUE_ATTRIBUTES.some((a) => !sameData(previous[a], u[a])),
        addresses: !previous || !sameData(previous.addresses, u.addresses),
      };
      const deletes: Statement[] = [];
      if (which.values) deletes.push({ sql: 'delete from user_values where tenant_id = ? and user_id = ?', params: [u.tenantId, u.id] });
      if (which.addresses) deletes.push({ sql: 'delete from user_addresses where tenant_id = ? and user_id = ?', params: [u.tenantId, u.id] });
      await later(db, [guarded(USERS.update(u), previous), ...deletes, ...valueInserts([u], which)]);
    },

    async updateAll(changes) {
      const rows = USERS.updateAll(changes);
      const readers = changes.flatMap((c) => (c.groups ? [{ id: c.next.id, visible_to: c.groups.visibleTo }] : []));
      if (readers.length === 0) {
        await later(db, [{ sql: `${rows.sql} returning 1`, params: rows.params, expectRows: changes.length, disjoint: true }]);
        return NO_GROUPS;
      }
      return laterRows<{ id: string; grps: GroupRef[] | null }, ReadonlyMap<string, GroupRef[]>>(
        db,
        { sql: `${rows.sql} ${UPDATED_GROUPS}`, params: [...rows.params, jsonParam(readers)], expectRows: changes.length, disjoint: true },
        (returned) => new Map(returned.map((r) => [r.id, r.grps ?? []])),
      );
    },

    async delete(tenantId, id) {
      if (!isUuid(id)) return false;
      return (await exec(db, 'delete from users where tenant_id = ? and id = ?::uuid', [tenantId, id])) > 0;
    },
  };
}
