import { GROUP_FIELDS } from '../../domain/group/group.js';
import type { FieldCatalog } from '../../domain/shared/filter.js';
import { USER_FIELDS } from '../../domain/user/user.js';

/**
 * The one attribute registry of the SCIM facade (docs/architecture.md#attribute-registry). Every SCIM attribute Roster knows is
 * described once here: its RFC 7643 §7 characteristics and where it lives in the domain. The
 * discovery documents, filter translation, PATCH path resolution, sorting and projection all read
 * it; nothing else lists attributes.
 */

export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
} as const;

export const MESSAGE = {
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
} as const;

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** RFC 7643 §7 attribute characteristics, plus the domain field the attribute maps to. */
export interface AttributeSpec {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeSpec[];
  /**
   * Where filters and sorting find it in the domain catalog: a simple field (`name.givenName`,
   * `enterprise.managerValue`) or, for a multi-valued attribute, the multi field (`emails`), whose
   * sub-attributes keep their SCIM names. Absent: the attribute cannot be filtered or sorted.
   */
  readonly domain?: string;
}

export interface SchemaSpec {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeSpec[];
}

export interface ResourceTypeSpec {
  readonly name: 'User' | 'Group';
  readonly endpoint: '/Users' | '/Groups';
  readonly description: string;
  readonly schema: SchemaSpec;
  readonly extensions: readonly SchemaSpec[];
  /** Attributes every resource has (RFC 7643 §3.1), outside any schema. */
  readonly common: readonly AttributeSpec[];
  readonly catalog: FieldCatalog;
}

type Opts = Partial<Omit<AttributeSpec, 'name' | 'type' | 'description'>>;

const attr = (name: string, type: AttributeType, description: string, o: Opts = {}): AttributeSpec => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...o,
});
const str = (name: string, description: string, o: Opts = {}) => attr(name, 'string', description, o);
const complex = (name: string, description: string, subAttributes: AttributeSpec[], o: Opts = {}) =>
  attr(name, 'complex', description, { subAttributes, ...o });

/** RFC 7643 §2.4: the sub-attributes of multi-valued attributes such as emails. */
const valueSubs = (what: string, types: readonly string[], valueType: AttributeType = 'string', refTypes?: string[]): AttributeSpec[] => [
  attr('value', valueType, `The ${what}.`, refTypes ? { referenceTypes: refTypes } : {}),
  str('display', `A human-readable name for the ${what}, primarily used for display purposes.`),
  str('type', `A label indicating the ${what}'s function.`, types.length ? { canonicalValues: types } : {}),
  attr('primary', 'boolean', `Whether this is the primary ${what}; at most one value may be primary.`),
];
const multi = (name: string, what: string, types: readonly string[], o: Opts = {}, valueType: AttributeType = 'string', refTypes?: string[]) =>
  complex(name, `${what[0]!.toUpperCase()}${what.slice(1)}s for the User.`, valueSubs(what, types, valueType, refTypes), {
    multiValued: true,
    domain: name,
    ...o,
  });

const meta = complex('meta', 'Resource metadata (RFC 7643 §3.1).', [
  str('resourceType', 'The name of the resource type of the resource.', { mutability: 'readOnly', caseExact: true }),
  attr('created', 'dateTime', 'When the resource was added to Roster.', { mutability: 'readOnly', domain: 'createdAt' }),
  attr('lastModified', 'dateTime', 'When the resource was last changed.', { mutability: 'readOnly', domain: 'updatedAt' }),
  attr('location', 'reference', 'The URI of the resource.', { mutability: 'readOnly', caseExact: true, referenceTypes: ['uri'] }),
  str('version', 'The version (ETag) of the resource.', { mutability: 'readOnly', caseExact: true }),
], { mutability: 'readOnly' });

const common = (): AttributeSpec[] => [
  str('id', 'Unique identifier of the resource, issued by Roster.', { mutability: 'readOnly', returned: 'always', uniqueness: 'server', caseExact: true, domain: 'id' }),
  str('externalId', 'Identifier of the resource in the provisioning client.', { caseExact: true, domain: 'externalId' }),
  meta,
];

