import { type Group, type Member, type MemberRef } from '../../domain/group/group.js';
import type { GroupRepository, MembershipRepository, VisibleTo } from '../../domain/ports.js';
import { canonicalId, isUuid } from '../../domain/shared/id.js';
import type { TableMapping } from '../filter/filter.compile.js';
import { type Db, exec, ID_ARRAY, idsByLowerName, later, laterRows, oneOf, query, type Statement } from '../sql.js';
import { MOVED_VERSIONS } from './appends.js';
import { GROUPS } from '../tables/groups.table.js';
import { listRows, type ListSource } from './list.js';
import { groupsVisible, memberRowsVisible, membersVisible, usersVisible } from './visibility.js';

type GroupRow = Readonly<Record<string, unknown>> & { readonly id: string };

const toGroup = (r: GroupRow): Group => GROUPS.fromRow(r);

const MEMBER_ID = (a: string) => `coalesce(${a}.member_user_id, ${a}.member_group_id)`;

/** The multi-valued attributes filters may name (docs/architecture.md#filter-language), `members` of those the caller sees. */
const multi = (visibleTo: VisibleTo | undefined): TableMapping['multi'] => ({
  members: {
    exists: (a) => {
      const visible = membersVisible(a, `${a}u`, `${a}g`, visibleTo);
      return {
        sql: `exists (select 1 from memberships ${a} left join users ${a}u on ${a}u.id = ${a}.member_user_id left join groups ${a}g on ${a}g.id = ${a}.member_group_id
            where ${a}.tenant_id = g.tenant_id and ${a}.group_id = g.id and ${visible.sql} and (%s))`,
        params: [...visible.params],
      };
    },
    columns: (a) => ({
      value: MEMBER_ID(a),
      type: `(case when ${a}.member_user_id is not null then 'User' else 'Group' end)`,
      display: `coalesce(${a}u.display_name, ${a}u.user_name, ${a}g.display_name)`,
    }),
  },
});

/** Moves a group some versions on, if it is still managed by whom it was and, when one is given, at the version expected. */
const MOVE = `update groups g set version = g.version + ?::int, updated_at = ?
  where g.tenant_id = ? and g.id = ?::uuid and g.managed_by is not distinct from ?::uuid and (?::int is null or g.version = ?::int)`;

const SOURCE: ListSource = { table: GROUPS, select: 'g.*', multi, visible: groupsVisible };

export function createGroupRepository(db: Db): GroupRepository {
  return {
    async get(tenantId, id, opts = {}) {
      if (!isUuid(id)) return null;
      const visible = groupsVisible('g', opts.visibleTo);
      // The lock an UPDATE of the row takes: it keeps other changes of the group waiting, not the
      // foreign-key checks of memberships naming it (a unit nesting it elsewhere, holding the
      // tenant's nesting lock, would otherwise wait on this one while it waits for that lock).
      const rows = await query<GroupRow>(
        db,
        `select g.* from groups g where g.tenant_id = ? and g.id = ?::uuid and ${visible.sql}${opts.forUpdate ? ' for no key update' : ''}`,
        [tenantId, canonicalId(id), ...visible.params],
      );
      return rows[0] ? toGroup(rows[0]) : null;
    },
    async getMany(tenantId, ids) {
      ids = ids.filter(isUuid);
      if (ids.length === 0) return [];
      const rows = await query<GroupRow>(db, `select g.* from groups g where g.tenant_id = ? and g.id = any(${ID_ARRAY})`, [tenantId, ids]);
      return rows.map(toGroup);
    },
    list(tenantId, q) {
      return listRows(db, SOURCE, tenantId, q, toGroup);
    },
    idsByDisplayName(tenantId, displayNames) {
      return idsByLowerName(db, 'groups.display_name', tenantId, displayNames);
    },
    async insert(g) {
      await later(db, [GROUPS.insert(g)]);
    },
    async update(g) {
      await later(db, [GROUPS.update(g)]);
    },
    async bumpVersion(tenantId, id, expect, at) {
      const rows = await query<GroupRow>(db, `${MOVE} returning g.*`, [1, at, tenantId, id, expect.managedBy, expect.version, expect.version]);
      return rows[0] ? toGroup(rows[0]) : null;
    },
    moveVersion(tenantId, id, expect, at, by = 1) {
      return laterRows<{ version: number }, number>(
        db,
        { sql: `${MOVE} returning g.id, g.version`, params: [by, at, tenantId, id, expect.managedBy, expect.version, expect.version], expectRow: true, name: MOVED_VERSIONS },
        (rows) => rows[0]!.version,
      );
    },
    async delete(tenantId, id) {
      if (!isUuid(id)) return false;
      return (await exec(db, 'delete from groups where tenant_id = ? and id = ?::uuid', [tenantId, id])) > 0;
    },
  };
}

