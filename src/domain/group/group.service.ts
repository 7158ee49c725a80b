import { assertCanRead, assertCanWrite, type Ctx } from '../context.js';
import { ForbiddenError, InvalidValueError, NotFoundError, PreconditionFailedError, UnavailableError } from '../errors.js';
import type { ListQuery, ListResult, Repositories } from '../ports.js';
import { validateFilter } from '../shared/filter.js';
import { lookupNames } from '../shared/resource.js';
import { deletedGroupData, groupData, membersData } from '../event/event.js';
import { extended } from '../shared/objects.js';
import { actingConnection, assertMayChange, assertVersion, explainSourceConflict, recordAudit, recordEvent, retryStale, type ServiceDeps } from '../shared/service-kit.js';
import { coalescing } from '../shared/coalesce.js';
import { canonicalId, isUuid } from '../shared/id.js';
import { changedGroupAttributes, GROUP_FIELDS, validateGroupProfile, type Group, type GroupProfile, type Member, type MemberRef, type MemberType } from './group.js';

/** A member named by id; the type is looked up when the caller does not know it (SCIM often omits it). */
export interface MemberInput {
  readonly id: string;
  readonly type?: MemberType | null;
}

/** One step of a membership change; steps apply in order (docs/entra.md#further-patch-shapes: add then remove of one member). */
export type MemberOp =
  | { readonly op: 'add'; readonly members: readonly MemberInput[] }
  | { readonly op: 'remove'; readonly memberIds: readonly string[] }
  | { readonly op: 'replace'; readonly members: readonly MemberInput[] };

export interface GroupChange {
  /** New profile from the current one; omitted when only membership changes. */
  readonly profile?: (current: Group) => GroupProfile;
  readonly members?: readonly MemberOp[];
}

export const MAX_MEMBERS_PER_REQUEST = 10_000;

/** The most single add or remove steps of one group written together (docs/architecture.md#memberships). */
const MAX_STEPS_TOGETHER = 64;

export type GroupService = ReturnType<typeof createGroupService>;

