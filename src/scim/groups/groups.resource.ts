import type { Group } from '../../domain/group/group.js';
import { applyPatch } from '../patch/patch.apply.js';
import { GROUP_TYPE } from '../registry/attribute.registry.js';
import { etagOf } from '../resource/resource.meta.js';
import { includes, project } from '../resource/resource.project.js';
import { noContent } from '../scim.call.js';
import { respond, writeDelete, writePatch, writeResource, type ScimResource } from '../scim.resource.js';
import { groupProfileFromScim, groupToScim, memberInputs } from './group.mapping.js';
import { planGroupPatch } from './group.patch.js';

/** Members returned with a group (RFC 7643 §4.1.2); Entra reads groups with excludedAttributes=members. */
export const MAX_MEMBERS_RETURNED = 10_000;

/** /Groups (RFC 7644 §3, RFC 7643 §4.2): SCIM groups onto the domain's group service. */
export const groupsResource: ScimResource<Group> = {
  type: GROUP_TYPE,

  read: (call, id) => call.services.groups.get(call.ctx, id),

  list: (call, q) => call.services.groups.list(call.ctx, q),

  async render(call, groups, p, hints = {}) {
    // `members` is read only when returned, for the whole page at once, and not for a group just created without any.
    const wanted = includes(p, 'members') && groups.length > 0;
    const members = wanted && !hints.withoutMembers ? await call.services.groups.membersOfGroups(call.ctx, groups.map((g) => g.id), MAX_MEMBERS_RETURNED) : null;
    return groups.map((g) => project(GROUP_TYPE, p, groupToScim(g, call.baseUrl, wanted ? (members?.get(g.id) ?? []) : undefined)));
  },

  create: (call) =>
    writeResource(call, groupsResource, 'group.create', null, async (body) => {
      const members = memberInputs(body.members);
      const group = await call.services.groups.create(call.ctx, groupProfileFromScim(body), members);
      return respond(call, groupsResource, group, 201, { Location: `${call.baseUrl}/Groups/${group.id}` }, { withoutMembers: members.length === 0 });
    }),

  replace: (call, id) =>
    writeResource(call, groupsResource, 'group.replace', id, async (body) => {
      const profile = groupProfileFromScim(body);
      // RFC 7644 §3.5.1 lets a PUT that omits members leave them as they are; one that sends them sets them.
      const members = 'members' in body ? [{ op: 'replace' as const, members: memberInputs(body.members) }] : [];
      const group = await call.services.groups.change(call.ctx, id, { profile: () => profile, members }, { ifVersion: call.ifVersion });
      return respond(call, groupsResource, group);
    }),

  patch: (call, id) =>
    writePatch(call, groupsResource, 'group.update', id, async (ops) => {
      // Membership changes go to the domain as steps; the group's own attributes are patched whole.
      const plan = planGroupPatch(ops);
      const profile = plan.profileOps.length ? { profile: (g: Group) => groupProfileFromScim(applyPatch(groupToScim(g, call.baseUrl), plan.profileOps)) } : {};
      const group = await call.services.groups.change(call.ctx, id, { ...profile, members: plan.memberOps }, { ifVersion: call.ifVersion });
      // docs/entra.md#tolerance-rules: group PATCH answers 204; a client that asks for attributes gets the group (RFC 7644 §3.5.2).
      if (call.req.query.attributes === undefined) return noContent({ ETag: etagOf(group.version) });
      return respond(call, groupsResource, group);
    }),

  delete: (call, id) => writeDelete(call, groupsResource, 'group.delete', id, () => call.services.groups.delete(call.ctx, id, { ifVersion: call.ifVersion })),
};