interface MemberRow {
  group_id: string;
  id: string;
  type: 'User' | 'Group';
  display: string;
}

const MEMBER_SELECT = `m.group_id, ${MEMBER_ID('m')} as id,
  (case when m.member_user_id is not null then 'User' else 'Group' end) as type,
  coalesce(mu.display_name, mu.user_name, mg.display_name) as display
  from memberships m left join users mu on mu.id = m.member_user_id left join groups mg on mg.id = m.member_group_id`;

const toMember = (r: MemberRow): Member => ({ id: r.id, type: r.type, display: r.display });

/** The membership column that names a member of this kind. */
const memberColumn = (ref: MemberRef) => (ref.type === 'User' ? 'member_user_id' : 'member_group_id');

/**
 * Inserts exactly these memberships; a concurrent add of the same member is no error here but a
 * row short. One member (nearly every change) is a row of values, not an array: PostgreSQL
 * estimates an array parameter in a generic plan at ten elements, so a custom plan for one would
 * always look cheaper and the statement would be planned on every run (see `oneOf` in src/db/sql.ts).
 * One statement for both kinds of member: two would be sent apart, as they write one table.
 */
function insertExactly(tenantId: string, groupId: string, refs: readonly MemberRef[]): Statement {
  const head = 'insert into memberships (tenant_id, group_id, member_user_id, member_group_id, created_at)';
  if (refs.length === 1) {
    const [ref] = refs as [MemberRef];
    return {
      sql: `${head} values (?, ?::uuid, ?::uuid, ?::uuid, now()) on conflict do nothing returning 1`,
      params: [tenantId, groupId, ref.type === 'User' ? ref.id : null, ref.type === 'Group' ? ref.id : null],
    };
  }
  return {
    sql: `${head} select ?, ?::uuid, x.u, x.g, now() from unnest(?::uuid[], ?::uuid[]) as x(u, g) on conflict do nothing returning 1`,
    params: [tenantId, groupId, refs.map((r) => (r.type === 'User' ? r.id : null)), refs.map((r) => (r.type === 'Group' ? r.id : null))],
  };
}

/** Deletes exactly these memberships, each a probe of its unique key; one member is one `=`, as above. */
function deleteExactly(tenantId: string, groupId: string, refs: readonly MemberRef[]): Statement {
  if (refs.length === 1) {
    const [ref] = refs as [MemberRef];
    return { sql: `delete from memberships where tenant_id = ? and group_id = ?::uuid and ${memberColumn(ref)} = ?::uuid returning 1`, params: [tenantId, groupId, ref.id] };
  }
  // An OR across both member columns would walk the group; each half probes the key.
  return {
    sql: `delete from memberships m where m.id in (
       select id from memberships where tenant_id = ? and group_id = ?::uuid and member_user_id = any(?::uuid[])
       union all
       select id from memberships where tenant_id = ? and group_id = ?::uuid and member_group_id = any(?::uuid[]))
     returning 1`,
    params: [tenantId, groupId, refs.filter((r) => r.type === 'User').map((r) => r.id), tenantId, groupId, refs.filter((r) => r.type === 'Group').map((r) => r.id)],
  };
}

/**
 * Memberships are rows (never an array on the group): adding or removing k members is one
 * statement over k ids, whatever the group's size (docs/architecture.md#memberships).
 */
