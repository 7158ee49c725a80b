/**
 * Descriptions that several schema elements share, worded once. The playground's documentation
 * panel and every generated client show them; `npm run lint` fails when an element has none.
 * What only one element says stays beside its decorator.
 */

/** The root types. */
export const ROOT = {
  query: 'Everything an API key may read. Start at `viewer` (who am I), `tenants`, `tenant(id:)` or `node(id:)`. Every request sends "Authorization: Bearer <API key>".',
  mutation:
    'Every change an admin can make. Each runs in one transaction with its audit event. Read-only keys get FORBIDDEN; users and groups a SCIM connection manages get MANAGED_BY_SCIM until released.',
  subscription:
    'Streams over WebSocket at /graphql (the graphql-ws protocol). Send the API key in connection_init: `{ "authorization": "Bearer <API key>" }`.',
} as const;

/** Relay cursor connections: arguments and the fields of connections, edges and page info. */
export const RELAY = {
  first: 'Page size going forward: at most this many edges after `after`, up to the server\'s MAX_PAGE_SIZE.',
  after: 'Cursor of the edge after which the page starts: the `endCursor` of the page before. Pages forward.',
  last: 'Page size going backward: at most this many edges before `before`, up to the server\'s MAX_PAGE_SIZE.',
  before: 'Cursor of the edge before which the page ends: the `startCursor` of the page after. Pages backward.',
  edges: 'The page: one edge per item, each with its cursor.',
  nodes: 'The items of the edges, for callers that need no cursors.',
  pageInfo: 'Whether more pages exist either way, and the cursors to ask for them.',
  totalCount: 'How many items match, across all pages. Costs a count, so it is computed only when selected.',
  cursor:
    'Opaque position of this edge in the order of its list; pass it as `after` or `before` to page on from here. With another `orderBy` field it is refused (BAD_USER_INPUT: page again from the start); with another direction or filter it reads on from the same position.',
  connection: (items: string) => `A page of ${items}, with cursors to page on (Relay cursor connection).`,
  edge: (item: string) => `One ${item} on a page, with its cursor.`,
  node: (item: string) => `The ${item} at this position.`,
} as const;

export const PAGE_INFO = {
  type: 'Where a page sits: whether more items lie beyond either end, and the cursors of its first and last edges.',
  hasNextPage: 'Whether items follow this page; ask for them with `after: endCursor`.',
  hasPreviousPage: 'Whether items precede this page; ask for them with `before: startCursor`.',
  startCursor: 'Cursor of the first edge; null when the page is empty.',
  endCursor: 'Cursor of the last edge; null when the page is empty.',
} as const;

/** Fields every stored resource has. */
export const RESOURCE = {
  id: 'Unique id: a time-ordered UUID, the same id SCIM uses. `node(id:)` finds the object again by it.',
  tenantId: 'Id of the tenant the object belongs to.',
  createdAt: 'When the object was created.',
  updatedAt: 'When the object last changed.',
  version: 'Increases with every change; pass it as `ifVersion` to change the object only if nobody else did meanwhile. SCIM sends it as the ETag.',
  ifVersion: 'Fail with PRECONDITION_FAILED unless the object is still at this version (its `version` field), so a change made meanwhile is not overwritten.',
  externalId: 'The identifier the provisioning client (the identity provider) keeps for this object; Roster stores it as sent. Compared case-exactly.',
  managedBy:
    'Id of the SCIM connection that created or adopted this object and manages it; null when admins manage it. While it is set, this API may read the object but changing or deleting it answers MANAGED_BY_SCIM, until `releaseFromScim`.',
  managedByConnection: 'The SCIM connection that manages this object (see `managedBy`); null when admins manage it.',
  extensions: 'Attributes of SCIM extension schemas Roster has no field for, by schema URN, kept and returned verbatim (RFC 7643 §3.3).',
  tenantOf: (what: string) => `Id of the tenant to create the ${what} in. A tenant key may only name its own tenant.`,
} as const;

