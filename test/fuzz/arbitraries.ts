import fc from 'fast-check';

/**
 * Generators of SCIM requests for the fuzz suite: what identity providers send (both Entra PATCH
 * dialects, RFC 7644 shapes) and what a careless or hostile client sends (wrong types, deep
 * nesting, NUL, lone surrogates, broken UTF-8 bytes, huge values, malformed filters and query
 * strings). See docs/entra.md#two-patch-dialects and docs/architecture.md#robustness.
 *
 * Requests name resources by token, resolved against the fuzzed tenant when sent (fuzzer.ts):
 * `{{user:N}}`, `{{group:N}}`, `{{created:N}}` (the N-th id of that pool, modulo its size) and
 * `{{missing}}` (an id nobody has). `"{{deep:N}}"` in a JSON body becomes N nested arrays and
 * objects, written as text so the generator itself never recurses that deep.
 */

/** A body as sent: JSON of a value, or text as is (invalid JSON, tokens), or raw bytes. */
export type FuzzBody = { readonly json: unknown } | { readonly text: string } | { readonly bytes: readonly number[] };

export interface FuzzRequest {
  readonly method: string;
  /** Below /scim/v2, with its query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: FuzzBody;
}

export const SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  search: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  custom: 'urn:example:params:scim:schemas:extension:fuzz:2.0:User',
} as const;

// ---- values ---------------------------------------------------------------------------------

const userRef = fc.nat({ max: 50 }).map((n) => `{{user:${n}}}`);
const groupRef = fc.nat({ max: 50 }).map((n) => `{{group:${n}}}`);
const createdRef = fc.nat({ max: 1000 }).map((n) => `{{created:${n}}}`);
const anyRef = fc.oneof(userRef, groupRef, createdRef, fc.constant('{{missing}}'));

/** Characters PostgreSQL text cannot hold, or that break UTF-8 and JSON handling. */
const nasty = fc.constantFrom('\u0000', '\ud800', '\udfff', 'a\ud83d', '\udc00b', '\uffff', '\ufeff', '\u202e', '\u0007', '\\', '"', '%00', '\r\n', 'é', '👩‍💻', '\u2028');

const hugeString = fc.tuple(fc.constantFrom(2_049, 16_385, 70_000, 300_000), fc.constantFrom('x', 'é', '漢', '😀')).map(([n, c]) => c.repeat(n));

/** Strings of every kind, mostly short. */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 3, arbitrary: fc.constantFrom('', ' ', 'work', 'home', 'mobile', 'fax', 'other', 'True', 'False', 'true', 'null', '0', 'ada@example.com', '2024-01-01T00:00:00Z') },
  { weight: 2, arbitrary: fc.emailAddress() },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 6 }), nasty, fc.string({ maxLength: 6 })).map(([a, n, b]) => a + n + b) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  { weight: 1, arbitrary: anyRef },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: hugeString },
);

/** Nested arrays/objects `n` levels deep, as a token the fuzzer expands in the body text. */
const deep = fc.constantFrom(33, 100, 1_000, 3_000, 20_000).map((n) => `{{deep:${n}}}`);

/** A value of any JSON type, including the deep and the huge: what a wrong-typed field holds. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: text },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, [], {}, [null], [{}], { value: null }, [[[]]]) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 3 }) },
);

/** Booleans as Entra's default dialect ("True"), the flag's (true), and wrong. */
const bool = fc.oneof(fc.boolean(), fc.constantFrom('True', 'False', 'true', 'FALSE', 'yes', '1', 1, null));

/** Usually `good`, sometimes a value of any other type. */
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: anyJson });

// ---- attribute paths and filters ------------------------------------------------------------

