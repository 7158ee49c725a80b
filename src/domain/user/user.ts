import { InvalidValueError } from '../errors.js';
import type { FieldCatalog, FieldDef } from '../shared/filter.js';
import { sameData } from '../shared/equal.js';
import { canonicalId, isUuid } from '../shared/id.js';
import type { ResourceMeta } from '../shared/resource.js';
import { shape, validateFields, type InputLimits, type Shape } from '../shared/validate.js';

/**
 * One value of a multi-valued attribute such as emails, phoneNumbers or roles (RFC 7643 §2.4).
 * `primary` is three-valued: true, false, or null when it was not sent; each is returned as it came
 * (docs/architecture.md#values-as-sent).
 */
export interface MultiValue {
  readonly value: string;
  readonly type: string | null;
  readonly primary: boolean | null;
  readonly display: string | null;
}

export interface Address {
  readonly type: string | null;
  /** As for MultiValue: true, false, or null when not sent. */
  readonly primary: boolean | null;
  readonly formatted: string | null;
  readonly streetAddress: string | null;
  readonly locality: string | null;
  readonly region: string | null;
  readonly postalCode: string | null;
  readonly country: string | null;
}

/** A value with exactly MultiValue's fields, null for each one not given. */
export const multiValue = (v: { readonly value: string } & { readonly [K in Exclude<keyof MultiValue, 'value'>]?: MultiValue[K] | undefined }): MultiValue => ({
  value: v.value,
  type: v.type ?? null,
  primary: v.primary ?? null,
  display: v.display ?? null,
});

/** An address with exactly Address's fields, null for each one not given. */
export const address = (a: { readonly [K in keyof Address]?: Address[K] | undefined }): Address => ({
  type: a.type ?? null,
  primary: a.primary ?? null,
  formatted: a.formatted ?? null,
  streetAddress: a.streetAddress ?? null,
  locality: a.locality ?? null,
  region: a.region ?? null,
  postalCode: a.postalCode ?? null,
  country: a.country ?? null,
});

export interface PersonName {
  readonly formatted: string | null;
  readonly familyName: string | null;
  readonly givenName: string | null;
  readonly middleName: string | null;
  readonly honorificPrefix: string | null;
  readonly honorificSuffix: string | null;
}

/**
 * RFC 7643 §4.3 enterprise extension. `managerValue` is manager.value as sent (docs/entra.md#manager): usually a
 * user id, possibly of a user that does not exist yet, but also an employee id or login name.
 */
export interface Enterprise {
  readonly employeeNumber: string | null;
  readonly costCenter: string | null;
  readonly organization: string | null;
  readonly division: string | null;
  readonly department: string | null;
  readonly managerValue: string | null;
}

/**
 * The id of the user `managerValue` names, in its canonical form, when the value is an id in any
 * case; null for anything else, which names no user here.
 */
export const managerIdOf = (managerValue: string | null): string | null => (managerValue !== null && isUuid(managerValue) ? canonicalId(managerValue) : null);

/** The multi-valued attributes kept as rows of value/type/primary/display. */
export const VALUE_ATTRIBUTES = ['emails', 'phoneNumbers', 'ims', 'photos', 'roles', 'entitlements', 'x509Certificates'] as const;
export type ValueAttribute = (typeof VALUE_ATTRIBUTES)[number];

/** Everything about a user that callers set; the rest (id, version, timestamps) Roster owns. */
export interface UserProfile {
  readonly userName: string;
  readonly externalId: string | null;
  readonly name: PersonName;
  readonly displayName: string | null;
  readonly nickName: string | null;
  readonly profileUrl: string | null;
  readonly title: string | null;
  readonly userType: string | null;
  readonly preferredLanguage: string | null;
  readonly locale: string | null;
  readonly timezone: string | null;
  readonly active: boolean;
  readonly emails: readonly MultiValue[];
  readonly phoneNumbers: readonly MultiValue[];
  readonly ims: readonly MultiValue[];
  readonly photos: readonly MultiValue[];
  readonly roles: readonly MultiValue[];
  readonly entitlements: readonly MultiValue[];
  readonly x509Certificates: readonly MultiValue[];
  readonly addresses: readonly Address[];
  readonly enterprise: Enterprise;
  /**
   * Attributes Roster has no column for (extension schemas it does not know), kept verbatim and
   * returned as received, keyed by schema URN.
   */
  readonly extensions: Readonly<Record<string, unknown>>;
}

export interface User extends UserProfile, ResourceMeta {
  /** The local sign-in name, unique per tenant case-insensitively (see login-name.ts). */
  readonly loginName: string;
  /**
   * When the connection that manages the user deleted it under onDelete: deactivate; null otherwise.
   * A deprovisioned user is kept for admins and absent for that connection (docs/architecture.md#provisioning-policies).
   */
  readonly deprovisionedAt: Date | null;
  /**
   * The groups the user is a direct member of, as the reader sees them, by name; present only on a
   * user read with `withGroups` (docs/architecture.md#statements-per-request), never written.
   */
  readonly groups?: readonly GroupRef[];
}

/** A group as a member's representation names it. */
export interface GroupRef {
  readonly id: string;
  readonly displayName: string;
}

export const EMPTY_NAME: PersonName = {
  formatted: null,
  familyName: null,
  givenName: null,
  middleName: null,
  honorificPrefix: null,
  honorificSuffix: null,
};

export const EMPTY_ENTERPRISE: Enterprise = {
  employeeNumber: null,
  costCenter: null,
  organization: null,
  division: null,
  department: null,
  managerValue: null,
};

