import { sameData } from '../shared/equal.js';
import type { FieldCatalog } from '../shared/filter.js';
import type { ResourceMeta } from '../shared/resource.js';
import { shape, validateFields, type InputLimits, type Shape } from '../shared/validate.js';

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

/** The profile attributes `after` sets to another value than `before` has (compared as data). */
export function changedGroupAttributes(before: GroupProfile, after: GroupProfile): (keyof GroupProfile)[] {
  return (['displayName', 'externalId', 'extensions'] as const).filter((k) => !sameData(after[k], before[k]));
}

const PROFILE_SHAPE: Readonly<Record<keyof GroupProfile, Shape>> = {
  displayName: shape.text({ required: true, key: true }),
  externalId: shape.text({ key: true }),
  extensions: shape.extensions(),
};

/** The rules every group profile obeys, whichever front door it came through. */
export function validateGroupProfile(p: GroupProfile, limits: InputLimits): void {
  validateFields(PROFILE_SHAPE, p, limits);
}

export const GROUP_FIELDS: FieldCatalog = {
  simple: {
    id: { type: 'id', caseExact: true, sortable: true, unique: true },
    displayName: { type: 'string', caseExact: false, sortable: true, unique: true },
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