const USER_ATTRS = [
  'userName', 'externalId', 'displayName', 'nickName', 'title', 'userType', 'active', 'locale', 'timezone', 'profileUrl', 'preferredLanguage',
  'name.givenName', 'name.familyName', 'name.formatted', 'emails', 'emails.value', 'emails.type', 'emails.primary', 'phoneNumbers.value',
  'addresses.locality', 'addresses.type', 'roles.value', 'groups', 'groups.value', 'groups.display', 'meta.created', 'meta.lastModified', 'id',
  `${SCHEMAS.enterprise}:employeeNumber`, `${SCHEMAS.enterprise}:department`, `${SCHEMAS.enterprise}:manager`, `${SCHEMAS.enterprise}:manager.value`,
  `${SCHEMAS.user}:userName`, `${SCHEMAS.custom}:shoeSize`, 'entitlements.value', 'x509Certificates.value', 'ims.value', 'photos.value',
];
const GROUP_ATTRS = ['displayName', 'externalId', 'members', 'members.value', 'members.display', 'members.type', 'id', 'meta.created', 'meta.lastModified', `${SCHEMAS.group}:displayName`];
const ODD_ATTRS = ['', 'unknown', 'name.', '.value', 'emails..value', 'urn:', 'urn:x:y', '$ref', 'a-b_c', 'x'.repeat(300), 'USERNAME', 'Emails.VALUE', 'members[value', '1abc'];

export const attrName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...USER_ATTRS, ...GROUP_ATTRS) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_ATTRS) });

const quoted = (s: string) => JSON.stringify(s);
const compValue = fc.oneof(
  { weight: 5, arbitrary: text.map(quoted) },
  { weight: 2, arbitrary: anyRef.map(quoted) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '0', '-1', '1.5', '1e99', '"2024-01-01T00:00:00Z"', '"not a date"', '"0001-01-01"', 'bare', '"unterminated', "'single'") },
  { weight: 1, arbitrary: fc.uuid().map(quoted) },
);
const compOp = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Sw', 'xx');

/** RFC 7644 §3.4.2.2 filters, mostly well-formed, nested a few levels. */
export const validFilter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(attrName, compOp, compValue).map(([a, o, v]) => `${a} ${o} ${v}`),
    attrName.map((a) => `${a} pr`),
    fc.tuple(fc.constantFrom('emails', 'addresses', 'members', 'groups', 'phoneNumbers', 'roles'), tie('f')).map(([a, f]) => `${a}[${f}]`),
    fc.tuple(fc.constantFrom('emails', 'phoneNumbers'), compValue, compValue).map(([a, t, v]) => `${a}[type eq ${t}].value eq ${v}`),
    fc.tuple(tie('f'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('f')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('f').map((f) => `not (${f})`),
    tie('f').map((f) => `(${f})`),
  ),
})).f;

/** Filters that are wrong, huge, or built to cost: too many terms, deep parentheses, truncation. */
export const brokenFilter: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(validFilter, fc.nat({ max: 40 })).map(([f, n]) => f.slice(0, Math.max(0, f.length - n))),
  fc.tuple(validFilter, fc.nat(), fc.constantFrom('(', ')', '[', ']', '"', ' and', ' not', '\u0000', '\\', '.', ' eq')).map(([f, i, c]) => f.slice(0, i % (f.length + 1)) + c + f.slice(i % (f.length + 1))),
  fc.tuple(fc.constantFrom(50, 400, 2_000), fc.constantFrom(' or ', ' and ')).map(([n, j]) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(j)),
  fc.constantFrom(100, 1_000, 5_000).map((n) => `${'('.repeat(n)}userName eq "a"${')'.repeat(n)}`),
  fc.constantFrom(100, 1_000).map((n) => `${'not ('.repeat(n)}userName eq "a"${')'.repeat(n)}`),
  fc.constantFrom(50, 500).map((n) => `${'emails['.repeat(n)}value eq "a"${']'.repeat(n)}`),
  fc.string({ maxLength: 40 }),
  text,
);

export const filter = fc.oneof({ weight: 3, arbitrary: validFilter }, { weight: 2, arbitrary: brokenFilter });

// ---- query strings ----------------------------------------------------------------------------