const name = complex('name', "The components of the user's real name.", [
  str('formatted', 'The full name, formatted for display.', { domain: 'name.formatted' }),
  str('familyName', 'The family name (last name in most Western languages).', { domain: 'name.familyName' }),
  str('givenName', 'The given name (first name in most Western languages).', { domain: 'name.givenName' }),
  str('middleName', 'The middle name(s).', { domain: 'name.middleName' }),
  str('honorificPrefix', 'The honorific prefix(es), or title (e.g. "Ms.").', { domain: 'name.honorificPrefix' }),
  str('honorificSuffix', 'The honorific suffix(es) (e.g. "III").', { domain: 'name.honorificSuffix' }),
]);

const addresses = complex('addresses', 'Physical mailing addresses for this User.', [
  str('formatted', 'The full mailing address, formatted for display.'),
  str('streetAddress', 'The full street address component.'),
  str('locality', 'The city or locality component.'),
  str('region', 'The state or region component.'),
  str('postalCode', 'The zip code or postal code component.'),
  str('country', 'The country name component (ISO 3166-1 alpha-2).'),
  str('type', "A label indicating the address's function.", { canonicalValues: ['work', 'home', 'other'] }),
  attr('primary', 'boolean', 'Whether this is the primary address; at most one may be primary.'),
], { multiValued: true, domain: 'addresses' });

const USER: SchemaSpec = {
  id: SCHEMA.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', 'Unique identifier for the User, typically used to sign in. Unique per tenant, compared case-insensitively.', {
      required: true,
      uniqueness: 'server',
      domain: 'userName',
    }),
    name,
    str('displayName', 'The name of the User, suitable for display to end-users.', { domain: 'displayName' }),
    str('nickName', 'The casual way to address the user.', { domain: 'nickName' }),
    attr('profileUrl', 'reference', "A URI pointing to the user's online profile.", { referenceTypes: ['external'], domain: 'profileUrl' }),
    str('title', "The user's title, such as \"Vice President\".", { domain: 'title' }),
    str('userType', 'The relationship between the organization and the user.', { domain: 'userType' }),
    str('preferredLanguage', "The user's preferred written or spoken language (RFC 7231 Accept-Language format).", { domain: 'preferredLanguage' }),
    str('locale', "The user's default location for localisation (e.g. \"en-US\").", { domain: 'locale' }),
    str('timezone', "The user's time zone in IANA format (e.g. \"Europe/Paris\").", { domain: 'timezone' }),
    attr('active', 'boolean', "The user's administrative status. Inactive users stay readable and keep their group memberships.", { domain: 'active' }),
    multi('emails', 'e-mail address', ['work', 'home', 'other']),
    multi('phoneNumbers', 'phone number', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multi('ims', 'instant messaging address', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    multi('photos', 'photo URL', ['photo', 'thumbnail'], {}, 'reference', ['external']),
    addresses,
    complex('groups', 'The groups the user directly belongs to. Changed through the Group resource only.', [
      str('value', 'The id of the group.', { mutability: 'readOnly', caseExact: true }),
      attr('$ref', 'reference', 'The URI of the group.', { mutability: 'readOnly', caseExact: true, referenceTypes: ['Group'] }),
      str('display', 'The displayName of the group.', { mutability: 'readOnly' }),
      str('type', 'How the user belongs to the group: "direct".', { mutability: 'readOnly', canonicalValues: ['direct'] }),
    ], { multiValued: true, mutability: 'readOnly', domain: 'groups' }),
    multi('entitlements', 'entitlement', []),
    multi('roles', 'role', []),
    multi('x509Certificates', 'X.509 certificate', [], {}, 'binary'),
  ],
};

const ENTERPRISE: SchemaSpec = {
  id: SCHEMA.enterprise,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber', 'A string identifier, typically numeric or alphanumeric, assigned to a person by the organization.', { domain: 'enterprise.employeeNumber' }),
    str('costCenter', 'Identifies the name of a cost center.', { domain: 'enterprise.costCenter' }),
    str('organization', 'Identifies the name of an organization.', { domain: 'enterprise.organization' }),
    str('division', 'Identifies the name of a division.', { domain: 'enterprise.division' }),
    str('department', 'Identifies the name of a department.', { domain: 'enterprise.department' }),
    complex('manager', "The user's manager. May name a user Roster has not been sent yet.", [
      str('value', 'The id of the SCIM resource representing the manager; kept as sent when it is another identifier (an employee id, a login name).', { domain: 'enterprise.managerValue' }),
      attr('$ref', 'reference', 'The URI of the manager.', { referenceTypes: ['User'] }),
      str('displayName', 'The displayName of the manager.', { mutability: 'readOnly' }),
    ]),
  ],
};

