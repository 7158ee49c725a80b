import type { Ctx } from '../../domain/context.js';
import { ManagedByScimError } from '../../domain/errors.js';
import { MAX_MEMBERS_PER_REQUEST, type MemberInput, type MemberOp } from '../../domain/group/group.service.js';
import { changedGroupAttributes, type GroupProfile, type MemberType } from '../../domain/group/group.js';
import type { Services } from '../../domain/services.js';
import { GROUP_TYPE } from '../registry/attribute.registry.js';
import { groupProfileFromScim } from '../groups/group.mapping.js';
import { isObject, normaliseResource } from '../resource/resource.normalise.js';
import { invalidValue } from '../scim.errors.js';
import type { ImportKind, Ref } from './import.js';
import { keyOf, NAME_KEY } from './refs.js';

interface GroupItem {
  readonly profile: GroupProfile;
  /** null when the line has no `members`: the membership is left as it is (as a SCIM PUT does). */
  readonly members: readonly Ref[] | null;
}

const MEMBERS_PER_PAGE = 1000;

function memberRefs(value: unknown): Ref[] {
  if (!Array.isArray(value)) throw invalidValue('"members" must be a list');
  return value.map((m, i) => {
    if (!isObject(m)) throw invalidValue(`"members[${i}]" must be an object`);
    const t = keyOf(m, 'type');
    const declared: MemberType | null = typeof t === 'string' ? (t.toLowerCase() === 'user' ? 'User' : t.toLowerCase() === 'group' ? 'Group' : null) : null;
    // Without a type, the name it carries says what it is.
    const type: MemberType = declared ?? (keyOf(m, NAME_KEY.User) !== undefined ? 'User' : 'Group');
    const name = keyOf(m, NAME_KEY[type]);
    return { type, name: typeof name === 'string' && name !== '' ? name : null };
  });
}

const chunks = <T>(xs: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += MAX_MEMBERS_PER_REQUEST) out.push(xs.slice(i, i + MAX_MEMBERS_PER_REQUEST));
  return out;
};

/**
 * The membership changes that turn the group's members into `wanted`, in steps of at most
 * MAX_MEMBERS_PER_REQUEST; none when it already has exactly those members.
 */
async function membershipOps(services: Services, ctx: Ctx, groupId: string, wanted: readonly MemberInput[]): Promise<MemberOp[]> {
  const current = new Set<string>();
  for (let offset = 0; ; offset += MEMBERS_PER_PAGE) {
    const page = await services.groups.members(ctx, groupId, { offset, limit: MEMBERS_PER_PAGE });
    for (const m of page) current.add(m.id);
    if (page.length < MEMBERS_PER_PAGE) break;
  }
  const keep = new Set(wanted.map((m) => m.id));
  return [
    ...chunks(wanted.filter((m) => !current.has(m.id))).map((members): MemberOp => ({ op: 'add', members })),
    ...chunks([...current].filter((id) => !keep.has(id))).map((memberIds): MemberOp => ({ op: 'remove', memberIds })),
  ];
}

/**
 * Groups, upserted by displayName, with their members: users by userName (import users first),
 * groups by displayName (they may come later in the file).
 */
export const groupImport: ImportKind<GroupItem> = {
  type: 'Group',

  parse(value) {
    const profile = groupProfileFromScim(normaliseResource(GROUP_TYPE, value));
    const members = isObject(value) ? keyOf(value, 'members') : undefined;
    return { profile, members: members === undefined || members === null ? null : memberRefs(members) };
  },

  name: (item) => (typeof item.profile.displayName === 'string' ? item.profile.displayName : null),

  refs: (item) => item.members ?? [],

  async apply({ services, atomically }, ctx, { profile, members }, resolve, deferred) {
    const wanted =
      members === null || deferred
        ? null
        : [
            ...new Map(
              members.flatMap((m) => {
                const id = m.name === null ? undefined : resolve(m.type, m.name);
                return id === undefined ? [] : [[id, { id, type: m.type }] as const];
              }),
            ).values(),
          ];
    const existing = typeof profile.displayName === 'string' ? resolve('Group', profile.displayName) : undefined;
    if (existing === undefined) {
      const [firstMembers = [], ...more] = chunks(wanted ?? []);
      if (more.length === 0) return { id: (await services.groups.create(ctx, profile, firstMembers)).id, outcome: 'created' };
      // More members than one change may carry: the creation and the further steps are one savepoint.
      const group = await atomically(async (s) => {
        const created = await s.groups.create(ctx, profile, firstMembers);
        for (const step of more) await s.groups.addMembers(ctx, created.id, step);
        return created;
      });
      return { id: group.id, outcome: 'created' };
    }
    let before = 0;
    const ops = wanted === null ? [] : await membershipOps(services, ctx, existing, wanted);
    const group = await services.groups.change(ctx, existing, {
      profile: (current) => {
        before = current.version;
        // A group an identity provider manages is its own: the import changes it no more than any admin tool may.
        if (current.managedBy !== null && (ops.length > 0 || changedGroupAttributes(current, profile).length > 0)) {
          throw new ManagedByScimError('Group', current.id);
        }
        return profile;
      },
      members: ops,
    });
    return { id: group.id, outcome: group.version === before ? 'unchanged' : 'updated' };
  },

  unresolved(refs) {
    const users = refs.filter((r) => r.type === 'User').length;
    const groups = refs.length - users;
    const parts = [users ? `${users} user${users > 1 ? 's' : ''}` : '', groups ? `${groups} group${groups > 1 ? 's' : ''}` : ''].filter(Boolean);
    return `${refs.length} member${refs.length > 1 ? 's are' : ' is'} not in this tenant (${parts.join(', ')}, matched by userName or displayName) and ${refs.length > 1 ? 'were' : 'was'} left out`;
  },
};