/** Percent-encodes the UTF-8 bytes of a string (a lone surrogate goes as U+FFFD, as any client sends it). */
export const pct = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** Spaces as `+` or `%20` (docs/entra.md#tolerance-rules). */
const encodeParam = fc.tuple(fc.boolean()).map(([plus]) => (s: string) => (plus ? pct(s).replace(/%20/g, '+') : pct(s)));

const attrList = fc.array(attrName, { maxLength: 4 }).map((a) => a.join(','));
const intish = fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.constantFrom('', 'abc', '1.5', '99999999999999999999', '-0', ' 2', '0x10', '1e3'));
const rawQueryPieces = fc.constantFrom('%ZZ', '%', '%C3%28', '%ED%A0%80', '%FF%FE', '%00', 'filter', '=', '&&', 'filter=%', 'a=%E2%82', 'aadOptscim062020', 'filter[]=x', 'count=1&count=2');

const param = fc.oneof(
  fc.tuple(fc.constant('filter'), filter),
  fc.tuple(fc.constantFrom('attributes', 'excludedAttributes'), attrList),
  fc.tuple(fc.constant('sortBy'), attrName),
  fc.tuple(fc.constant('sortOrder'), fc.constantFrom('ascending', 'descending', 'DESCENDING', 'sideways', '')),
  fc.tuple(fc.constantFrom('startIndex', 'count', 'StartIndex', 'COUNT'), intish),
  fc.tuple(fc.constantFrom('aadOptscim062020', 'unknown', 'Filter'), text),
);

export const queryString: fc.Arbitrary<string> = fc
  .tuple(fc.array(param, { maxLength: 5 }), encodeParam, fc.option(rawQueryPieces, { freq: 8 }))
  .map(([ps, enc, raw]) => {
    const parts = ps.map(([k, v]) => `${k}=${enc(v)}`);
    if (raw !== null) parts.push(raw);
    return parts.length ? `?${parts.join('&')}` : '';
  });

// ---- resources --------------------------------------------------------------------------------

const multiValue = fc.record(
  { value: mostly(text), type: mostly(fc.constantFrom('work', 'home', 'mobile', 'other', 'fax')), primary: bool, display: text },
  { requiredKeys: ['value'] },
);
const address = fc.record(
  { type: mostly(fc.constantFrom('work', 'home')), streetAddress: mostly(text), locality: mostly(text), region: text, postalCode: text, country: text, formatted: text, primary: bool },
  { requiredKeys: [] },
);
const manager = fc.oneof(userRef, userRef.map((value) => ({ value })), userRef.map((value) => [{ value }]), anyJson);
const multi = (el: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary: fc.array(el, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.array(el, { minLength: 101, maxLength: 120 }) }, { weight: 1, arbitrary: anyJson });

/** SCIM Users: the shapes Entra and others create, with any field now and then of a wrong type. */
export const userResource = fc
  .record(
    {
      schemas: mostly(fc.constantFrom([SCHEMAS.user], [SCHEMAS.user, SCHEMAS.enterprise], [SCHEMAS.user, SCHEMAS.custom], ['urn:unknown'], [])),
      userName: mostly(fc.oneof(fc.emailAddress(), text)),
      externalId: mostly(text),
      active: bool,
      displayName: mostly(text),
      title: mostly(text),
      preferredLanguage: text,
      name: mostly(fc.record({ givenName: mostly(text), familyName: mostly(text), formatted: text }, { requiredKeys: [] })),
      emails: multi(multiValue),
      phoneNumbers: multi(multiValue),
      roles: multi(fc.oneof(multiValue, text.map((v) => JSON.stringify({ value: v })))),
      addresses: multi(address),
      [SCHEMAS.enterprise]: mostly(fc.record({ employeeNumber: mostly(text), department: mostly(text), costCenter: text, manager }, { requiredKeys: [] })),
      [SCHEMAS.custom]: anyJson,
      [`${SCHEMAS.enterprise}:department`]: text,
      'name.givenName': text,
      id: text,
      meta: anyJson,
      groups: anyJson,
    },
    { requiredKeys: ['userName'] },
  );

