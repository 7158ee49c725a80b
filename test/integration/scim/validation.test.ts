import { scimSuite } from '../../support/harness.js';
import { ENTERPRISE, patchBody, type ScimReply } from '../../support/scim.js';

/**
 * One validation at the boundary of the domain (docs/architecture.md#robustness), seen through
 * SCIM: characters PostgreSQL cannot store, values of the wrong type, and values past the limits
 * are a 400 naming the attribute, never a 500, and never stored.
 */

const app = scimSuite();
let userId = '';
let groupId = '';
beforeAll(async () => {
  userId = (await app.c.post('/Users', { userName: 'valid@example.com' })).body.id;
  groupId = (await app.c.post('/Groups', { displayName: 'Valid' })).body.id;
});

/** JSON text of `[[[...1...]]]` nested `n` deep: built as text, since serialising it would overflow here too. */
const nestedArrays = (n: number): string => `${'['.repeat(n)}1${']'.repeat(n)}`;

function expectScimError(r: ScimReply, status: number, scimType?: string): void {
  expect({ status: r.status, type: r.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(/^application\/scim\+json/) });
  expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}) });
}

const count = async (path: string, filter: string): Promise<number> => (await app.c.get(`${path}?filter=${encodeURIComponent(filter)}`)).body.totalResults;

describe('characters PostgreSQL cannot store', () => {
  const nul = 'nul\u0000byte';
  const cases: [string, () => [string, string, unknown], string][] = [
    ['a NUL in userName', () => ['POST', '/Users', { userName: `${nul}@example.com` }], 'userName'],
    ['a NUL in title', () => ['POST', '/Users', { userName: 'title-nul@example.com', title: nul }], 'title'],
    ['a NUL in an e-mail value', () => ['POST', '/Users', { userName: 'mail-nul@example.com', emails: [{ value: `${nul}@example.com` }] }], 'emails[0].value'],
    ['a NUL in a name part', () => ['POST', '/Users', { userName: 'name-nul@example.com', name: { givenName: nul } }], 'name.givenName'],
    ['a NUL in an enterprise attribute', () => ['POST', '/Users', { userName: 'ent-nul@example.com', [ENTERPRISE]: { department: nul } }], 'enterprise.department'],
    ['a NUL in an extension value', () => ['POST', '/Users', { userName: 'ext-nul@example.com', 'urn:example:ext:1.0': { note: nul } }], 'extensions.urn:example:ext:1.0.note'],
    ['a NUL in an extension key', () => ['POST', '/Users', { userName: 'key-nul@example.com', 'urn:example:ext:1.0': { [nul]: 'x' } }], 'extensions.urn:example:ext:1.0.nul'],
    ['a NUL in a group displayName', () => ['POST', '/Groups', { displayName: nul }], 'displayName'],
    ['a NUL in a user PATCH value', () => ['PATCH', `/Users/${userId}`, patchBody({ op: 'replace', path: 'title', value: nul })], 'title'],
    ['a NUL in a path-less user PATCH', () => ['PATCH', `/Users/${userId}`, patchBody({ op: 'replace', value: { displayName: nul } })], 'displayName'],
    ['a NUL in a group PATCH value', () => ['PATCH', `/Groups/${groupId}`, patchBody({ op: 'replace', path: 'displayName', value: nul })], 'displayName'],
    ['a NUL in a PUT', () => ['PUT', `/Users/${userId}`, { userName: 'valid@example.com', nickName: nul }], 'nickName'],
    ['an unpaired high surrogate in userName', () => ['POST', '/Users', { userName: 'sur\ud800rogate@example.com' }], 'userName'],
    ['an unpaired low surrogate in an address', () => ['POST', '/Users', { userName: 'low@example.com', addresses: [{ locality: 'x\udc00' }] }], 'addresses[0].locality'],
  ];
  it.each(cases)('%s is a 400 invalidValue naming the attribute', async (_label, request, attribute) => {
    const [method, path, body] = request();
    const r = await app.c.call(method, path, body);
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toContain(`"${attribute.split('.nul')[0]}`);
    expect(r.body.detail).toMatch(/U\+0000|surrogate/);
  });

  it('stores nothing and changes nothing when it refuses', async () => {
    expect(await count('/Users', 'title pr or nickName pr')).toBe(0);
    expect(await count('/Groups', 'displayName sw "nul"')).toBe(0);
    const u = await app.c.get(`/Users/${userId}`);
    expect(u.body.meta.version).toBe('W/"1"');
  });

  it('a NUL or unpaired surrogate in a filter value is a 400 invalidFilter', async () => {
    for (const v of ['\\u0000', '\\ud800']) {
      expectScimError(await app.c.get(`/Users?filter=${encodeURIComponent(`userName eq "a${v}"`)}`), 400, 'invalidFilter');
      expectScimError(await app.c.get(`/Groups?filter=${encodeURIComponent(`members[display le "a${v}"]`)}`), 400, 'invalidFilter');
      expectScimError(await app.c.get(`/Groups?filter=${encodeURIComponent(`id le "a${v}"`)}`), 400, 'invalidFilter');
    }
  });
});

