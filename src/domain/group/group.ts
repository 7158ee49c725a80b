import { InvalidValueError } from '../errors.js';
import type { FieldCatalog } from '../shared/filter.js';
import type { ResourceMeta } from '../shared/resource.js';
import { MAX_STRING_LENGTH } from '../user/user.js';

export type MemberType = 'User' | 'Group';

export interface MemberRef {
  readonly id: string;
  readonly type: MemberType;
}

export interface Member extends MemberRef {
  /** The member's display name (a user's displayName or userName, a group's displayName). */
  readonly display: string;
}

export interface GroupProfile {
  readonly displayName: string;
  readonly externalId: string | null;
  /** Attributes of extension schemas Roster has no column for, kept verbatim by schema URN. */
  readonly extensions: Readonly<Record<string, unknown>>;
}

export interface Group extends GroupProfile, ResourceMeta {}

export function validateGroupProfile(p: GroupProfile): void {
  if (typeof p.displayName !== 'string' || p.displayName.trim() === '') {
    throw new InvalidValueError('"displayName" is required and must not be empty', 'displayName');
  }
  if (p.displayName.length > MAX_STRING_LENGTH) {
    throw new InvalidValueError(`"displayName" is longer than ${MAX_STRING_LENGTH} characters`, 'displayName');
  }
  if (p.externalId !== null && (typeof p.externalId !== 'string' || p.externalId.length > MAX_STRING_LENGTH)) {
    throw new InvalidValueError(`"externalId" must be a string of at most ${MAX_STRING_LENGTH} characters`, 'externalId');
  }
  if (JSON.stringify(p.extensions).length > 64 * 1024) {
    throw new InvalidValueError('extension attributes are larger than 64 KiB', 'extensions');
  }
}

export const GROUP_FIELDS: FieldCatalog = {
  simple: {
    id: { type: 'id', caseExact: true, sortable: true },
    displayName: { type: 'string', caseExact: false, sortable: true },
    externalId: { type: 'string', caseExact: true, sortable: true },
    managedBy: { type: 'id', caseExact: true },
    createdAt: { type: 'dateTime', caseExact: false, sortable: true },
    updatedAt: { type: 'dateTime', caseExact: false, sortable: true },
  },
  multi: {
    members: {
      value: { type: 'id', caseExact: true },
      type: { type: 'string', caseExact: false },
      display: { type: 'string', caseExact: false },
    },
  },
};
