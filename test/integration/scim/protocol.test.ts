import { discoveryFiles } from '../../../src/scim/discovery/discovery.documents.js';
import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { send, type ScimClient } from '../../support/scim.js';

let h: Harness;
let c: ScimClient;
beforeAll(async () => {
  h = await startHarness();
  c = await scimTenant(h);
});
afterAll(async () => h.close());

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const expectScimError = (r: { status: number; headers: Headers; body: unknown }, status: number, scimType?: string) => {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(r.body).toMatchObject({ schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}) });
  expect(typeof (r.body as { detail: unknown }).detail).toBe('string');
};

describe('authentication (RFC 7644 §2)', () => {
  it('answers 401 without a token, with a wrong one, and with a malformed header', async () => {
    for (const auth of [null, 'not-a-token', 'roster_scim_wrong']) {
      const r = await send(`${c.base}/Users`, 'GET', auth);
      expectScimError(r, 401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expectScimError(await send(`${c.base}/Users`, 'GET', null, undefined, { authorization: `Basic ${c.token}` }), 401);
  });

  it('answers 401 to a request without credentials before reading its body', async () => {
    expectScimError(await send(`${c.base}/Users`, 'POST', null, '{"userName": '), 401);
    expectScimError(await send(`${c.base}/Users`, 'POST', null, 'x'.repeat(2 * 1024 * 1024)), 401);
  });

  it('stops accepting a token once it is rotated, and a deleted connection at once', async () => {
    const other = await scimTenant(h, 'rotating');
    expect((await other.get('/Users')).status).toBe(200);
    const { token } = await h.services.connections.rotate(other.ctx, other.connection.id);
    expectScimError(await other.get('/Users'), 401);
    expect((await send(`${other.base}/Users`, 'GET', token)).status).toBe(200);
    await h.services.connections.delete(other.ctx, other.connection.id);
    expectScimError(await send(`${other.base}/Users`, 'GET', token), 401);
  });

  it('binds a token to its tenant: another tenant’s users do not exist for it', async () => {
    const other = await scimTenant(h, 'other');
    const created = await other.post('/Users', { userName: 'only-in-other@example.com' });
    expect(created.status).toBe(201);
    expectScimError(await c.get(`/Users/${created.body.id}`), 404);
    expect((await c.get('/Users?filter=userName eq "only-in-other@example.com"')).body.totalResults).toBe(0);
  });
});

describe('the endpoint', () => {
  it('works with and without a trailing slash and ignores unknown query parameters', async () => {
    for (const path of ['/Users', '/Users/', '/Users?aadOptscim062020', '/Users/?aadOptscim062020&foo=bar']) {
      const r = await c.get(path);
      expect(r.status).toBe(200);
      expect(r.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    }
    expect((await send(`${h.baseUrl}/scim/v2/?aadOptscim062020`, 'GET', c.token)).status).toBe(404);
  });

  it('accepts application/scim+json with and without charset, and application/json; answers application/scim+json', async () => {
    let n = 0;
    for (const type of ['application/scim+json', 'application/scim+json; charset=utf-8', 'application/json', 'application/json; charset=UTF-8']) {
      const r = await c.post('/Users', { userName: `ctype-${++n}@example.com` }, { 'content-type': type });
      expect(r.status).toBe(201);
      expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    }
  });

  it('refuses other media types with 415 and malformed JSON with 400 invalidSyntax', async () => {
    expectScimError(await c.post('/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    expectScimError(await c.post('/Users', '{"userName": ', { 'content-type': 'application/scim+json' }), 400, 'invalidSyntax');
    expectScimError(await c.post('/Users', '[1,2]'), 400, 'invalidSyntax');
  });

  it('answers unknown endpoints with 404, unsupported ones with 501 and wrong methods with 405, all as SCIM errors', async () => {
    expectScimError(await c.get('/Widgets'), 404);
    expectScimError(await c.get('/Users/a/b'), 404);
    expectScimError(await c.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 501);
    expectScimError(await c.get('/Me'), 501);
    expectScimError(await c.del('/Users'), 405);
    expectScimError(await c.post('/ServiceProviderConfig', {}), 405);
  });

  it('never logs the token, the filter or the body', async () => {
    await c.get('/Users?filter=userName eq "secret.person@example.com"');
    const all = JSON.stringify(h.logs);
    expect(all).not.toContain(c.token);
    expect(all).not.toContain('secret.person');
  });
});

describe('discovery (RFC 7644 §4)', () => {
  it('serves the ServiceProviderConfig truthfully', async () => {
    const r = await c.get('/ServiceProviderConfig');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: h.config.maxPageSize },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
    });
  });

  it('serves ResourceTypes and Schemas, each also by id, with absolute locations', async () => {
    const types = await c.get('/ResourceTypes');
    expect(types.body.Resources.map((t: { id: string }) => t.id)).toEqual(['User', 'Group']);
    const user = await c.get('/ResourceTypes/User');
    expect(user.body).toMatchObject({ endpoint: '/Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User', schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }] });
    expect(user.body.meta.location).toBe(`${c.base}/ResourceTypes/User`);
    const schemas = await c.get('/Schemas');
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    const ent = await c.get('/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    expect(ent.body.attributes.find((a: { name: string }) => a.name === 'manager').subAttributes.map((s: { name: string }) => s.name)).toEqual(['value', '$ref', 'displayName']);
    expectScimError(await c.get('/Schemas/urn:nope'), 404);
  });

  it('serves what the committed schema/scim files hold, apart from the host', async () => {
    const files = discoveryFiles(h.config.maxPageSize) as Record<string, unknown>;
    const relative = (v: unknown) => JSON.parse(JSON.stringify(v).split(h.baseUrl).join('')) as unknown;
    expect(relative((await c.get('/ServiceProviderConfig')).body)).toEqual(files['ServiceProviderConfig.json']);
    expect(relative((await c.get('/Schemas')).body.Resources)).toEqual(files['Schemas.json']);
    expect(relative((await c.get('/ResourceTypes')).body.Resources)).toEqual(files['ResourceTypes.json']);
  });
});