export const groupResource = fc.record(
  {
    schemas: mostly(fc.constant([SCHEMAS.group])),
    displayName: mostly(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), text)),
    externalId: mostly(text),
    members: mostly(fc.array(fc.oneof({ weight: 4, arbitrary: fc.record({ value: mostly(fc.oneof(userRef, groupRef)), type: fc.constantFrom('User', 'Group', 'user', 'x'), display: text }, { requiredKeys: ['value'] }) }, { weight: 1, arbitrary: anyJson }), { maxLength: 4 })),
    'urn:example:params:scim:schemas:extension:fuzz:2.0:Group': anyJson,
  },
  { requiredKeys: ['displayName'] },
);

/** Not a resource at all: a scalar, an array, deep nesting. */
const notAnObject = fc.oneof(fc.jsonValue({ maxDepth: 2 }), deep, fc.constantFrom([], 'userName', 42, null));

// ---- PATCH ----------------------------------------------------------------------------------

const E = SCHEMAS.enterprise;
const userPath = fc.oneof(
  fc.constantFrom(
    'userName', 'displayName', 'title', 'active', 'externalId', 'name.givenName', 'name.familyName', 'name', 'emails', 'phoneNumbers', 'addresses', 'roles',
    'emails[type eq "work"].value', 'emails[type eq "work"].primary', 'phoneNumbers[type eq "mobile"].value', 'phoneNumbers[type eq "fax"].value',
    'addresses[type eq "work"].locality', 'addresses[type eq "work"].streetAddress', 'addresses[type eq "home"]', 'emails[value eq "ada@example.com"]',
    `${E}:department`, `${E}:employeeNumber`, `${E}:manager`, `${E}:manager.value`, `${SCHEMAS.custom}:shoeSize`, `${SCHEMAS.custom}:a.b`,
    `${SCHEMAS.user}:displayName`, 'id', 'meta.created', 'groups', 'members', 'emails[primary eq true].display', 'roles[value eq "x"]',
  ),
  userRef.map((id) => `${E}:manager[value eq "${id}"]`),
  attrName,
  validFilter.map((f) => `emails[${f}].value`),
  brokenFilter,
);
const groupPath = fc.oneof(
  fc.constantFrom('displayName', 'externalId', 'members', 'members.value', 'members[type eq "User"]', 'urn:example:params:scim:schemas:extension:fuzz:2.0:Group:x', 'id', ''),
  fc.oneof(userRef, groupRef, anyRef).map((id) => `members[value eq "${id}"]`),
  attrName,
  brokenFilter,
);

const opName = (dialect: 'default' | 'flag' | 'any') =>
  dialect === 'default' ? fc.constantFrom('Add', 'Replace', 'Remove') : dialect === 'flag' ? fc.constantFrom('add', 'replace', 'remove') : fc.oneof(fc.constantFrom('ADD', 'rePlace', 'move', 'copy', 'test', ''), anyJson);

const memberValues = fc.array(fc.oneof(fc.oneof(userRef, groupRef, createdRef).map((value) => ({ value })), anyRef.map((value) => ({ value, $ref: null })), anyJson), { maxLength: 4 });

const patchValue = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: bool },
  { weight: 2, arbitrary: memberValues },
  { weight: 1, arbitrary: multi(multiValue) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(attrName, fc.constantFrom('name.givenName', `${E}:employeeNumber`, 'displayName', 'active')), anyJson, { maxKeys: 4 }) },
  { weight: 1, arbitrary: anyJson },
);

const operation = (path: fc.Arbitrary<string>, dialect: 'default' | 'flag' | 'any') =>
  fc.record({ op: opName(dialect), path, value: patchValue }, { requiredKeys: ['op'] });