export function createMembershipRepository(db: Db): MembershipRepository {
  const split = (refs: readonly MemberRef[]) => ({
    users: refs.filter((r) => r.type === 'User').map((r) => r.id),
    groups: refs.filter((r) => r.type === 'Group').map((r) => r.id),
  });

  return {
    async existing(tenantId, refs, visibleTo) {
      const { users, groups } = split(refs.filter((r) => isUuid(r.id)));
      if (users.length + groups.length === 0) return [];
      const vu = usersVisible('u', visibleTo);
      const vg = groupsVisible('g', visibleTo);
      const byUser = oneOf('u.id', users);
      const byGroup = oneOf('g.id', groups);
      return query<MemberRef>(
        db,
        `select u.id, 'User' as type from users u where u.tenant_id = ? and ${byUser.sql} and ${vu.sql}
         union all
         select g.id, 'Group' as type from groups g where g.tenant_id = ? and ${byGroup.sql} and ${vg.sql}`,
        [tenantId, byUser.param, ...vu.params, tenantId, byGroup.param, ...vg.params],
      );
    },

    async plan(tenantId, groupId, refs, visibleTo) {
      if (!isUuid(groupId)) return { group: null, found: [] };
      const id = canonicalId(groupId);
      const { users, groups } = split(refs.filter((r) => isUuid(r.id)));
      const vt = groupsVisible('t', visibleTo);
      const vu = usersVisible('u', visibleTo);
      const vg = groupsVisible('g', visibleTo);
      const byUser = oneOf('u.id', users);
      const byGroup = oneOf('g.id', groups);
      const isMember = (column: string, id: string) => `exists (select 1 from memberships m where m.tenant_id = ? and m.group_id = ?::uuid and m.${column} = ${id})`;
      // A plain select (no CTE), so it is sent without BEGIN; one probe of the membership key per member.
      const rows = await query<{ type: 'Target' | 'User' | 'Group'; id: string; member: boolean; doc: unknown[] | null }>(
        db,
        `select 'Target' as type, t.id, false as member, ${GROUPS.rowArray('t')} as doc from groups t where t.tenant_id = ? and t.id = ?::uuid and ${vt.sql}
         union all
         select 'User', u.id, ${isMember('member_user_id', 'u.id')}, null from users u where u.tenant_id = ? and ${byUser.sql} and ${vu.sql}
         union all
         select 'Group', g.id, ${isMember('member_group_id', 'g.id')}, null from groups g where g.tenant_id = ? and ${byGroup.sql} and ${vg.sql}`,
        [
          tenantId, id, ...vt.params,
          tenantId, id, tenantId, byUser.param, ...vu.params,
          tenantId, id, tenantId, byGroup.param, ...vg.params,
        ],
      );
      const target = rows.find((r) => r.type === 'Target');
      return {
        group: target ? GROUPS.fromArray(target.doc!) : null,
        found: rows.flatMap((r) => (r.type === 'Target' ? [] : [{ id: r.id, type: r.type, member: r.member }])),
      };
    },

    async changeExactly(tenantId, groupId, change, refs) {
      if (refs.length === 0) return;
      await later(db, [{ ...(change === 'add' ? insertExactly(tenantId, groupId, refs) : deleteExactly(tenantId, groupId, refs)), expectRows: refs.length }]);
    },

    async add(tenantId, groupId, refs) {
      if (refs.length === 0) return [];
      const { users, groups } = split(refs);
      return query<MemberRef>(
        db,
        `with u as (
           insert into memberships (tenant_id, group_id, member_user_id, created_at)
           select ?, ?, x, now() from unnest(${ID_ARRAY}) as t(x)
           on conflict (tenant_id, group_id, member_user_id) do nothing
           returning member_user_id as id),
         g as (
           insert into memberships (tenant_id, group_id, member_group_id, created_at)
           select ?, ?, x, now() from unnest(${ID_ARRAY}) as t(x)
           on conflict (tenant_id, group_id, member_group_id) do nothing
           returning member_group_id as id)
         select id, 'User' as type from u union all select id, 'Group' as type from g`,
        [tenantId, groupId, users, tenantId, groupId, groups],
      );
    },

    async remove(tenantId, groupId, memberIds, visibleTo) {
      const ids = memberIds.filter(isUuid);
      if (ids.length === 0) return [];
      const visible = memberRowsVisible('m', visibleTo);
      const byUser = oneOf('m.member_user_id', ids);
      const byGroup = oneOf('m.member_group_id', ids);
      // Two index probes per id, never a scan of the group: an OR across both member columns
      // would make the planner walk every row of the group.
      return query<MemberRef>(
        db,
        `with u as (delete from memberships m where m.tenant_id = ? and m.group_id = ? and ${byUser.sql} and ${visible.sql} returning m.member_user_id as id),
              g as (delete from memberships m where m.tenant_id = ? and m.group_id = ? and ${byGroup.sql} and ${visible.sql} returning m.member_group_id as id)
         select id, 'User' as type from u union all select id, 'Group' as type from g`,
        [tenantId, groupId, byUser.param, ...visible.params, tenantId, groupId, byGroup.param, ...visible.params],
      );
    },

    async removeAllExcept(tenantId, groupId, keep, visibleTo) {
      const visible = memberRowsVisible('m', visibleTo);
      return query<MemberRef>(
        db,
        `delete from memberships m where m.tenant_id = ? and m.group_id = ?
           and ${MEMBER_ID('m')} <> all(${ID_ARRAY}) and ${visible.sql}
         returning ${MEMBER_ID('m')} as id, (case when m.member_user_id is not null then 'User' else 'Group' end) as type`,
        [tenantId, groupId, keep.filter(isUuid), ...visible.params],
      );
    },

    async members(tenantId, groupId, page, visibleTo) {
      if (!isUuid(groupId)) return [];
      const visible = membersVisible('m', 'mu', 'mg', visibleTo);
      const rows = await query<MemberRow>(
        db,
        `select ${MEMBER_SELECT} where m.tenant_id = ? and m.group_id = ? and ${visible.sql} order by m.id limit ? offset ?`,
        [tenantId, groupId, ...visible.params, page.limit, page.offset],
      );
      return rows.map(toMember);
    },

    async membersOfGroups(tenantId, groupIds, limit, visibleTo) {
      const out = new Map<string, Member[]>(groupIds.map((id) => [id, []]));
      const ids = groupIds.filter(isUuid);
      if (ids.length === 0) return out;
      const visible = membersVisible('m', 'mu', 'mg', visibleTo);
      // A lateral join reads only the first `limit` rows of each group, whatever its size.
      const rows = await query<MemberRow>(
        db,
        `select x.* from unnest(${ID_ARRAY}) as gid(id)
         cross join lateral (select ${MEMBER_SELECT} where m.tenant_id = ? and m.group_id = gid.id and ${visible.sql} order by m.id limit ?) x`,
        [ids, tenantId, ...visible.params, limit],
      );
      for (const r of rows) out.get(r.group_id)?.push(toMember(r));
      return out;
    },

    async countMembers(tenantId, groupIds) {
      const out = new Map<string, number>(groupIds.map((id) => [id, 0]));
      const ids = groupIds.filter(isUuid);
      if (ids.length === 0) return out;
      const rows = await query<{ group_id: string; n: string }>(
        db,
        `select group_id, count(*) as n from memberships where tenant_id = ? and group_id = any(${ID_ARRAY}) group by group_id`,
        [tenantId, ids],
      );
      for (const r of rows) out.set(r.group_id, Number(r.n));
      return out;
    },

    async groupsOf(tenantId, memberIds, transitive, visibleTo) {
      const out = new Map<string, Group[]>(memberIds.map((id) => [id, []]));
      const ids = memberIds.filter(isUuid);
      if (ids.length === 0) return out;
      const visible = groupsVisible('g', visibleTo);
      const byUser = oneOf('m.member_user_id', ids);
      const byGroup = oneOf('m.member_group_id', ids);
      const rows = transitive
        ? // UNION (not UNION ALL) drops repeated (member, group) pairs, so nesting cycles end.
          await query<GroupRow & { member_id: string }>(
            db,
            `with recursive up(member_id, group_id) as (
               select m.member_user_id, m.group_id from memberships m where m.tenant_id = ? and ${byUser.sql}
               union
               select m.member_group_id, m.group_id from memberships m where m.tenant_id = ? and ${byGroup.sql}
               union
               select up.member_id, m.group_id from up join memberships m on m.tenant_id = ? and m.member_group_id = up.group_id
             )
             select up.member_id, g.* from up join groups g on g.id = up.group_id where ${visible.sql} order by lower(g.display_name), g.id`,
            [tenantId, byUser.param, tenantId, byGroup.param, tenantId, ...visible.params],
          )
        : await query<GroupRow & { member_id: string }>(
            db,
            // Two index-driven halves: an OR across both member columns would scan every membership.
            `select x.member_id, g.* from (
               select m.member_user_id as member_id, m.group_id from memberships m where m.tenant_id = ? and ${byUser.sql}
               union all
               select m.member_group_id, m.group_id from memberships m where m.tenant_id = ? and ${byGroup.sql}
             ) x join groups g on g.id = x.group_id
             where ${visible.sql}
             order by lower(g.display_name), g.id`,
            [tenantId, byUser.param, tenantId, byGroup.param, ...visible.params],
          );
      for (const r of rows) out.get(r.member_id)?.push(toGroup(r));
      return out;
    },

    async lockNesting(tenantId) {
      // A transaction-scoped advisory lock: it begins the unit's transaction, so the unit's next
      // reads see every nesting committed before the lock was had, and the lock goes with the commit.
      await query(db, "select pg_advisory_xact_lock(hashtextextended('roster.group-nesting:' || ?, 0))", [tenantId]);
    },

    async reaches(tenantId, fromGroupId, toGroupId) {
      // Is toGroupId among the groups nested (at any depth) inside fromGroupId?
      const rows = await query<{ found: boolean }>(
        db,
        `with recursive down(id) as (
           select member_group_id from memberships where tenant_id = ? and group_id = ? and member_group_id is not null
           union
           select m.member_group_id from down join memberships m on m.tenant_id = ? and m.group_id = down.id and m.member_group_id is not null
         )
         select exists (select 1 from down where id = ?) as found`,
        [tenantId, fromGroupId, tenantId, toGroupId],
      );
      return rows[0]?.found === true;
    },
  };
}
