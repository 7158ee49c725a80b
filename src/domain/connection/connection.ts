import { InvalidValueError } from '../errors.js';

/** How a connection turns an incoming userName into Roster's login name (docs/architecture.md#provisioning-policies). */
export type LoginNamePolicy = 'asSent' | 'localPart';
/** What happens when the derived login name is taken. */
export type LoginNameCollision = 'reject' | 'suffix';
/** Which existing users a SCIM create may adopt instead of failing. */
export type MatchBy = 'userName' | 'primaryEmail' | 'anyEmail';
/** What a SCIM DELETE of a user does: remove it (Entra's meaning) or deprovision it (Tealium). */
export type OnDeletePolicy = 'delete' | 'deactivate';

export interface ProvisioningPolicies {
  readonly loginName: LoginNamePolicy;
  readonly onLoginNameCollision: LoginNameCollision;
  /** Empty: never adopt; a create for an existing userName is a conflict. */
  readonly matchBy: readonly MatchBy[];
  /** 'deactivate': the user stays for admins, inactive with its memberships, and is gone for SCIM until created again. */
  readonly onDelete: OnDeletePolicy;
}

export const DEFAULT_POLICIES: ProvisioningPolicies = Object.freeze({
  loginName: 'asSent',
  // A free userName is never refused for a login name derived for someone else (docs/architecture.md#provisioning-policies).
  onLoginNameCollision: 'suffix',
  matchBy: [],
  onDelete: 'delete',
});

export interface ScimConnection {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly policies: ProvisioningPolicies;
  readonly createdAt: Date;
  readonly rotatedAt: Date | null;
  readonly lastUsedAt: Date | null;
  /** Set while an admin has paused the connection: its token is refused, nothing else changes. */
  readonly pausedAt: Date | null;
}

export const LOGIN_NAME_POLICIES: readonly LoginNamePolicy[] = ['asSent', 'localPart'];
export const LOGIN_NAME_COLLISIONS: readonly LoginNameCollision[] = ['reject', 'suffix'];
export const MATCH_BY: readonly MatchBy[] = ['userName', 'primaryEmail', 'anyEmail'];
const LOGIN = LOGIN_NAME_POLICIES;
const COLLISION = LOGIN_NAME_COLLISIONS;
const MATCH = MATCH_BY;
export const ON_DELETE_POLICIES: readonly OnDeletePolicy[] = ['delete', 'deactivate'];

/** Accepts a partial policy object and returns a complete, checked one. */
export function normalisePolicies(input: Partial<ProvisioningPolicies> | null | undefined, base = DEFAULT_POLICIES): ProvisioningPolicies {
  const p = { ...base, ...(input ?? {}) };
  if (!LOGIN.includes(p.loginName)) {
    throw new InvalidValueError(`"policies.loginName" must be one of ${LOGIN.join(', ')}`, 'policies.loginName');
  }
  if (!COLLISION.includes(p.onLoginNameCollision)) {
    throw new InvalidValueError(`"policies.onLoginNameCollision" must be one of ${COLLISION.join(', ')}`, 'policies.onLoginNameCollision');
  }
  if (!Array.isArray(p.matchBy) || p.matchBy.some((m) => !MATCH.includes(m))) {
    throw new InvalidValueError(`"policies.matchBy" must list some of ${MATCH.join(', ')}`, 'policies.matchBy');
  }
  if (!ON_DELETE_POLICIES.includes(p.onDelete)) {
    throw new InvalidValueError(`"policies.onDelete" must be one of ${ON_DELETE_POLICIES.join(', ')}`, 'policies.onDelete');
  }
  return Object.freeze({ loginName: p.loginName, onLoginNameCollision: p.onLoginNameCollision, matchBy: [...new Set(p.matchBy)], onDelete: p.onDelete });
}