/** Entra's flag dialect: filtered ops plus one path-less replace with dotted and URN keys. */
const pathlessReplace = fc.record({
  op: fc.constantFrom('replace', 'Replace', 'add'),
  value: fc.dictionary(fc.constantFrom('displayName', 'name.givenName', 'name.familyName', 'active', 'title', `${E}:employeeNumber`, `${E}:manager`, 'emails[type eq "work"].value', 'externalId', 'userName'), mostly(fc.oneof(text, bool)), { maxKeys: 5 }),
});

const patchOf = (ops: fc.Arbitrary<unknown[]>) =>
  fc.tuple(ops, fc.constantFrom([SCHEMAS.patch], [SCHEMAS.patch], ['urn:wrong'], null)).map(([Operations, schemas]) => (schemas ? { schemas, Operations } : { Operations }));

const patchBody = (path: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 3, arbitrary: patchOf(fc.array(operation(path, 'default'), { minLength: 1, maxLength: 4 })) },
    { weight: 3, arbitrary: patchOf(fc.tuple(fc.array(operation(path, 'flag'), { maxLength: 3 }), pathlessReplace).map(([a, b]) => [...a, b])) },
    { weight: 1, arbitrary: patchOf(fc.array(operation(path, 'any'), { maxLength: 3 })) },
    { weight: 1, arbitrary: patchOf(fc.array(anyJson, { maxLength: 3 })) },
    { weight: 1, arbitrary: fc.record({ schemas: fc.constant([SCHEMAS.patch]), Operations: anyJson }) },
    { weight: 1, arbitrary: notAnObject },
  );

// ---- whole requests -------------------------------------------------------------------------

