import type { MemberOp } from '../../domain/group/group.service.js';
import type { ScimFilter } from '../filter/filter.parse.js';
import { coerceValue } from '../resource/resource.normalise.js';
import { memberInputs } from './group.mapping.js';
import { invalidPath, mutability } from '../scim.errors.js';
import type { PatchOperation } from '../patch/patch.normalise.js';

/**
 * Splits a group PATCH into membership steps for the domain (docs/architecture.md#patch-as-commands: addMembers, removeMembers,
 * replaceMembers, applied in order in one transaction, O(k) for k members changed) and the
 * operations on the group's own attributes. Membership is never loaded to apply a patch.
 */
export interface GroupPatchPlan {
  readonly profileOps: PatchOperation[];
  readonly memberOps: MemberOp[];
}

/** The ids a `members[...]` filter names: `value eq "id"`, possibly joined by `or`. */
function idsOf(f: ScimFilter, text: string): string[] {
  if (f.kind === 'or') return f.filters.flatMap((c) => idsOf(c, text));
  if (f.kind === 'cmp' && f.op === 'eq' && typeof f.value === 'string' && /^(members\.)?value$/i.test(f.attr.text)) return [f.value];
  throw invalidPath(`path "${text}": members can be selected by id only, as members[value eq "<id>"]`);
}

export function planGroupPatch(ops: readonly PatchOperation[]): GroupPatchPlan {
  const profileOps: PatchOperation[] = [];
  const memberOps: MemberOp[] = [];
  for (const o of ops) {
    const r = o.target.resolved;
    if (r.kind !== 'known' || r.attr.name !== 'members' || r.extension) {
      profileOps.push(o);
      continue;
    }
    const t = o.target;
    const values = () => memberInputs(coerceValue(r.attr, o.value, t.text), t.text);
    if (t.filter) {
      const ids = idsOf(t.filter, t.text);
      if (o.op === 'remove' && (!t.sub || t.sub.name === 'value')) {
        // {"op":"remove","path":"members[value eq \"<id>\"]"}: Entra with aadOptscim062020.
        memberOps.push({ op: 'remove', memberIds: ids });
        continue;
      }
      if (o.op === 'replace' && !t.sub) {
        // Replacing a selected member with another is removing one and adding the other.
        memberOps.push({ op: 'remove', memberIds: ids }, { op: 'add', members: values() });
        continue;
      }
      throw mutability(`path "${t.text}": a member's ${t.sub?.name ?? 'entry'} cannot be changed in place; remove the member and add another`);
    }
    if (t.sub) throw invalidPath(`path "${t.text}": change members with path "members" and values like [{"value": "<id>"}]`);
    switch (o.op) {
      case 'add':
        memberOps.push({ op: 'add', members: values() });
        break;
      case 'replace':
        memberOps.push({ op: 'replace', members: values() });
        break;
      case 'remove':
        // Entra's default dialect names the members to remove in `value` (docs/entra.md#two-patch-dialects); without a
        // value, RFC 7644 §3.5.2.2 removes them all.
        if (o.value === undefined || o.value === null) memberOps.push({ op: 'replace', members: [] });
        else memberOps.push({ op: 'remove', memberIds: values().map((m) => m.id) });
        break;
    }
  }
  return { profileOps, memberOps };
}