const GROUP: SchemaSpec = {
  id: SCHEMA.group,
  name: 'Group',
  description: 'Group',
  attributes: [
    str('displayName', 'A human-readable name for the Group. Unique per tenant, compared case-insensitively.', {
      required: true,
      uniqueness: 'server',
      domain: 'displayName',
    }),
    complex('members', 'A list of members of the Group: users or groups (direct members only).', [
      str('value', 'The id of the member.', { mutability: 'immutable', caseExact: true }),
      attr('$ref', 'reference', 'The URI of the member.', { mutability: 'immutable', caseExact: true, referenceTypes: ['User', 'Group'] }),
      str('display', 'The displayName (or userName) of the member.', { mutability: 'readOnly' }),
      str('type', 'The type of the member.', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
    ], { multiValued: true, domain: 'members' }),
  ],
};

/**
 * Takes caseExact from the domain catalog for every attribute that maps to it, so discovery tells
 * exactly what the SQL compiler does (RFC 7643 §2.2 caseExact).
 */
function alignWithCatalog(spec: AttributeSpec, catalog: FieldCatalog, multiField?: string): AttributeSpec {
  const subs = spec.subAttributes?.map((s) => alignWithCatalog(s, catalog, spec.multiValued ? spec.domain : undefined));
  const def = multiField ? catalog.multi[multiField]?.[spec.name] : spec.domain && !spec.multiValued ? catalog.simple[spec.domain] : undefined;
  return { ...spec, ...(def ? { caseExact: def.caseExact } : {}), ...(subs ? { subAttributes: subs } : {}) };
}
const align = (s: SchemaSpec, catalog: FieldCatalog): SchemaSpec => ({ ...s, attributes: s.attributes.map((a) => alignWithCatalog(a, catalog)) });

export const USER_TYPE: ResourceTypeSpec = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: align(USER, USER_FIELDS),
  extensions: [align(ENTERPRISE, USER_FIELDS)],
  common: common().map((a) => alignWithCatalog(a, USER_FIELDS)),
  catalog: USER_FIELDS,
};

export const GROUP_TYPE: ResourceTypeSpec = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: align(GROUP, GROUP_FIELDS),
  extensions: [],
  common: common().map((a) => alignWithCatalog(a, GROUP_FIELDS)),
  catalog: GROUP_FIELDS,
};

export const RESOURCE_TYPES: readonly ResourceTypeSpec[] = [USER_TYPE, GROUP_TYPE];
export const SCHEMAS: readonly SchemaSpec[] = [USER_TYPE.schema, USER_TYPE.extensions[0]!, GROUP_TYPE.schema];

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** An attribute path resolved against a resource type (RFC 7644 §3.10: names are case-insensitive). */
export interface ResolvedAttribute {
  readonly kind: 'known';
  /** The schema the attribute belongs to; null for the common attributes (id, externalId, meta). */
  readonly schema: SchemaSpec | null;
  /** Whether the attribute lives under its schema URN in a resource (an extension). */
  readonly extension: boolean;
  readonly attr: AttributeSpec;
  readonly sub: AttributeSpec | null;
  /** The canonical SCIM path, e.g. `name.givenName` or `urn:...:enterprise:2.0:User:manager.value`. */
  readonly path: string;
}

/** An attribute of an extension schema Roster does not know: kept verbatim (docs/architecture.md#unknown-extension-attributes). */
export interface UnknownExtensionAttribute {
  readonly kind: 'unknownExtension';
  readonly urn: string;
  readonly name: string;
  readonly sub: string | null;
  readonly path: string;
}

export type Resolved = ResolvedAttribute | UnknownExtensionAttribute;

