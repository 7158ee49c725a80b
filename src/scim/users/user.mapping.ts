import { EMPTY_NAME, VALUE_ATTRIBUTES, type Address, type MultiValue, type User, type UserProfile, type GroupRef } from '../../domain/user/user.js';
import { SCHEMA, USER_TYPE } from '../registry/attribute.registry.js';
import { metaOf } from '../resource/resource.meta.js';
import { isObject, unknownExtensionKeys, type Json } from '../resource/resource.normalise.js';

/**
 * User ⇄ SCIM User (RFC 7643 §4.1, §4.3). What Roster stores is returned exactly as it was sent
 * (docs/entra.md#the-conversation: a different shape makes Entra PATCH again every cycle); empty values are left out.
 */

/** A string as `userProfileFromScim` reads one: anything else is null. */
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const compact = (o: Record<string, unknown>): Json => {
  const out: Json = {};
  for (const k in o) if (o[k] !== null && o[k] !== undefined) out[k] = o[k];
  return out;
};

// RFC 7643 §2.4: "primary": false is returned as false, and a primary never sent stays absent.
const valueOut = (v: MultiValue): Json => compact({ value: v.value, type: v.type, display: v.display, primary: v.primary });
const addressOut = (a: Address): Json => compact({ ...a });

/** The full SCIM representation; `groups` is included when given (it costs a query). */
export function userToScim(u: User, baseUrl: string, groups?: readonly GroupRef[]): Json {
  const enterprise = compact({
    employeeNumber: u.enterprise.employeeNumber,
    costCenter: u.enterprise.costCenter,
    organization: u.enterprise.organization,
    division: u.enterprise.division,
    department: u.enterprise.department,
    // docs/entra.md#further-patch-shapes: always {"value": id}, even for a manager Roster has not been sent yet.
    manager: u.enterprise.managerValue ? { value: u.enterprise.managerValue } : null,
  });
  const extensionKeys = Object.keys(u.extensions);
  const name = compact({ ...u.name });
  const out: Json = {
    schemas: [SCHEMA.user, ...(Object.keys(enterprise).length ? [SCHEMA.enterprise] : []), ...extensionKeys],
    id: u.id,
    ...compact({
      externalId: u.externalId,
      userName: u.userName,
      name: Object.keys(name).length ? name : null,
      displayName: u.displayName,
      nickName: u.nickName,
      profileUrl: u.profileUrl,
      title: u.title,
      userType: u.userType,
      preferredLanguage: u.preferredLanguage,
      locale: u.locale,
      timezone: u.timezone,
    }),
    active: u.active,
  };
  for (const attr of VALUE_ATTRIBUTES) if (u[attr].length) out[attr] = u[attr].map(valueOut);
  if (u.addresses.length) out.addresses = u.addresses.map(addressOut);
  if (groups) out.groups = groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.displayName, type: 'direct' }));
  if (Object.keys(enterprise).length) out[SCHEMA.enterprise] = enterprise;
  for (const k of extensionKeys) out[k] = u.extensions[k];
  out.meta = metaOf('User', u, baseUrl);
  return out;
}

