import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { patchBody, type ScimClient } from '../../support/scim.js';

let h: Harness;
let c: ScimClient;
let userId = '';
let groupId = '';
beforeAll(async () => {
  h = await startHarness({ BODY_LIMIT_BYTES: '65536' });
  c = await scimTenant(h);
  userId = (await c.post('/Users', { userName: 'robust@example.com' })).body.id;
  groupId = (await c.post('/Groups', { displayName: 'Robust' })).body.id;
});
afterAll(async () => h.close());

/** Bad input gets a 4xx SCIM error, never a 500 (docs/architecture.md#robustness). */
describe('odd requests get a clear 4xx SCIM error, never a 500', () => {
  const odd: [string, string, unknown][] = [
    ['GET', '/Users?filter=' + encodeURIComponent(Array.from({ length: 300 }, () => 'title pr').join(' or ')), undefined],
    ['GET', '/Users?filter=' + encodeURIComponent('meta.version eq "1"'), undefined],
    ['GET', '/Users?filter=' + encodeURIComponent('emails[primary eq "maybe"]'), undefined],
    ['GET', '/Users?filter=' + encodeURIComponent('userName eq "\\u12"'), undefined],
    ['GET', '/Users?sortOrder=sideways', undefined],
    ['GET', '/Users/%E0%A4%A', undefined],
    ['POST', '/Users/.search', [1, 2]],
    ['POST', '/Users/.search', { filter: 42 }],
    ['POST', '/Users', { userName: 'x'.repeat(5000) }],
    ['POST', '/Users', { userName: 'z@example.com', emails: [{ value: 'z@example.com', primary: 'sometimes' }] }],
    ['POST', '/Users', { userName: 'big@example.com', title: 'x'.repeat(70_000) }],
    ['POST', '/Groups', { displayName: 'With bad member', members: [{ value: 'nope' }] }],
    ['PATCH', `/Users/${'{id}'}`, { Operations: 'all of them' }],
    ['PATCH', `/Users/${'{id}'}`, patchBody({ op: 'replace', path: 42, value: 'x' })],
    ['PATCH', `/Users/${'{id}'}`, patchBody({ op: 'replace', path: 'members[value eq "x"]', value: 'x' })],
    ['PATCH', `/Users/${'{id}'}`, patchBody({ op: 'replace', path: 'userName', value: '' })],
    ['PATCH', `/Users/${'{id}'}`, patchBody({ op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: { value: ['a', 'list'] } })],
    ['PATCH', `/Users/${'{id}'}`, patchBody({ op: 'replace', path: 'name', value: 'flat' })],
    ['PATCH', `/Groups/${'{gid}'}`, patchBody({ op: 'add', path: 'members', value: 'not-a-list' })],
    ['PATCH', `/Groups/${'{gid}'}`, patchBody({ op: 'add', path: 'members[value eq "x"]', value: [{ value: 'x' }] })],
    ['PATCH', `/Groups/${'{gid}'}`, patchBody({ op: 'add', path: 'members', value: [{ value: '{gid}' }] })],
    ['PUT', `/Groups/${'{gid}'}`, { members: [] }],
    ['PATCH', '/Users/0190a0a0-0000-7000-8000-000000000000', patchBody({ op: 'replace', path: 'title', value: 'x' })],
  ];
  it.each(odd)('%s %s', async (method, path, body) => {
    const r = await c.call(method, path.replace('{id}', userId).replace('{gid}', groupId), typeof body === 'string' ? body : body === undefined ? undefined : JSON.parse(JSON.stringify(body).split('{gid}').join(groupId)));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(r.body).toMatchObject({ status: String(r.status), detail: expect.any(String) });
  });

  it('adds nothing for an add of null to a multi-valued attribute, as for a group\'s members', async () => {
    const id = (await c.post('/Users', { userName: 'add-null@example.com', emails: [{ value: 'add-null@example.com' }] })).body.id;
    const r = await c.patch(`/Users/${id}`, patchBody({ op: 'add', path: 'emails', value: null }, { op: 'Add', path: 'phoneNumbers', value: null }));
    expect(r.status).toBe(200);
    expect(r.body.emails).toEqual([{ value: 'add-null@example.com' }]);
    expect(r.body.phoneNumbers).toBeUndefined();
    const g = await c.patch(`/Groups/${groupId}`, patchBody({ op: 'add', path: 'members', value: null }));
    expect(g.status).toBe(204);
  });

  it('reads a bare string as the value of a multi-valued attribute, as lenient clients send it', async () => {
    const r = await c.post('/Users', { userName: 'lenient@example.com', emails: 'lenient@example.com' });
    expect(r.status).toBe(201);
    expect(r.body.emails).toEqual([{ value: 'lenient@example.com' }]);
  });

  it('refuses a body over the size limit with 413', async () => {
    const r = await c.post('/Users', { userName: 'huge@example.com', nickName: 'n'.repeat(70_000) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ status: '413' });
  });
});
