import type { VisibleTo } from '../../domain/ports.js';

/**
 * What one SCIM connection sees, as SQL conditions (docs/architecture.md#provisioning-policies): the
 * users and groups it manages and those no connection manages; never what another connection
 * manages, nor the users it deprovisioned. The condition is part of the statement, so counts and
 * pages are exact; admin tools (`visibleTo` null) see the whole tenant and get no condition.
 */
export interface Condition {
  readonly sql: string;
  readonly params: readonly unknown[];
}

const ALL: Condition = { sql: 'true', params: [] };

/** Users of row alias `a` that `visibleTo` sees. */
export function usersVisible(a: string, visibleTo: VisibleTo | undefined): Condition {
  if (!visibleTo) return ALL;
  return { sql: `(${a}.managed_by is null or (${a}.managed_by = ?::uuid and ${a}.deprovisioned_at is null))`, params: [visibleTo] };
}

/** Groups of row alias `a` that `visibleTo` sees. */
export function groupsVisible(a: string, visibleTo: VisibleTo | undefined): Condition {
  if (!visibleTo) return ALL;
  return { sql: `(${a}.managed_by is null or ${a}.managed_by = ?::uuid)`, params: [visibleTo] };
}

/** Membership rows `m` whose member (user `mu` or group `mg`, left-joined) `visibleTo` sees. */
export function membersVisible(m: string, mu: string, mg: string, visibleTo: VisibleTo | undefined): Condition {
  if (!visibleTo) return ALL;
  const u = usersVisible(mu, visibleTo);
  const g = groupsVisible(mg, visibleTo);
  return { sql: `(${m}.member_user_id is null or ${u.sql}) and (${m}.member_group_id is null or ${g.sql})`, params: [...u.params, ...g.params] };
}

/** Membership rows `m` (without joins) whose member `visibleTo` sees; for deletes, which join nothing. */
export function memberRowsVisible(m: string, visibleTo: VisibleTo | undefined): Condition {
  if (!visibleTo) return ALL;
  const u = usersVisible('vu', visibleTo);
  const g = groupsVisible('vg', visibleTo);
  return {
    sql: `(${m}.member_user_id is null or exists (select 1 from users vu where vu.id = ${m}.member_user_id and ${u.sql}))
      and (${m}.member_group_id is null or exists (select 1 from groups vg where vg.id = ${m}.member_group_id and ${g.sql}))`,
    params: [...u.params, ...g.params],
  };
}