/** Mutation arguments and results. */
export const MUTATION = {
  input: 'The arguments, as one input object (see its type).',
  payload: (mutation: string) => `What \`${mutation}\` answers with.`,
  idOf: (what: string) => `Id of the ${what}.`,
  deletedId: 'Id of what was deleted; it no longer exists.',
} as const;

/** The typed filter language (docs/architecture.md#filter-language). */
export const FILTER = {
  which: (items: string) => `Which ${items} to list; all when left out.`,
  comparisons: (what: string) => `Comparisons of ${what}. Several given in one object must all hold.`,
  and: 'Matches when every filter in the list matches.',
  or: 'Matches when at least one filter in the list matches.',
  not: 'Matches when this filter does not.',
  eq: 'Equal to; `eq: null` matches when there is no value.',
  ne: 'Not equal to; `ne: null` matches when there is a value.',
  co: 'Contains this text.',
  sw: 'Starts with this text.',
  ew: 'Ends with this text.',
  gt: 'Greater than (strings in lexical order; times: later).',
  ge: 'Greater than or equal to.',
  lt: 'Less than (strings in lexical order; times: earlier).',
  le: 'Less than or equal to.',
  pr: '`true`: has a value (an empty string counts as none); `false`: has none.',
  /** A filter field naming an attribute of the filtered object. */
  on: (attribute: string, caseExact = false) =>
    `Conditions on ${attribute}${caseExact ? ', compared case-exactly' : ', compared case-insensitively'}; every one given must hold.`,
  onValue: (attribute: string) => `Conditions on ${attribute}; every one given must hold.`,
  some: (elements: string) => `Matches when some single one of ${elements} meets every condition given. An empty object matches when there is at least one.`,
} as const;

export const ORDER = {
  field: 'What to sort by. Ties are broken by id, so pages never overlap.',
  direction: 'ASC (the default) or DESC.',
  orderBy: 'Sort order; by id (creation order) when left out.',
  byId: 'By id, which is creation order: ids are time-ordered.',
  byCreatedAt: 'By creation time.',
  byUpdatedAt: 'By the time of the last change.',
} as const;

/**
 * User attributes (RFC 7643 §4.1 and §4.3), for the User type and for the inputs that set them.
 * Strings are at most 2048 characters; multi-valued attributes hold at most 100 values.
 */
export const USER = {
  userName:
    'Unique identifier of the user, as the identity provider sends it (often an e-mail address). Unique per tenant, compared case-insensitively.',
  name: 'The components of the user\'s real name.',
  displayName: 'The name to show for the user.',
  nickName: 'The casual way to address the user.',
  profileUrl: 'URL of the user\'s online profile.',
  title: 'The user\'s job title, e.g. "Vice President".',
  userType: 'The relation of the user to the organisation, as the organisation words it, e.g. "Employee" or "Contractor".',
  preferredLanguage: 'The user\'s preferred written or spoken language, as an HTTP Accept-Language value, e.g. "en-GB".',
  locale: 'The user\'s default location for localising dates, numbers and currency, e.g. "en-US".',
  timezone: 'The user\'s time zone, in IANA form, e.g. "Europe/Berlin".',
  active: 'Whether the user may sign in. A deactivated user keeps its attributes and memberships.',
  emails: 'E-mail addresses; `type` is e.g. "work" or "home"; at most one is primary.',
  phoneNumbers: 'Phone numbers; `type` is e.g. "work", "mobile" or "fax"; at most one is primary.',
  ims: 'Instant messaging addresses; `type` names the service.',
  photos: 'URLs of photos of the user; `type` is "photo" or "thumbnail".',
  roles: 'Roles of the user, as the identity provider names them.',
  entitlements: 'Entitlements (rights) of the user, as the identity provider names them.',
  x509Certificates: 'DER-encoded X.509 certificates of the user, base64 in `value`.',
  addresses: 'Postal addresses; `type` is e.g. "work" or "home"; at most one is primary.',
  enterprise: 'Attributes of the enterprise extension (RFC 7643 §4.3): employee number, organisation, manager.',
  loginName:
    'The local sign-in name: the userName, or derived from it by the SCIM connection\'s login-name policy. Unique per tenant, compared case-insensitively.',
} as const;