const valueIn = (v: unknown): MultiValue => {
  const o = isObject(v) ? v : {};
  return { value: str(o.value) as string, type: str(o.type), primary: bool(o.primary), display: str(o.display) };
};
const addressIn = (v: unknown): Address => {
  const o = isObject(v) ? v : {};
  return {
    type: str(o.type),
    primary: bool(o.primary),
    formatted: str(o.formatted),
    streetAddress: str(o.streetAddress),
    locality: str(o.locality),
    region: str(o.region),
    postalCode: str(o.postalCode),
    country: str(o.country),
  };
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The profile a canonical SCIM User (resource.normalise) describes. Attributes it lacks are empty:
 * PUT replaces the whole resource (RFC 7644 §3.5.1), PATCH hands over the patched whole.
 */
export function userProfileFromScim(r: Json): UserProfile {
  const name = isObject(r.name) ? r.name : {};
  const ent = isObject(r[SCHEMA.enterprise]) ? (r[SCHEMA.enterprise] as Json) : {};
  const manager = isObject(ent.manager) ? ent.manager : {};
  const values = Object.fromEntries(VALUE_ATTRIBUTES.map((a) => [a, list(r[a]).map(valueIn)])) as Record<(typeof VALUE_ATTRIBUTES)[number], MultiValue[]>;
  return {
    // A missing userName reaches the domain as null so it says "userName is required".
    userName: str(r.userName) as string,
    externalId: str(r.externalId),
    name: {
      ...EMPTY_NAME,
      formatted: str(name.formatted),
      familyName: str(name.familyName),
      givenName: str(name.givenName),
      middleName: str(name.middleName),
      honorificPrefix: str(name.honorificPrefix),
      honorificSuffix: str(name.honorificSuffix),
    },
    displayName: str(r.displayName),
    nickName: str(r.nickName),
    profileUrl: str(r.profileUrl),
    title: str(r.title),
    userType: str(r.userType),
    preferredLanguage: str(r.preferredLanguage),
    locale: str(r.locale),
    timezone: str(r.timezone),
    // RFC 7643 §4.1.1 leaves the default to the provider: a user is active unless told otherwise.
    active: typeof r.active === 'boolean' ? r.active : true,
    ...values,
    addresses: list(r.addresses).map(addressIn),
    enterprise: {
      employeeNumber: str(ent.employeeNumber),
      costCenter: str(ent.costCenter),
      organization: str(ent.organization),
      division: str(ent.division),
      department: str(ent.department),
      managerValue: str(manager.value),
    },
    extensions: Object.fromEntries(unknownExtensionKeys(USER_TYPE, r).map((k) => [k, r[k]])),
  };
}

/** Multi-valued attributes whose elements are told apart by their `type` (RFC 7643 §2.4). */
const TYPED: readonly string[] = [...VALUE_ATTRIBUTES, 'addresses'];

const typeOf = (e: unknown): string | null => (isObject(e) && typeof e.type === 'string' ? e.type.toLowerCase() : null);

/**
 * Sent elements take the place of the stored ones of their type (where the first of them was, so an
 * unchanged value stays unchanged); stored elements of other types stay, no longer primary if a sent one is.
 */
function mergeByType(stored: readonly unknown[], sent: readonly unknown[]): unknown[] {
  const sentPrimary = sent.some((e) => isObject(e) && e.primary === true);
  const placed = new Set<string | null>();
  const out: unknown[] = [];
  for (const e of stored) {
    const type = typeOf(e);
    if (sent.some((x) => typeOf(x) === type)) {
      if (!placed.has(type)) out.push(...sent.filter((x) => typeOf(x) === type));
      placed.add(type);
    } else {
      // Only a stored primary changes (to false, RFC 7644 §3.5.2); a primary never sent stays absent.
      out.push(sentPrimary && isObject(e) && e.primary === true ? { ...e, primary: false } : e);
    }
  }
  return [...out, ...sent.filter((x) => !placed.has(typeOf(x)))];
}

/**
 * The SCIM User left by a create that adopts or brings back a stored user
 * (docs/architecture.md#provisioning-policies): what the request carries replaces what was stored,
 * the rest stays — complex attributes (`name`, extensions) by sub-attribute, multi-valued ones by
 * type, so an identity provider that sends the work e-mail keeps the admin's home address and title.
 * A create says the person should have access: active unless the request says otherwise.
 */
export function adoptedScim(stored: Json, sent: Json): Json {
  const out: Json = { ...stored };
  for (const [k, v] of Object.entries(sent)) {
    const before = out[k];
    if (TYPED.includes(k) && Array.isArray(v) && Array.isArray(before)) out[k] = mergeByType(before, v);
    else if (isObject(v) && isObject(before)) out[k] = { ...before, ...v };
    else out[k] = v;
  }
  out.active = typeof sent.active === 'boolean' ? sent.active : true;
  return out;
}
