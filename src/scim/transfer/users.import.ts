import { ManagedByScimError } from '../../domain/errors.js';
import { changedAttributes, type UserProfile } from '../../domain/user/user.js';
import { SCHEMA, USER_TYPE } from '../registry/attribute.registry.js';
import { isObject, normaliseResource } from '../resource/resource.normalise.js';
import { userProfileFromScim } from '../users/user.mapping.js';
import type { ImportKind } from './import.js';
import { keyOf, NAME_KEY } from './refs.js';

interface UserItem {
  readonly profile: UserProfile;
  /** The manager's userName, when the line names one (the export writes it beside the id). */
  readonly managerName: string | null;
}

const withManager = (p: UserProfile, managerValue: string | null): UserProfile => ({ ...p, enterprise: { ...p.enterprise, managerValue } });

/**
 * Users, upserted by userName; one a SCIM connection manages is refused a change
 * (docs/architecture.md#provisioning-policies, ownership), as in every admin tool. A manager named by userName is linked to the user of that name in
 * the target tenant; a manager given by id only keeps that id (a manager may dangle:
 * docs/architecture.md#data-model).
 */
export const userImport: ImportKind<UserItem> = {
  type: 'User',

  parse(value) {
    const profile = userProfileFromScim(normaliseResource(USER_TYPE, value));
    const enterprise = isObject(value) ? keyOf(value, SCHEMA.enterprise) : undefined;
    const manager = isObject(enterprise) ? keyOf(enterprise, 'manager') : undefined;
    const name = isObject(manager) ? keyOf(manager, NAME_KEY.User) : undefined;
    return { profile, managerName: typeof name === 'string' && name !== '' ? name : null };
  },

  name: (item) => (typeof item.profile.userName === 'string' ? item.profile.userName : null),

  refs: (item) => (item.managerName === null ? [] : [{ type: 'User', name: item.managerName }]),

  async apply({ services }, ctx, { profile, managerName }, resolve) {
    // undefined: named but not (yet) in the tenant, so left as it is.
    const managerValue = managerName === null ? profile.enterprise.managerValue : resolve('User', managerName);
    const existing = typeof profile.userName === 'string' ? resolve('User', profile.userName) : undefined;
    if (existing === undefined) {
      const { user } = await services.users.create(ctx, withManager(profile, managerValue ?? null));
      return { id: user.id, outcome: 'created' };
    }
    let before = 0;
    const user = await services.users.update(ctx, existing, (current) => {
      before = current.version;
      const next = withManager(profile, managerValue === undefined ? current.enterprise.managerValue : managerValue);
      // A user an identity provider manages is its own: the import changes it no more than any admin tool may.
      if (current.managedBy !== null && changedAttributes(current, next).length > 0) throw new ManagedByScimError('User', current.id);
      return next;
    });
    return { id: user.id, outcome: user.version === before ? 'unchanged' : 'updated' };
  },

  unresolved: () => 'the manager is not a user of this tenant (no user has its userName); the manager was left as it was',
};