/** The parts of a person's name (RFC 7643 §4.1.1). */
export const PERSON_NAME = {
  formatted: 'The full name, formatted for display, e.g. "Ms. Barbara J Jensen, III".',
  familyName: 'The family (last) name, e.g. "Jensen".',
  givenName: 'The given (first) name, e.g. "Barbara".',
  middleName: 'The middle name(s), e.g. "Jane".',
  honorificPrefix: 'Title before the name, e.g. "Ms.".',
  honorificSuffix: 'Suffix after the name, e.g. "III".',
} as const;

/** One value of a multi-valued attribute (RFC 7643 §2.4). */
export const MULTI_VALUE = {
  value: 'The value itself, e.g. the e-mail address.',
  type: 'What kind of value this is, e.g. "work" or "home".',
  primary: 'Whether this is the preferred value of the attribute; at most one value of an attribute is primary. Null when it was not given: true, false and null each come back as sent.',
  display: 'A human-readable name for the value.',
} as const;

/** A postal address (RFC 7643 §4.1.2). */
export const ADDRESS = {
  type: 'What kind of address this is, e.g. "work" or "home".',
  primary: 'Whether this is the preferred address; at most one is. Null when it was not given.',
  formatted: 'The full address, formatted for display or a mailing label; may contain newlines.',
  streetAddress: 'Street, house number and the like; may contain newlines.',
  locality: 'City or locality.',
  region: 'State or region.',
  postalCode: 'Postal or ZIP code.',
  country: 'Country, as an ISO 3166-1 alpha-2 code, e.g. "DE".',
} as const;

/** The enterprise extension (RFC 7643 §4.3). */
export const ENTERPRISE = {
  employeeNumber: 'The number the organisation knows the user by. Compared case-exactly.',
  costCenter: 'The user\'s cost centre.',
  organization: 'The user\'s organisation.',
  division: 'The user\'s division.',
  department: 'The user\'s department.',
  managerValue:
    'The manager as the identity provider or admin sent it: usually the id of a user of the same tenant, but Okta and Microsoft\'s reference client send employee ids or login names. Kept and returned as sent; `manager` resolves it when it names a user of the tenant.',
} as const;

/** Groups. */
export const GROUP = {
  displayName: 'The group\'s name. Unique per tenant, compared case-insensitively.',
  memberIds: 'Ids of users or groups of the same tenant.',
} as const;

/** The fields of AuditEvent and of its filter. */
export const AUDIT = {
  actorType: 'Who acted: a SCIM connection, an API key, or Roster itself.',
  actorId: 'Id of the SCIM connection or API key that acted; null for Roster itself.',
  action: 'What was done, as `resource.verb`: e.g. user.create, user.update, group.members, connection.rotate.',
  resourceType: 'The type of what was acted on: User, Group, ScimConnection, ApiKey or Tenant.',
  resourceId: 'Id of what was acted on (all zeros for a create that failed).',
} as const;

/** The provisioning policies of a SCIM connection (docs/architecture.md#provisioning-policies). */
export const POLICY = {
  loginName: 'How the login name is derived from the userName an identity provider sends.',
  onLoginNameCollision: 'What happens when a derived login name is already taken.',
  matchBy: 'Which existing users, not managed by another connection, a SCIM create adopts instead of failing; empty: none.',
  onDelete: 'What a SCIM DELETE of a user does: delete it, or deprovision it (kept for admins, inactive, with its group memberships; gone for SCIM until created again).',
} as const;

/** Names of things admins name. */
export const NAME = {
  tenant: 'The tenant\'s name. Unique, compared case-insensitively.',
  connection: 'A name for the connection, e.g. the identity provider it serves. Unique per tenant.',
  apiKey: 'A name for the key, to tell keys apart; need not be unique.',
} as const;
