import type { User, UserProfile } from '../../domain/user/user.js';
import { USER_TYPE } from '../registry/attribute.registry.js';
import { includes, project, type Projection } from '../resource/resource.project.js';
import type { ScimCall, ScimResponse } from '../scim.call.js';
import { projectionOf, respond, writeDelete, writePatch, writeResource, type ScimResource } from '../scim.resource.js';
import { adoptedScim, userProfileFromScim, userToScim } from './user.mapping.js';
import { patchedProfile } from './user.patch.js';

/** /Users (RFC 7644 §3, RFC 7643 §4.1): SCIM users onto the domain's user service. */
/** Whether an answer projected by `p` holds `groups`, so the users are read with them. */
const withGroups = (p: Projection | undefined): boolean => p !== undefined && includes(p, 'groups');

/** Changes a user and answers with it; groups the answer holds are read with the user it changes, the projection parsed once. */
async function changeUser(call: ScimCall, id: string, change: (current: User) => UserProfile): Promise<ScimResponse> {
  const p = projectionOf(call, usersResource);
  const user = await call.services.users.update(call.ctx, id, change, { ifVersion: call.ifVersion, withGroups: withGroups(p) });
  return respond(call, usersResource, user, 200, {}, {}, p);
}

export const usersResource: ScimResource<User> = {
  type: USER_TYPE,

  // A read whose answer holds `groups` reads them in the same statement as the users.
  read: (call, id, p) => call.services.users.get(call.ctx, id, { withGroups: withGroups(p) }),

  list: (call, q, p) => call.services.users.list(call.ctx, { ...q, withGroups: withGroups(p) }),

  async render(call, users, p, hints = {}) {
    // `groups` costs a query when the users were read without them: read only when returned, for
    // the whole page at once, and not for a user just created.
    const wanted = includes(p, 'groups') && users.length > 0 && !hints.created;
    const groups = wanted && users.some((u) => !u.groups) ? await call.services.groups.groupsOf(call.ctx, users.map((u) => u.id)) : null;
    return users.map((u) => {
      const gs = wanted ? (u.groups ?? groups?.get(u.id)) : undefined;
      return project(USER_TYPE, p, userToScim(u, call.baseUrl, gs?.length ? gs : undefined));
    });
  },

  create: (call) =>
    writeResource(call, usersResource, 'user.create', null, async (body) => {
      const { user, adopted } = await call.services.users.create(call.ctx, userProfileFromScim(body), {
        policies: call.connection.policies,
        merge: (existing) => userProfileFromScim(adoptedScim(userToScim(existing, call.baseUrl), body)),
      });
      // An adopted user keeps the groups it had; a new one has none yet.
      return respond(call, usersResource, user, 201, { Location: `${call.baseUrl}/Users/${user.id}` }, { created: !adopted });
    }),

  replace: (call, id) =>
    writeResource(call, usersResource, 'user.replace', id, async (body) => {
      const profile = userProfileFromScim(body);
      return changeUser(call, id, () => profile);
    }),

  patch: (call, id) =>
    writePatch(call, usersResource, 'user.update', id, async (ops) => {
      // docs/entra.md#tolerance-rules: user PATCH answers 200 with the resource.
      return changeUser(call, id, (current) => patchedProfile(current, ops, call.baseUrl));
    }),

  // docs/architecture.md#provisioning-policies, onDelete: Tealium deprovisions where Entra means a hard delete.
  delete: (call, id) =>
    call.connection.policies.onDelete === 'deactivate'
      ? writeDelete(call, usersResource, 'user.deprovision', id, () => call.services.users.deprovision(call.ctx, id, { ifVersion: call.ifVersion }))
      : writeDelete(call, usersResource, 'user.delete', id, () => call.services.users.delete(call.ctx, id, { ifVersion: call.ifVersion })),
};
