import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { ENTERPRISE, patchBody, USER_SCHEMA, type ScimClient } from '../../support/scim.js';

let h: Harness;
let c: ScimClient;
beforeAll(async () => {
  h = await startHarness();
  c = await scimTenant(h);
});
afterAll(async () => h.close());

const CUSTOM = 'urn:example:params:scim:schemas:extension:badge:2.0:User';
const MANAGER = '0190a0a0-0000-7000-8000-00000000abcd';

const fullUser = (userName: string) => ({
  schemas: [USER_SCHEMA, ENTERPRISE],
  externalId: `ext-${userName}`,
  userName,
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  preferredLanguage: 'en-US',
  active: true,
  emails: [
    { value: userName, type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  phoneNumbers: [{ value: '+1 (555) 555-5555', type: 'work' }],
  addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', primary: true }],
  [ENTERPRISE]: { employeeNumber: '701984', costCenter: '4130', organization: 'Universal Studios', division: 'Theme Park', department: 'Tour Operations', manager: { value: MANAGER } },
});

describe('POST /Users (RFC 7644 §3.3)', () => {
  it('creates a user: 201, Location, ETag, and every value returned exactly as sent', async () => {
    const sent = fullUser('bjensen@example.com');
    const r = await c.post('/Users', sent);
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${c.base}/Users/${r.body.id}`);
    expect(r.headers.get('etag')).toBe('W/"1"');
    const { schemas: _s, ...rest } = sent;
    expect(r.body).toMatchObject(rest);
    expect(r.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect(r.body.meta).toEqual({ resourceType: 'User', created: expect.any(String), lastModified: expect.any(String), location: `${c.base}/Users/${r.body.id}`, version: 'W/"1"' });
    // The manager does not exist in Roster yet, and is still returned as {"value": id} (docs/entra.md#further-patch-shapes).
    expect(r.body[ENTERPRISE].manager).toEqual({ value: MANAGER });
    const again = await c.get(`/Users/${r.body.id}`);
    expect(again.body).toEqual(r.body);
  });

  it('returns booleans as JSON booleans even when sent as strings', async () => {
    const r = await c.post('/Users', { userName: 'strbool@example.com', active: 'False', emails: [{ value: 'strbool@example.com', primary: 'True' }] });
    expect(r.status).toBe(201);
    expect(r.body.active).toBe(false);
    expect(r.body.emails[0].primary).toBe(true);
  });

  it('keeps attributes of unknown extension schemas, even when their URN is missing from schemas', async () => {
    const r = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'badge@example.com', [CUSTOM]: { badge: 'B-42', floors: [3, 4] } });
    expect(r.status).toBe(201);
    expect(r.body[CUSTOM]).toEqual({ badge: 'B-42', floors: [3, 4] });
    expect(r.body.schemas).toContain(CUSTOM);
    expect((await c.get(`/Users/${r.body.id}`)).body[CUSTOM]).toEqual({ badge: 'B-42', floors: [3, 4] });
  });

  it('ignores read-only attributes, unknown schema URIs and null values; names are case-insensitive', async () => {
    const r = await c.post('/Users', {
      schemas: [USER_SCHEMA, 'urn:unknown:schema'],
      id: 'client-chosen',
      meta: { version: 'W/"99"' },
      USERNAME: 'CaseInsensitive@example.com',
      Name: { GivenName: 'Case' },
      nickName: null,
    });
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe('client-chosen');
    expect(r.body.userName).toBe('CaseInsensitive@example.com');
    expect(r.body.name).toEqual({ givenName: 'Case' });
    expect(r.body.nickName).toBeUndefined();
    expect(r.body.meta.version).toBe('W/"1"');
  });

  it('answers 409 uniqueness for a taken userName, compared case-insensitively like the filter', async () => {
    expect((await c.post('/Users', { userName: 'Dup@Example.com' })).status).toBe(201);
    const r = await c.post('/Users', { userName: 'dup@example.COM' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect((await c.get('/Users?filter=userName eq "DUP@EXAMPLE.COM"')).body.totalResults).toBe(1);
  });

  it('answers 400 with a detail for bad input, never 500', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{}, 'invalidValue', /userName.*required/],
      [{ userName: '   ' }, 'invalidValue', /userName.*empty/],
      [{ userName: 'p@example.com', emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] }, 'invalidValue', /more than one value marked primary/],
      [{ userName: 'p@example.com', active: 'maybe' }, 'invalidValue', /"active" must be true or false/],
      [{ userName: 'p@example.com', name: 'Pat' }, 'invalidValue', /"name" must be an object/],
      [{ userName: 'p@example.com', [ENTERPRISE]: { manager: { value: { id: 'x' } } } }, 'invalidValue', /manager\.value" must be a string/],
      [{ userName: 'p@example.com', emails: [{ type: 'work' }] }, 'invalidValue', /emails\[0\]\.value.*required/],
      [{ userName: { first: 'x' } }, 'invalidValue', /"userName" must be a string/],
    ];
    for (const [body, scimType, detail] of cases) {
      const r = await c.post('/Users', body);
      expect({ body, status: r.status, scimType: r.body.scimType }).toEqual({ body, status: 400, scimType });
      expect(r.body.detail).toMatch(detail);
    }
  });
});

describe('GET, PUT, DELETE /Users/{id}', () => {
  it('answers 404 for unknown and malformed ids', async () => {
    for (const id of ['0190a0a0-0000-7000-8000-000000000000', 'nope']) {
      const r = await c.get(`/Users/${id}`);
      expect(r.status).toBe(404);
      expect(r.body.status).toBe('404');
    }
  });

  it('supports ETags: If-None-Match → 304, stale If-Match → 412, current If-Match passes, none required', async () => {
    const u = (await c.post('/Users', { userName: 'etag@example.com' })).body;
    expect((await c.get(`/Users/${u.id}`, { 'if-none-match': 'W/"1"' })).status).toBe(304);
    expect((await c.get(`/Users/${u.id}`, { 'if-none-match': 'W/"7"' })).status).toBe(200);
    const stale = await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), { 'if-match': 'W/"5"' });
    expect(stale.status).toBe(412);
    expect(stale.body.status).toBe('412');
    const ok = await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), { 'if-match': 'W/"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('W/"2"');
    expect((await c.put(`/Users/${u.id}`, { userName: 'etag@example.com' }, { 'if-match': 'W/"1"' })).status).toBe(412);
    expect((await c.del(`/Users/${u.id}`, { 'if-match': 'W/"1"' })).status).toBe(412);
    expect((await c.put(`/Users/${u.id}`, { userName: 'etag@example.com', title: 'y' })).status).toBe(200);
  });

  it('reads If-Match as a list of entity tags: one of them this resource\'s version passes, none of them a 412 saying so', async () => {
    const u = (await c.post('/Users', { userName: 'etag.list@example.com' })).body;
    const ok = await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), { 'if-match': '"other-system", W/"1"' });
    expect(ok.status).toBe(200);
    for (const header of ['garbage', 'W/""', '"abc", "def"']) {
      const refused = await c.patch(`/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'y' }), { 'if-match': header });
      expect({ header, status: refused.status }).toEqual({ header, status: 412 });
      expect(refused.body.detail).toMatch(/names no version/);
      // The id may hold "-1" itself; the message must not name a version -1.
      expect(refused.body.detail).not.toMatch(/version -1|not -1/);
    }
  });

  it('PUT replaces the whole user: attributes left out are cleared', async () => {
    const u = (await c.post('/Users', fullUser('put@example.com'))).body;
    const r = await c.put(`/Users/${u.id}`, { schemas: [USER_SCHEMA], userName: 'put@example.com', displayName: 'Only this', active: false });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userName: 'put@example.com', displayName: 'Only this', active: false });
    for (const gone of ['name', 'emails', 'addresses', ENTERPRISE, 'title', 'externalId']) expect(r.body[gone]).toBeUndefined();
    expect(r.body.meta.version).toBe('W/"2"');
  });

  it('DELETE answers 204, then GET and DELETE answer 404', async () => {
    const u = (await c.post('/Users', { userName: 'gone@example.com' })).body;
    const d = await c.del(`/Users/${u.id}`);
    expect(d.status).toBe(204);
    expect(d.text).toBe('');
    expect((await c.get(`/Users/${u.id}`)).status).toBe(404);
    expect((await c.del(`/Users/${u.id}`)).status).toBe(404);
  });
});