describe('values of the wrong type are a 400 that says what was expected', () => {
  const cases: [string, string, () => string, unknown, RegExp][] = [
    ['userName as an object', 'POST', () => '/Users', { userName: { a: 1 } }, /"userName" must be a string, not an object/],
    ['active as a number', 'POST', () => '/Users', { userName: 'active@example.com', active: 3 }, /"active" must be true or false, not a number/],
    ['name as a string', 'POST', () => '/Users', { userName: 'name@example.com', name: 'Ada' }, /"name" must be an object .* not a string/],
    ['an e-mail as a list of lists', 'POST', () => '/Users', { userName: 'lists@example.com', emails: [[['x']]] }, /"emails\[0\]" must be an object .* not a list/],
    ['an e-mail value as an object', 'POST', () => '/Users', { userName: 'obj@example.com', emails: [{ value: { a: 1 } }] }, /"emails\[0\]\.value" must be a string, not an object/],
    ['an extension schema as a string', 'POST', () => '/Users', { userName: 'ext@example.com', [ENTERPRISE]: 'x' }, /must be an object holding that schema's attributes, not a string/],
    ['a group displayName as a list', 'POST', () => '/Groups', { displayName: ['a', 'b'] }, /"displayName" must be a string, not a list/],
    ['a PATCH value of the wrong type', 'PATCH', () => `/Users/${userId}`, patchBody({ op: 'replace', path: 'active', value: { yes: true } }), /"active" must be true or false, not an object/],
    ['.search startIndex as an object', 'POST', () => '/Users/.search', { startIndex: {} }, /"startIndex" must be a whole number, not an object/],
    ['.search count as a boolean', 'POST', () => '/Groups/.search', { count: true }, /"count" must be a whole number, not a boolean/],
    ['.search sortBy as a number', 'POST', () => '/Users/.search', { sortBy: 5 }, /"sortBy" must be a string, not a number/],
    ['.search sortOrder as a list', 'POST', () => '/Users/.search', { sortOrder: ['ascending'] }, /"sortOrder" must be a string, not a list/],
    ['.search filter as an object', 'POST', () => '/.search', { filter: { userName: 'x' } }, /"filter" must be a string, not an object/],
    ['.search attributes as a number', 'POST', () => '/Users/.search', { attributes: 5 }, /"attributes" must be .* not a number/],
    ['.search attributes with a null', 'POST', () => '/Users/.search', { attributes: ['userName', null] }, /"attributes" must be .* list of attribute names/],
    ['.search excludedAttributes as an object', 'POST', () => '/Groups/.search', { excludedAttributes: { members: true } }, /"excludedAttributes" must be .* not an object/],
  ];
  it.each(cases)('%s', async (_label, method, path, body, detail) => {
    const r = await app.c.call(method, path(), body);
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toMatch(detail);
  });
});

describe('list parameters out of range', () => {
  it.each([
    ['startIndex=99999999999999999999', /"startIndex" must be at most/],
    ['startIndex=9007199254740993', /"startIndex" must be at most/],
    ['startIndex=1e3', /"startIndex" must be a whole number/],
    ['count=ten', /"count" must be a whole number/],
  ])('%s is a 400', async (query, detail) => {
    const r = await app.c.get(`/Users?${query}`);
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toMatch(detail);
  });

  it('a count past the largest page is capped, not refused (RFC 7644 §3.4.2.4)', async () => {
    const r = await app.c.get('/Users?count=99999999999999999999');
    expect(r.status).toBe(200);
    const s = await app.c.post('/Users/.search', { count: 1e300, startIndex: -1e308 });
    expect({ status: s.status, startIndex: s.body.startIndex }).toEqual({ status: 200, startIndex: 1 });
  });
});

describe('sizes and counts are bounded', () => {
  const limits = () => app.h.config.limits;

  it('a string of MAX_STRING_LENGTH bytes is stored; one byte more is a 400', async () => {
    const max = limits().maxStringBytes;
    const ok = await app.c.post('/Users', { userName: 'long-title@example.com', title: 'é'.repeat(max / 2) });
    expect(ok.status).toBe(201);
    const r = await app.c.post('/Users', { userName: 'too-long-title@example.com', title: `${'é'.repeat(max / 2)}x` });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toBe(`"title" is longer than ${max} bytes (UTF-8)`);
  });

  it('values users are looked up by stay within what an index entry holds', async () => {
    // 1,536 bytes of text that does not compress: PostgreSQL would refuse it in its unique index otherwise.
    const astral = [...Array(384)].map((_, i) => String.fromCodePoint(0x1f600 + (i % 80))).join('');
    const ok = await app.c.post('/Users', { userName: astral, emails: [{ value: astral }], externalId: astral });
    expect(ok.status).toBe(201);
    const r = await app.c.post('/Users', { userName: `${astral}x` });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toBe('"userName" is longer than 1536 bytes (UTF-8)');
    const g = await app.c.post('/Groups', { displayName: `${astral}x` });
    expectScimError(g, 400, 'invalidValue');
  });

  it('more than MAX_VALUES_PER_ATTRIBUTE values is a 400', async () => {
    const n = limits().maxValuesPerAttribute;
    const r = await app.c.post('/Users', { userName: 'many@example.com', phoneNumbers: Array.from({ length: n + 1 }, (_, i) => ({ value: `+1 555 ${i}` })) });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toBe(`"phoneNumbers" has ${n + 1} values, more than ${n}`);
  });

  it('an extension document deeper than MAX_EXTENSION_DEPTH is a 400', async () => {
    const depth = limits().maxExtensionDepth;
    const ok = await app.c.call('POST', '/Users', `{"userName":"deep-ok@example.com","urn:example:ext:1.0":{"a":${nestedArrays(depth - 1)}}}`);
    expect(ok.status).toBe(201);
    const r = await app.c.call('POST', '/Users', `{"userName":"deep@example.com","urn:example:ext:1.0":{"a":${nestedArrays(depth)}}}`);
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toMatch(new RegExp(`more than ${depth} levels deep`));
  });

  it('extension documents larger than MAX_EXTENSION_BYTES are a 400', async () => {
    const max = limits().maxExtensionBytes;
    const chunk = 'x'.repeat(1000);
    const doc = Object.fromEntries(Array.from({ length: Math.ceil(max / 1000) + 1 }, (_, i) => [`k${i}`, chunk]));
    const r = await app.c.post('/Users', { userName: 'big-ext@example.com', 'urn:example:ext:1.0': doc });
    expectScimError(r, 400, 'invalidValue');
    expect(r.body.detail).toMatch(new RegExp(`"extensions" are \\d+ bytes of JSON, more than ${max}`));
  });
});

describe('a poisoned record cannot be written', () => {
  it('an extension nested 3,000 arrays deep is a SCIM 400, is not stored, and listing still works', async () => {
    const r = await app.c.call('POST', '/Users', `{"userName":"poison@example.com","urn:example:ext:1.0":{"a":${nestedArrays(3000)}}}`);
    expectScimError(r, 400, 'invalidValue');
    expect(await count('/Users', 'userName eq "poison@example.com"')).toBe(0);
    const list = await app.c.get('/Users?count=1000');
    expect(list.status).toBe(200);
  });

  it('the same through PATCH, PUT and a group', async () => {
    const deep = nestedArrays(3000);
    const p = await app.c.call('PATCH', `/Users/${userId}`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:example:ext:1.0:a","value":${deep}}]}`);
    expectScimError(p, 400, 'invalidValue');
    const put = await app.c.call('PUT', `/Users/${userId}`, `{"userName":"valid@example.com","urn:example:ext:1.0":{"a":${deep}}}`);
    expectScimError(put, 400, 'invalidValue');
    const g = await app.c.call('POST', '/Groups', `{"displayName":"Poison","urn:example:ext:1.0":{"a":${deep}}}`);
    expectScimError(g, 400, 'invalidValue');
    expect((await app.c.get(`/Users/${userId}`)).body.meta.version).toBe('W/"1"');
  });
});

describe('deep bodies never overflow the stack of the SCIM parsers', () => {
  const deep = nestedArrays(5000);
  it.each([
    ['a core complex attribute', 'POST', () => '/Users', `{"userName":"d1@example.com","name":${deep}}`],
    ['the enterprise manager', 'POST', () => '/Users', `{"userName":"d2@example.com","${ENTERPRISE}":{"manager":${deep}}}`],
    ['a PATCH value for name', 'PATCH', () => `/Users/${userId}`, `{"Operations":[{"op":"add","path":"name","value":${deep}}]}`],
    ['a path-less PATCH value', 'PATCH', () => `/Users/${userId}`, `{"Operations":[{"op":"add","value":{"name":${deep}}}]}`],
    ['group members', 'PATCH', () => `/Groups/${groupId}`, `{"Operations":[{"op":"add","path":"members","value":${deep}}]}`],
    ['a PATCH op name', 'PATCH', () => `/Users/${userId}`, `{"Operations":[{"op":${deep},"path":"title","value":"x"}]}`],
    ['nested core schema URNs', 'POST', () => '/Users', `{"userName":"d3@example.com",${'"urn:ietf:params:scim:schemas:core:2.0:User":{'.repeat(3000)}"title":"x"${'}'.repeat(3000)}}`],
  ])('%s', async (_label, method, path, body) => {
    const r = await app.c.call(method, path(), body);
    expect(r.status).toBeGreaterThanOrEqual(200);
    expect(r.status).toBeLessThan(500);
    if (r.status >= 400) expectScimError(r, r.status);
  });
});

describe('filters have a budget', () => {
  it('a filter of 300 "or" terms is a 400 invalidFilter saying how many', async () => {
    const filter = Array.from({ length: 300 }, () => 'title pr').join(' or ');
    const r = await app.c.get(`/Users?filter=${encodeURIComponent(filter)}`);
    expectScimError(r, 400, 'invalidFilter');
    expect(r.body.detail).toBe('filter too complex: 300 terms, at most 100');
  });

  it('1,000 nested parentheses are a 400 invalidFilter, found while parsing', async () => {
    const r = await app.c.get(`/Users?filter=${encodeURIComponent(`${'('.repeat(1000)}title pr${')'.repeat(1000)}`)}`);
    expectScimError(r, 400, 'invalidFilter');
    expect(r.body.detail).toBe('filter too complex: nested more than 64 levels deep, at most 64');
  });

  it('the same budget holds in a .search body and at the root', async () => {
    const filter = Array.from({ length: 101 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expectScimError(await app.c.post('/Users/.search', { filter }), 400, 'invalidFilter');
    expectScimError(await app.c.post('/.search', { filter }), 400, 'invalidFilter');
  });
});