const json = (value: unknown): FuzzBody => ({ json: value });
const CONTENT_TYPES = ['application/scim+json', 'application/json', 'application/scim+json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/scim+json; charset=latin1'];
const headers = fc.record(
  {
    'content-type': fc.oneof({ weight: 12, arbitrary: fc.constant('application/scim+json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
    'if-match': fc.oneof(fc.constantFrom('W/"1"', 'W/"2"', '*', '"1"', 'W/"x"', 'garbage', ''), text.map((t) => t.replace(/[^\x20-\x7e]/g, ''))),
  },
  { requiredKeys: ['content-type'] },
);

const resourceId = (ref: fc.Arbitrary<string>) => fc.oneof({ weight: 8, arbitrary: ref }, { weight: 1, arbitrary: fc.constantFrom('{{missing}}', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', '%00', '%ZZ', 'x'.repeat(500), '..', 'Users', '%ED%A0%80') });
const usersPath = fc.constantFrom('/Users', '/users', '/Users/');
const groupsPath = fc.constantFrom('/Groups', '/groups');

/** Bytes of a JSON body with broken UTF-8 spliced into a string value. */
const brokenUtf8 = fc
  .tuple(fc.constantFrom('userName', 'displayName', 'title'), fc.constantFrom([0xed, 0xa0, 0x80], [0xc3, 0x28], [0xff], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0x00], [0xef, 0xbf, 0xbe]))
  .map(([field, bad]): FuzzBody => ({ bytes: [...Buffer.from(`{"schemas":["${SCHEMAS.user}"],"${field}":"a`), ...bad, ...Buffer.from('b@x"}')] }));
const invalidJson = fc.oneof(
  fc.constantFrom('', '{', '{"userName":', '{"userName":"a",}', "{'userName':'a'}", 'null', '[]', '"text"', '{"a":1}{"b":2}', '\ufeff{"userName":"bom"}', '{"userName":"\\ud800"}', '{"userName":"\\u0000"}', '{"__proto__":{"x":1},"userName":"proto"}', '{"constructor":{"prototype":{}},"displayName":"c"}'),
  fc.string({ maxLength: 30 }),
).map((text): FuzzBody => ({ text }));
const oddBody = fc.oneof(brokenUtf8, invalidJson, notAnObject.map(json));

const req = (method: string, path: fc.Arbitrary<string>, body?: fc.Arbitrary<FuzzBody>): fc.Arbitrary<FuzzRequest> =>
  fc.tuple(path, headers, body ?? fc.constant(undefined)).map(([p, h, b]) => ({ method, path: p, headers: b ? h : {}, ...(b ? { body: b } : {}) }));
const withQuery = (path: fc.Arbitrary<string>) => fc.tuple(path, queryString).map(([p, q]) => p + q);
const idPath = (base: fc.Arbitrary<string>, ref: fc.Arbitrary<string>) => fc.tuple(base, resourceId(ref)).map(([b, id]) => `${b.replace(/\/$/, '')}/${id}`);

const searchRequest = fc.record(
  { schemas: mostly(fc.constant([SCHEMAS.search])), filter: mostly(filter), startIndex: mostly(fc.integer({ min: -2, max: 50 })), count: mostly(fc.integer({ min: -2, max: 200 })), attributes: mostly(fc.array(attrName, { maxLength: 3 })), excludedAttributes: mostly(fc.array(attrName, { maxLength: 3 })), sortBy: mostly(attrName), sortOrder: text },
  { requiredKeys: [] },
);

/** Every kind of SCIM request, weighted roughly like a provisioning cycle plus abuse. */
export const scimRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 14, arbitrary: req('GET', withQuery(fc.oneof(usersPath, groupsPath, fc.constant('')))) },
  { weight: 5, arbitrary: req('GET', withQuery(fc.oneof(idPath(usersPath, userRef), idPath(groupsPath, groupRef)))) },
  { weight: 3, arbitrary: req('POST', fc.constantFrom('/Users/.search', '/Groups/.search', '/.search'), fc.oneof({ weight: 4, arbitrary: searchRequest.map(json) }, { weight: 1, arbitrary: oddBody })) },
  { weight: 12, arbitrary: req('POST', usersPath, fc.oneof({ weight: 8, arbitrary: userResource.map(json) }, { weight: 2, arbitrary: oddBody })) },
  { weight: 6, arbitrary: req('POST', groupsPath, fc.oneof({ weight: 8, arbitrary: groupResource.map(json) }, { weight: 1, arbitrary: oddBody })) },
  { weight: 4, arbitrary: req('PUT', idPath(usersPath, fc.oneof(userRef, createdRef)), fc.oneof({ weight: 8, arbitrary: userResource.map(json) }, { weight: 1, arbitrary: oddBody })) },
  { weight: 3, arbitrary: req('PUT', idPath(groupsPath, groupRef), fc.oneof({ weight: 8, arbitrary: groupResource.map(json) }, { weight: 1, arbitrary: oddBody })) },
  { weight: 16, arbitrary: req('PATCH', idPath(usersPath, fc.oneof(userRef, createdRef)), fc.oneof({ weight: 9, arbitrary: patchBody(userPath).map(json) }, { weight: 1, arbitrary: oddBody })) },
  { weight: 10, arbitrary: req('PATCH', idPath(groupsPath, fc.oneof(groupRef, createdRef)), fc.oneof({ weight: 9, arbitrary: patchBody(groupPath).map(json) }, { weight: 1, arbitrary: oddBody })) },
  { weight: 2, arbitrary: req('DELETE', fc.oneof(idPath(usersPath, createdRef), idPath(groupsPath, createdRef))) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      req('GET', fc.constantFrom('/ServiceProviderConfig', '/Schemas', '/ResourceTypes', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', '/ResourceTypes/User', '/Bulk', '/Me', '/Users/x/y', '/%00', '/Users?filter=%ZZ')),
      req('POST', fc.constantFrom('/Users/{{user:1}}', '/Bulk', '/ServiceProviderConfig'), oddBody),
      req('PATCH', usersPath, fc.constant(json({}))),
      req('DELETE', fc.constantFrom('/Users', '/Groups')),
      req('HEAD', fc.constantFrom('/Users', '/Groups/{{group:0}}')),
      req('OPTIONS', fc.constantFrom('/Users')),
    ),
  },
);