/** A profile with every optional attribute empty. */
export function emptyProfile(userName: string): UserProfile {
  return {
    userName,
    externalId: null,
    name: EMPTY_NAME,
    displayName: null,
    nickName: null,
    profileUrl: null,
    title: null,
    userType: null,
    preferredLanguage: null,
    locale: null,
    timezone: null,
    active: true,
    emails: [],
    phoneNumbers: [],
    ims: [],
    photos: [],
    roles: [],
    entitlements: [],
    x509Certificates: [],
    addresses: [],
    enterprise: EMPTY_ENTERPRISE,
    extensions: {},
  };
}

const text = shape.text;
const valueShape = shape.object({ value: text({ required: true, key: true }), type: text(), primary: shape.boolean({ nullable: true }), display: text() });
const addressShape = shape.object({
  type: text(),
  primary: shape.boolean({ nullable: true }),
  formatted: text(),
  streetAddress: text(),
  locality: text(),
  region: text(),
  postalCode: text(),
  country: text(),
});

/** What every attribute of a user profile must look like (docs/architecture.md#robustness). */
const PROFILE_SHAPE: Readonly<Record<keyof UserProfile, Shape>> = {
  userName: text({ required: true, key: true }),
  externalId: text({ key: true }),
  name: shape.object(Object.fromEntries(Object.keys(EMPTY_NAME).map((k) => [k, text()]))),
  displayName: text(),
  nickName: text(),
  profileUrl: text(),
  title: text(),
  userType: text(),
  preferredLanguage: text(),
  locale: text(),
  timezone: text(),
  active: shape.boolean(),
  ...(Object.fromEntries(VALUE_ATTRIBUTES.map((a) => [a, shape.list(valueShape)])) as Record<ValueAttribute, Shape>),
  addresses: shape.list(addressShape),
  enterprise: shape.object({
    employeeNumber: text(),
    costCenter: text(),
    organization: text(),
    division: text(),
    department: text(),
    managerValue: text(),
  }),
  extensions: shape.extensions(),
};

function checkPrimary(field: string, values: readonly { primary: boolean | null }[]): void {
  // RFC 7643 §2.4: the primary value "true" MUST appear no more than once.
  if (values.filter((v) => v.primary === true).length > 1) {
    throw new InvalidValueError(`"${field}" has more than one value marked primary; mark at most one`, field);
  }
}

/** The rules every user profile obeys, whichever front door it came through. */
export function validateProfile(p: UserProfile, limits: InputLimits): void {
  validateFields(PROFILE_SHAPE, p, limits);
  for (const attr of VALUE_ATTRIBUTES) checkPrimary(attr, p[attr]);
  checkPrimary('addresses', p.addresses);
}

const str = (caseExact = false, sortable = false): FieldDef => ({ type: 'string', caseExact, sortable });
const valueFields: Record<string, FieldDef> = {
  value: str(),
  type: str(),
  primary: { type: 'boolean', caseExact: false },
  display: str(),
};

/** The user fields filters and sorting may name (domain paths, not SCIM paths). */
export const USER_FIELDS: FieldCatalog = {
  simple: {
    id: { type: 'id', caseExact: true, sortable: true, unique: true },
    userName: { ...str(false, true), unique: true },
    loginName: { ...str(false, true), unique: true },
    externalId: str(true, true),
    displayName: str(false, true),
    nickName: str(),
    profileUrl: str(),
    title: str(false, true),
    userType: str(),
    preferredLanguage: str(),
    locale: str(),
    timezone: str(),
    active: { type: 'boolean', caseExact: false },
    'name.formatted': str(),
    'name.familyName': str(false, true),
    'name.givenName': str(false, true),
    'name.middleName': str(),
    'name.honorificPrefix': str(),
    'name.honorificSuffix': str(),
    'enterprise.employeeNumber': str(true, true),
    'enterprise.costCenter': str(),
    'enterprise.organization': str(),
    'enterprise.division': str(),
    'enterprise.department': str(false, true),
    'enterprise.managerValue': str(),
    managedBy: { type: 'id', caseExact: true },
    createdAt: { type: 'dateTime', caseExact: false, sortable: true },
    updatedAt: { type: 'dateTime', caseExact: false, sortable: true },
  },
  multi: {
    ...Object.fromEntries(VALUE_ATTRIBUTES.map((a) => [a, valueFields])),
    addresses: {
      type: str(),
      primary: { type: 'boolean', caseExact: false },
      formatted: str(),
      streetAddress: str(),
      locality: str(),
      region: str(),
      postalCode: str(),
      country: str(),
    },
    /** The groups the user is a direct member of. */
    groups: { value: { type: 'id', caseExact: true }, display: str() },
  },
};

/**
 * Names of the top-level attributes that differ between two profiles (for audit records); empty
 * when the change is a no-op. `name` and `enterprise` are reported field by field.
 */
export function changedAttributes(before: UserProfile, after: UserProfile): string[] {
  const out: string[] = [];
  for (const key of Object.keys(after) as (keyof UserProfile)[]) {
    const a = before[key];
    const b = after[key];
    if (key === 'name' || key === 'enterprise') {
      for (const sub of Object.keys(b as object)) {
        if (!sameData((a as unknown as Record<string, unknown>)[sub], (b as unknown as Record<string, unknown>)[sub])) out.push(`${key}.${sub}`);
      }
    } else if (!sameData(a, b)) {
      out.push(key);
    }
  }
  return out;
}