const ATTR_NAME = /^[A-Za-z$][\w$-]*$/;

export function schemaByUrn(rt: ResourceTypeSpec, urn: string): SchemaSpec | null {
  if (rt.schema.id === urn || eqi(rt.schema.id, urn)) return rt.schema;
  return rt.extensions.find((e) => eqi(e.id, urn)) ?? null;
}

export function subAttribute(a: AttributeSpec, name: string): AttributeSpec | null {
  const subs = a.subAttributes;
  if (!subs) return null;
  // Clients spell names as the schema does: an exact match first, without lower-casing each.
  return subs.find((s) => s.name === name) ?? subs.find((s) => eqi(s.name, name)) ?? null;
}

/** Most attribute texts remembered per resource type, and the longest; others are resolved each time. */
const RESOLVED_KEPT = 1000;
const RESOLVED_KEPT_LENGTH = 200;
const resolvedByType = new WeakMap<ResourceTypeSpec, Map<string, Resolved | null>>();

/**
 * Splits `[urn:...:]name[.sub]` and resolves it; null when the resource type has no such
 * attribute. Every key of every request body, every PATCH path and filter attribute comes here,
 * and clients send the same few texts again and again: an answer is remembered (it is read-only),
 * for the first RESOLVED_KEPT texts of a type up to RESOLVED_KEPT_LENGTH characters, so that a
 * client sending ever new or long names cannot make the memory grow.
 */
export function resolveAttribute(rt: ResourceTypeSpec, text: string): Resolved | null {
  let kept = resolvedByType.get(rt);
  if (!kept) resolvedByType.set(rt, (kept = new Map()));
  const known = kept.get(text);
  if (known !== undefined) return known;
  const resolved = resolveAnew(rt, text);
  if (kept.size < RESOLVED_KEPT && text.length <= RESOLVED_KEPT_LENGTH) kept.set(text, resolved);
  return resolved;
}

/** How many attribute texts of `rt` resolveAttribute remembers; never more than RESOLVED_KEPT. */
export const rememberedTexts = (rt: ResourceTypeSpec): number => resolvedByType.get(rt)?.size ?? 0;

function resolveAnew(rt: ResourceTypeSpec, text: string): Resolved | null {
  let urn: string | null = null;
  let rest = text;
  const colon = text.lastIndexOf(':');
  if (colon >= 0) {
    urn = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) return null;
  const [attrName, subName = null] = parts as [string, string?];
  let schema: SchemaSpec | null = null;
  let found: AttributeSpec | undefined;
  if (urn !== null) {
    schema = schemaByUrn(rt, urn);
    if (!schema) {
      if (!/^urn:/i.test(urn)) return null;
      return { kind: 'unknownExtension', urn, name: attrName, sub: subName, path: text };
    }
    found = schema.attributes.find((a) => eqi(a.name, attrName));
    // The common attributes may be qualified by the core schema URN too.
    if (!found && schema === rt.schema) {
      found = rt.common.find((a) => eqi(a.name, attrName));
      if (found) schema = null;
    }
  } else {
    found = rt.common.find((a) => eqi(a.name, attrName));
    if (!found) {
      schema = rt.schema;
      found = rt.schema.attributes.find((a) => eqi(a.name, attrName));
    }
  }
  if (!found) return null;
  let sub: AttributeSpec | null = null;
  if (subName !== null) {
    sub = subAttribute(found, subName);
    if (!sub) return null;
  }
  const extension = schema !== null && schema !== rt.schema;
  const local = sub ? `${found.name}.${sub.name}` : found.name;
  return { kind: 'known', schema, extension, attr: found, sub, path: extension ? `${schema!.id}:${local}` : local };
}

/** Every top-level attribute of a resource type with the schema it belongs to (null: common). */
export function allAttributes(rt: ResourceTypeSpec): { schema: SchemaSpec | null; attr: AttributeSpec }[] {
  return [
    ...rt.common.map((attr) => ({ schema: null, attr })),
    ...rt.schema.attributes.map((attr) => ({ schema: rt.schema, attr })),
    ...rt.extensions.flatMap((s) => s.attributes.map((attr) => ({ schema: s, attr }))),
  ];
}