describe('GET /Users: filter, paging, sorting, projection (RFC 7644 §3.4.2)', () => {
  let ids: string[] = [];
  let q: ScimClient;
  beforeAll(async () => {
    q = await scimTenant(h, 'listing');
    const people = [
      { userName: 'alice@x.org', name: { givenName: 'Alice', familyName: 'Zed' }, title: 'Engineer', emails: [{ value: 'alice@x.org', type: 'work' }, { value: 'alice@home.net', type: 'home' }], [ENTERPRISE]: { department: 'R&D', employeeNumber: '3' } },
      { userName: 'bob@x.org', name: { givenName: 'Bob', familyName: 'Young' }, title: 'engineer', active: false, emails: [{ value: 'bob@x.org', type: 'home' }], [ENTERPRISE]: { department: 'Sales', employeeNumber: '1' } },
      { userName: 'carol@y.org', name: { givenName: 'Carol', familyName: 'Xu' }, externalId: 'C-1', emails: [{ value: 'carol@y.org', type: 'work' }], [ENTERPRISE]: { department: 'r&d', employeeNumber: '2' } },
    ];
    ids = [];
    for (const p of people) ids.push((await q.post('/Users', p)).body.id);
  });

  const names = (r: { body: { Resources: { userName: string }[] } }) => r.body.Resources.map((u) => u.userName);
  const list = (query: string) => q.get(`/Users?${query}`);

  it.each([
    ['filter=userName eq "ALICE@x.org"', ['alice@x.org']],
    ['filter=userName sw "b"', ['bob@x.org']],
    ['filter=title eq "ENGINEER"', ['alice@x.org', 'bob@x.org']],
    ['filter=externalId eq "c-1"', []],
    ['filter=externalId eq "C-1"', ['carol@y.org']],
    ['filter=active eq false', ['bob@x.org']],
    ['filter=emails[type eq "work" and value co "@x.org"]', ['alice@x.org']],
    ['filter=emails[type eq "work"].value eq "carol@y.org"', ['carol@y.org']],
    ['filter=emails co "home.net"', ['alice@x.org']],
    ['filter=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R%26D"', ['alice@x.org', 'carol@y.org']],
    ['filter=not (title pr) or name.familyName ge "Z"', ['alice@x.org', 'carol@y.org']],
    ['filter=(title eq "engineer" and active eq true) or externalId pr', ['alice@x.org', 'carol@y.org']],
    ['filter=meta.created gt "2000-01-01T00:00:00Z"&sortBy=userName', ['alice@x.org', 'bob@x.org', 'carol@y.org']],
    ['sortBy=name.familyName', ['carol@y.org', 'bob@x.org', 'alice@x.org']],
    ['sortBy=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber&sortOrder=descending', ['alice@x.org', 'carol@y.org', 'bob@x.org']],
    ['filter=userName+eq+%22bob%40x.org%22', ['bob@x.org']],
  ])('%s', async (query, expected) => {
    const r = await list(query);
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(expected.length);
    expect(query.includes('sortBy') ? names(r) : names(r).sort()).toEqual(expected);
  });

  it('pages with startIndex and count, 1-based, reporting the total', async () => {
    const r = await list('sortBy=userName&startIndex=2&count=1');
    expect(r.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(names(r)).toEqual(['bob@x.org']);
    const zero = await list('count=0');
    expect(zero.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const beyond = await list('startIndex=10');
    expect(beyond.body).toMatchObject({ totalResults: 3, startIndex: 10, itemsPerPage: 0, Resources: [] });
    expect((await list('startIndex=0&count=-4')).body).toMatchObject({ startIndex: 1, itemsPerPage: 0 });
    expect((await list('count=lots')).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it('projects with attributes and excludedAttributes; id and schemas always stay', async () => {
    const r = await list('filter=userName eq "alice@x.org"&attributes=userName,emails.value,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department');
    expect(r.body.Resources[0]).toEqual({
      schemas: expect.any(Array),
      id: ids[0],
      userName: 'alice@x.org',
      emails: [{ value: 'alice@x.org' }, { value: 'alice@home.net' }],
      [ENTERPRISE]: { department: 'R&D' },
    });
    const ex = await list('filter=userName eq "alice@x.org"&excludedAttributes=emails,name.givenName,id,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    expect(ex.body.Resources[0].emails).toBeUndefined();
    expect(ex.body.Resources[0].name).toEqual({ familyName: 'Zed' });
    expect(ex.body.Resources[0][ENTERPRISE]).toBeUndefined();
    expect(ex.body.Resources[0].id).toBe(ids[0]);
  });

  it('searches with POST /Users/.search and at the root /.search', async () => {
    const r = await q.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title eq "engineer"', sortBy: 'userName', attributes: ['userName'], startIndex: 1, count: 10 });
    expect(r.status).toBe(200);
    expect(r.body.Resources).toEqual([
      { schemas: expect.any(Array), id: ids[0], userName: 'alice@x.org' },
      { schemas: expect.any(Array), id: ids[1], userName: 'bob@x.org' },
    ]);
    await q.post('/Groups', { displayName: 'Engineers' });
    const all = await q.post('/.search', { filter: 'meta.created pr', count: 3, startIndex: 2 });
    expect(all.status).toBe(200);
    expect(all.body.totalResults).toBe(4);
    expect(all.body.Resources.map((x: { meta: { resourceType: string } }) => x.meta.resourceType)).toEqual(['User', 'User', 'Group']);
    const groupsOnly = await q.post('/.search', { filter: 'displayName eq "engineers"' });
    // Users have a displayName too; none of them is "engineers", the group is.
    expect(groupsOnly.body.totalResults).toBe(1);
    expect(groupsOnly.body.Resources[0].displayName).toBe('Engineers');
  });

  it('answers 400 invalidFilter with a message that points at the problem, and 400 for an unsortable attribute', async () => {
    const bad = await list('filter=userName eq "a" and');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    expect(bad.body.detail).toMatch(/position/);
    const unknown = await list('filter=shoeSize gt 40');
    expect(unknown.body.detail).toMatch(/unknown attribute "shoeSize"/);
    const sort = await list('sortBy=emails');
    expect(sort.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(sort.body.detail).toMatch(/sortable attributes: .*userName/);
  });

  it('answers zero hits with 200 and an empty ListResponse', async () => {
    const r = await list('filter=userName eq "00000000-dead-beef-0000-000000000000"');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });
});