export function createGroupService(deps: ServiceDeps) {
  const { store } = deps;

  /** The group as the caller sees it: a connection gets NOT_FOUND for what another connection manages (docs/architecture.md#provisioning-policies). */
  async function load(r: Repositories, ctx: Ctx, id: string, forUpdate = false): Promise<Group> {
    const g = await r.groups.get(ctx.tenantId, id, { forUpdate, visibleTo: actingConnection(ctx) });
    if (!g) throw new NotFoundError('Group', id);
    return g;
  }

  /** The refs member inputs may name, each id as both kinds when its type is not given; invalid inputs are a 400. */
  function candidatesOf(inputs: readonly MemberInput[]): { unique: MemberInput[]; candidates: MemberRef[] } {
    if (inputs.length > MAX_MEMBERS_PER_REQUEST) {
      throw new InvalidValueError(`at most ${MAX_MEMBERS_PER_REQUEST} members may change in one request`, 'members');
    }
    const bad = inputs.find((m) => typeof m.id !== 'string' || !isUuid(m.id));
    if (bad) throw new InvalidValueError(`member "${String(bad.id)}" is not a valid id`, 'members');
    const unique = [...new Map(inputs.map((m) => [canonicalId(m.id), m])).values()];
    const candidates: MemberRef[] = unique.flatMap((m) =>
      m.type ? [{ id: canonicalId(m.id), type: m.type }] : [{ id: canonicalId(m.id), type: 'User' as const }, { id: canonicalId(m.id), type: 'Group' as const }],
    );
    return { unique, candidates };
  }

  /** The found ref of each input, in the order asked for (the order members are listed in); unknown ids are a 400, not a silent skip. */
  function refsOf<R extends MemberRef>(unique: readonly MemberInput[], found: readonly R[]): R[] {
    const byId = new Map(found.map((f) => [f.id, f]));
    const missing = unique.filter((m) => !byId.has(canonicalId(m.id)));
    if (missing.length > 0) {
      const shown = missing.slice(0, 5).map((m) => m.id).join(', ');
      throw new InvalidValueError(`no user or group with id ${shown}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} in this tenant`, 'members');
    }
    return unique.map((m) => byId.get(canonicalId(m.id))!);
  }

  /**
   * A group may not become a member of itself, nor of a group nested inside it (a 400). Units that
   * nest groups of one tenant take its nesting lock first: two of them, each checked alone, could
   * otherwise write A in B and B in A side by side (docs/architecture.md#memberships).
   */
  async function assertNoCycle(r: Repositories, ctx: Ctx, groupId: string, refs: readonly MemberRef[]): Promise<void> {
    if (!refs.some((ref) => ref.type === 'Group')) return;
    await r.memberships.lockNesting(ctx.tenantId);
    for (const ref of refs) {
      if (ref.type !== 'Group') continue;
      if (ref.id === groupId || (await r.memberships.reaches(ctx.tenantId, ref.id, groupId))) {
        throw new InvalidValueError(`group ${ref.id} cannot be a member of ${groupId}: that would make a cycle`, 'members');
      }
    }
  }

  /** Resolves member inputs to typed refs. */
  async function resolve(r: Repositories, ctx: Ctx, groupId: string, inputs: readonly MemberInput[]): Promise<MemberRef[]> {
    const { unique, candidates } = candidatesOf(inputs);
    // What the caller cannot see is not there for it: an id of another connection's user is unknown.
    const refs = refsOf(unique, await r.memberships.existing(ctx.tenantId, candidates, actingConnection(ctx)));
    await assertNoCycle(r, ctx, groupId, refs);
    return refs;
  }

  /**
   * Applies membership steps in order and returns the net change: a member added then removed in
   * one request (or removed then added) is in neither list.
   */
  async function applyMembers(r: Repositories, ctx: Ctx, groupId: string, ops: readonly MemberOp[]): Promise<{ added: MemberRef[]; removed: MemberRef[] }> {
    const added = new Map<string, MemberRef>();
    const removed = new Map<string, MemberRef>();
    const onAdded = (refs: readonly MemberRef[]) => {
      for (const m of refs) if (!removed.delete(m.id)) added.set(m.id, m);
    };
    const onRemoved = (refs: readonly MemberRef[]) => {
      for (const m of refs) if (!added.delete(m.id)) removed.set(m.id, m);
    };
    for (const step of ops) {
      if (step.op === 'remove') {
        onRemoved(await r.memberships.remove(ctx.tenantId, groupId, step.memberIds.map(canonicalId), actingConnection(ctx)));
        continue;
      }
      const refs = await resolve(r, ctx, groupId, step.members);
      // Members the caller cannot see (another source's, or ones it deprovisioned) stay.
      if (step.op === 'replace') onRemoved(await r.memberships.removeAllExcept(ctx.tenantId, groupId, refs.map((m) => m.id), actingConnection(ctx)));
      onAdded(await r.memberships.add(ctx.tenantId, groupId, refs));
    }
    return { added: [...added.values()], removed: [...removed.values()] };
  }

  /** One group.members_added and one group.members_removed event per request, never one per member. */
  async function recordMembers(
    r: Repositories,
    ctx: Ctx,
    group: Group,
    net: { added: readonly MemberRef[]; removed: readonly MemberRef[] },
    versionsAfter = 0,
  ): Promise<void> {
    const base = { resourceType: 'Group', resourceId: group.id, changedAttributes: ['members'], versionsAfter } as const;
    if (net.added.length) await recordEvent(deps, r, ctx, extended(base, { type: 'group.members_added', data: membersData(group, net.added) }));
    if (net.removed.length) await recordEvent(deps, r, ctx, extended(base, { type: 'group.members_removed', data: membersData(group, net.removed) }));
  }

  /** Runs a write that sets `displayName`, explaining a conflict with another source's group. */
  const explainConflict = <T>(ctx: Ctx, displayName: () => string, write: () => Promise<T>): Promise<T> =>
    explainSourceConflict(ctx, 'group.displayName', () => store.read(async (r) => {
      const id = (await r.groups.idsByDisplayName(ctx.tenantId, [displayName()])).get(displayName());
      return id ? r.groups.get(ctx.tenantId, id) : null;
    }), write);

  /** One add or one remove step, planned: what it changes of the group as its caller saw it. */
  interface PlannedStep {
    readonly ctx: Ctx;
    readonly id: string;
    readonly op: 'add' | 'remove';
    readonly changing: readonly MemberRef[];
    readonly current: Group;
    readonly ifVersion: number | null;
  }

  /** Plans a step from one read (`memberships.plan`): the group, the members named and whether each is in it. */
  async function planStep(
    r: Repositories,
    ctx: Ctx,
    id: string,
    step: Exclude<MemberOp, { op: 'replace' }>,
    ifVersion: number | null,
  ): Promise<PlannedStep> {
    const { unique, candidates } =
      step.op === 'add' ? candidatesOf(step.members) : candidatesOf(step.memberIds.filter(isUuid).map((m) => ({ id: m })));
    // What the caller cannot see is not there for it: an id of another connection's user is unknown.
    const plan = await r.memberships.plan(ctx.tenantId, id, candidates, actingConnection(ctx));
    const current = plan.group;
    if (!current) throw new NotFoundError('Group', id);
    assertMayChange(ctx, current, 'Group', id);
    assertVersion(current.version, ifVersion, 'Group', id);
    const named = step.op === 'add' ? refsOf(unique, plan.found) : plan.found;
    const changing = named.filter((m) => m.member === (step.op === 'remove')).map((m): MemberRef => ({ id: m.id, type: m.type }));
    return { ctx, id, op: step.op, changing, current, ifVersion };
  }

  /**
   * Writes planned steps of one group, of one kind, as one statement of the unit `r`: their
   * membership rows, the group's version moved once per step, and each step's audit and change
   * event, the event with the version its step reached. Returns the last version, once sent.
   */
  async function writeSteps(r: Repositories, steps: readonly PlannedStep[], at: Date) {
    const first = steps[0]!;
    for (const p of steps) if (p.op === 'add') await assertNoCycle(r, p.ctx, p.id, p.changing);
    await r.memberships.changeExactly(first.ctx.tenantId, first.id, first.op, steps.flatMap((p) => p.changing));
    const version = await r.groups.moveVersion(first.ctx.tenantId, first.id, { managedBy: first.current.managedBy, version: first.ifVersion }, at, steps.length);
    for (const [k, p] of steps.entries()) {
      const after = steps.length - 1 - k;
      // In a transaction the version is known once the statement ran; the events take it from there.
      const next: Group = { ...p.current, version: version.sent ? version.get() - after : p.current.version + 1, updatedAt: at };
      await recordAudit(deps, r, p.ctx, { action: 'group.members', resourceType: 'Group', resourceId: p.id, changes: ['members'] });
      await recordMembers(r, p.ctx, next, p.op === 'add' ? { added: p.changing, removed: [] } : { added: [], removed: p.changing }, after);
    }
    return version;
  }

  /** The group each step leaves: the last step reaches `last`, each one before it one version less. */
  const afterSteps = (steps: readonly PlannedStep[], last: number, at: Date): Group[] =>
    steps.map((p, k) => ({ ...p.current, version: last - (steps.length - 1 - k), updatedAt: at }));

  /** Writes planned steps of one group together in one unit of work. */
  async function writeTogether(steps: readonly PlannedStep[]): Promise<Group[]> {
    const at = deps.now();
    const moved = await store.write((r) => writeSteps(r, steps, at));
    return afterSteps(steps, moved.get(), at);
  }

  /**
   * Steps of one group that arrive while another is being written wait and are written together
   * next (docs/architecture.md#memberships). A batch that fails is written again step by step,
   * so that each step meets its own outcome (a stale plan, a member deleted meanwhile); not when
   * the database was unavailable, which each step would only meet again.
   */
  const together = coalescing<PlannedStep, Group>(async (steps, answerBefore) => {
    // A step's answer is small (a PATCH of a group answers 204): the steps before are answered first.
    answerBefore();
    try {
      return (await writeTogether(steps)).map((value) => ({ status: 'fulfilled', value }));
    } catch (e) {
      if (steps.length === 1 || e instanceof UnavailableError) return steps.map(() => ({ status: 'rejected', reason: e }));
      return Promise.allSettled(steps.map(async (p) => (await writeTogether([p]))[0]!));
    }
  }, MAX_STEPS_TOGETHER);

  /**
   * The steps a plan may be written with: those of the same group, kind and caller, planned from
   * the same owner, without `If-Match`, adding no group (whose cycles are checked one by one).
   */
  function batchKey(p: PlannedStep): string | null {
    if (p.ifVersion !== null || (p.op === 'add' && p.changing.some((m) => m.type !== 'User'))) return null;
    const actor = p.ctx.actor.type === 'system' ? 'system' : p.ctx.actor.id;
    return `${p.ctx.tenantId}:${p.id}:${p.op}:${p.current.managedBy ?? ''}:${actor}`;
  }

  /**
   * One add or one remove step, the membership change identity providers send most
   * (docs/architecture.md#memberships): planned from one read (the group, the members named and
   * whether each is in the group already), and written as one statement with the group's version,
   * the audit event and the change event, together with the steps of the same group that arrived
   * while the one before was being written. Nothing is locked while it is planned; a concurrent
   * change of the same members makes the statement fail as a whole, and the change is planned
   * again under the group row's lock (retryStale). Concurrent changes of other members of one
   * group run side by side: the version moves on in the statement, not from the version read.
   */
  async function changeMembersAtOnce(ctx: Ctx, id: string, step: Exclude<MemberOp, { op: 'replace' }>, ifVersion: number | null | undefined): Promise<Group> {
    return retryStale(async (locked) => {
      if (!locked) {
        const planned = await store.read((r) => planStep(r, ctx, id, step, ifVersion ?? null));
        if (planned.changing.length === 0) return planned.current;
        const key = batchKey(planned);
        return key ? together(key, planned) : (await writeTogether([planned]))[0]!;
      }
      const at = deps.now();
      const { steps, moved } = await store.write(async (r) => {
        await load(r, ctx, id, true);
        const planned = await planStep(r, ctx, id, step, ifVersion ?? null);
        if (planned.changing.length === 0) return { steps: [planned], moved: null };
        return { steps: [planned], moved: await writeSteps(r, [planned], at) };
      });
      return moved ? afterSteps(steps, moved.get(), at)[0]! : steps[0]!.current;
    });
  }

  /**
   * Adds and removes members without locking the group row while they are resolved and written:
   * changes to one group's members run side by side, kept apart by the membership primary key.
   * The group's version still moves by one per change that changed something, in one UPDATE near
   * the end, so an ETag still names one state of the group (docs/architecture.md#memberships).
   */
  async function changeMembers(ctx: Ctx, id: string, ops: readonly MemberOp[], ifVersion: number | null | undefined): Promise<Group> {
    return store.write(async (r) => {
      const current = await load(r, ctx, id);
      assertMayChange(ctx, current, 'Group', id);
      assertVersion(current.version, ifVersion, 'Group', id);
      const net = await applyMembers(r, ctx, id, ops);
      if (!net.added.length && !net.removed.length) return current;
      const next = await r.groups.bumpVersion(ctx.tenantId, id, { managedBy: current.managedBy, version: ifVersion ?? null }, deps.now());
      if (!next) {
        // Deleted, released, adopted or changed past the version asked for since it was read: say which.
        const now = await load(r, ctx, id);
        assertMayChange(ctx, now, 'Group', id);
        assertVersion(now.version, ifVersion, 'Group', id);
        throw new PreconditionFailedError(`Group ${id} changed while its members were being changed; read it again and retry`);
      }
      await recordAudit(deps, r, ctx, { action: 'group.members', resourceType: 'Group', resourceId: id, changes: ['members'] });
      await recordMembers(r, ctx, next, net);
      return next;
    });
  }

  return {
    async get(ctx: Ctx, id: string): Promise<Group> {
      assertCanRead(ctx);
      return store.read((r) => load(r, ctx, id));
    },

    async getMany(ctx: Ctx, ids: readonly string[]): Promise<Group[]> {
      assertCanRead(ctx);
      if (ids.length === 0) return [];
      return store.read((r) => r.groups.getMany(ctx.tenantId, ids));
    },

    /** Ids of the groups with these displayNames (case-insensitively), keyed by the name as given; unknown names are left out. */
    async idsByDisplayName(ctx: Ctx, displayNames: readonly string[]): Promise<Map<string, string>> {
      assertCanRead(ctx);
      const names = lookupNames(displayNames);
      return names.length ? store.read((r) => r.groups.idsByDisplayName(ctx.tenantId, names)) : new Map();
    },

    async list(ctx: Ctx, q: ListQuery): Promise<ListResult<Group>> {
      assertCanRead(ctx);
      if (q.filter) validateFilter(q.filter, GROUP_FIELDS, deps.limits.filter);
      if (q.sort && !GROUP_FIELDS.simple[q.sort.field]?.sortable) {
        throw new InvalidValueError(`groups cannot be sorted by "${q.sort.field}"`);
      }
      return store.read((r) => r.groups.list(ctx.tenantId, { ...q, visibleTo: actingConnection(ctx) }));
    },

    async members(ctx: Ctx, groupId: string, page: { offset: number; limit: number }): Promise<Member[]> {
      assertCanRead(ctx);
      return store.read((r) => r.memberships.members(ctx.tenantId, groupId, page, actingConnection(ctx)));
    },

    async membersOfGroups(ctx: Ctx, groupIds: readonly string[], limit: number): Promise<Map<string, Member[]>> {
      assertCanRead(ctx);
      return store.read((r) => r.memberships.membersOfGroups(ctx.tenantId, groupIds, limit, actingConnection(ctx)));
    },

    async memberCounts(ctx: Ctx, groupIds: readonly string[]): Promise<Map<string, number>> {
      assertCanRead(ctx);
      return store.read((r) => r.memberships.countMembers(ctx.tenantId, groupIds));
    },

    /** The groups each member belongs to: direct, or transitive through nested groups. */
    async groupsOf(ctx: Ctx, memberIds: readonly string[], transitive = false): Promise<Map<string, Group[]>> {
      assertCanRead(ctx);
      return store.read((r) => r.memberships.groupsOf(ctx.tenantId, memberIds, transitive, actingConnection(ctx)));
    },

    async create(ctx: Ctx, profile: GroupProfile, members: readonly MemberInput[] = []): Promise<Group> {
      assertCanWrite(ctx);
      validateGroupProfile(profile, deps.limits);
      return explainConflict(ctx, () => profile.displayName, () => store.write(async (r) => {
        const now = deps.now();
        const group: Group = extended(profile, { id: deps.newId(), tenantId: ctx.tenantId, managedBy: actingConnection(ctx), version: 1, createdAt: now, updatedAt: now });
        await r.groups.insert(group);
        const net = members.length > 0 ? await applyMembers(r, ctx, group.id, [{ op: 'add', members }]) : { added: [], removed: [] };
        const changes = ['displayName', ...(profile.externalId !== null ? ['externalId'] : [])];
        await recordAudit(deps, r, ctx, { action: 'group.create', resourceType: 'Group', resourceId: group.id, changes: [...changes, ...(members.length ? ['members'] : [])] });
        await recordEvent(deps, r, ctx, { type: 'group.created', resourceType: 'Group', resourceId: group.id, data: groupData(group), changedAttributes: changes });
        await recordMembers(r, ctx, group, net);
        return group;
      }));
    },

    /**
     * Changes a group's profile and/or membership in one transaction. The group row is locked,
     * so concurrent changes serialise; membership is never loaded (O(k) for k members changed).
     */
    async change(ctx: Ctx, id: string, change: GroupChange, opts: { ifVersion?: number | null } = {}): Promise<Group> {
      assertCanWrite(ctx);
      const members = change.members ?? [];
      const only = members.length === 1 ? members[0]! : null;
      // A remove of more ids than an add may name goes the longer way, which has no such bound.
      if (!change.profile && only && (only.op === 'add' || (only.op === 'remove' && only.memberIds.length <= MAX_MEMBERS_PER_REQUEST))) {
        return changeMembersAtOnce(ctx, id, only, opts.ifVersion);
      }
      if (!change.profile && members.length > 0 && members.every((m) => m.op !== 'replace')) return changeMembers(ctx, id, members, opts.ifVersion);
      let displayName = '';
      return explainConflict(ctx, () => displayName, () => store.write(async (r) => {
        const current = await load(r, ctx, id, true);
        // Membership of an admin-managed group is the admin's to change; a SCIM-owned group's is its connection's.
        assertMayChange(ctx, current, 'Group', id);
        assertVersion(current.version, opts.ifVersion, 'Group', id);
        const changes: string[] = [];
        let next = current;
        if (change.profile) {
          const profile = change.profile(current);
          validateGroupProfile(profile, deps.limits);
          displayName = profile.displayName;
          changes.push(...changedGroupAttributes(current, profile));
          next = { ...current, ...profile };
        }
        const profileChanges = [...changes];
        const net = change.members?.length ? await applyMembers(r, ctx, id, change.members) : { added: [], removed: [] };
        if (net.added.length || net.removed.length) changes.push('members');
        if (changes.length === 0) return current;
        next = { ...next, version: current.version + 1, updatedAt: deps.now() };
        await r.groups.update(next);
        const action = changes.length === 1 && changes[0] === 'members' ? 'group.members' : 'group.update';
        await recordAudit(deps, r, ctx, { action, resourceType: 'Group', resourceId: id, changes });
        if (profileChanges.length) await recordEvent(deps, r, ctx, { type: 'group.updated', resourceType: 'Group', resourceId: id, data: groupData(next), changedAttributes: profileChanges });
        await recordMembers(r, ctx, next, net);
        return next;
      }));
    },

    async rename(ctx: Ctx, id: string, displayName: string, opts: { ifVersion?: number | null } = {}): Promise<Group> {
      return this.change(ctx, id, { profile: (g) => ({ ...g, displayName }) }, opts);
    },

    async addMembers(ctx: Ctx, id: string, members: readonly MemberInput[]): Promise<Group> {
      return this.change(ctx, id, { members: [{ op: 'add', members }] });
    },

    async removeMembers(ctx: Ctx, id: string, memberIds: readonly string[]): Promise<Group> {
      return this.change(ctx, id, { members: [{ op: 'remove', memberIds }] });
    },

    async replaceMembers(ctx: Ctx, id: string, members: readonly MemberInput[]): Promise<Group> {
      return this.change(ctx, id, { members: [{ op: 'replace', members }] });
    },

    async delete(ctx: Ctx, id: string, opts: { ifVersion?: number | null } = {}): Promise<void> {
      assertCanWrite(ctx);
      await store.write(async (r) => {
        const current = await load(r, ctx, id, true);
        assertMayChange(ctx, current, 'Group', id);
        assertVersion(current.version, opts.ifVersion, 'Group', id);
        await r.groups.delete(ctx.tenantId, id);
        await recordAudit(deps, r, ctx, { action: 'group.delete', resourceType: 'Group', resourceId: id });
        await recordEvent(deps, r, ctx, { type: 'group.deleted', resourceType: 'Group', resourceId: id, data: deletedGroupData(current) });
      });
    },

    async release(ctx: Ctx, id: string): Promise<Group> {
      assertCanWrite(ctx);
      if (ctx.actor.type === 'connection') throw new ForbiddenError('A SCIM connection cannot release groups');
      return store.write(async (r) => {
        const current = await load(r, ctx, id, true);
        if (current.managedBy === null) return current;
        const updated: Group = { ...current, managedBy: null, version: current.version + 1, updatedAt: deps.now() };
        await r.groups.update(updated);
        await recordAudit(deps, r, ctx, { action: 'group.release', resourceType: 'Group', resourceId: id, changes: ['managedBy'] });
        await recordEvent(deps, r, ctx, { type: 'group.updated', resourceType: 'Group', resourceId: id, data: groupData(updated), changedAttributes: ['managedBy'] });
        return updated;
      });
    },
  };
}
