import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import type { ScimClient } from '../../support/scim.js';

/**
 * SCIM is served from node:http ahead of Koa (docs/architecture.md#scim-without-koa): what the
 * app's middleware gives every other request, the SCIM listener gives SCIM requests too.
 */

let h: Harness;
let c: ScimClient;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

beforeAll(async () => {
  h = await startHarness();
  c = await scimTenant(h);
});
afterAll(async () => h.close());

/** A raw request, for what fetch cannot send (an absolute-form target, HEAD bodies). */
function raw(o: { method: string; path: string; headers?: Record<string, string>; body?: Buffer }): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const url = new URL(h.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: o.method, path: o.path, headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('the SCIM listener', () => {
  it('echoes a sane X-Request-Id, gives one to a request without it, and logs the request with its tenant', async () => {
    const mine = await c.get('/Users?count=1', { 'x-request-id': 'req-abc.123' });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('x-request-id')).toBe('req-abc.123');
    const line = h.logs.find((l) => l.msg === 'request' && l.requestId === 'req-abc.123');
    expect(line).toMatchObject({ method: 'GET', path: '/scim/v2/Users', status: 200, tenantId: c.ctx.tenantId, connectionId: c.connection.id });
    expect(typeof line?.ms).toBe('number');

    const insane = await c.get('/Users?count=1', { 'x-request-id': 'not sane!' });
    expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs a value sent where an id belongs as :value, never the value', async () => {
    const r = await c.get('/Users/someone@example.com', { 'x-request-id': 'req-path' });
    expect(r.status).toBe(404);
    const line = h.logs.find((l) => l.msg === 'request' && l.requestId === 'req-path');
    expect(line).toMatchObject({ path: '/scim/v2/Users/:value', status: 404 });
  });

  it('counts SCIM requests in the metrics by front door, method and status', async () => {
    const count = async () => {
      const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
      const m = /roster_http_requests_total\{door="scim",method="GET",status="404"\} (\d+)/.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const before = await count();
    await c.get('/Users/00000000-0000-7000-8000-000000000000');
    await c.get('/Users/00000000-0000-7000-8000-000000000001');
    expect(await count()).toBe(before + 2);
  });

  it('answers HEAD with the status and headers of its answer and no body', async () => {
    const r = await raw({ method: 'HEAD', path: '/scim/v2/Users', headers: { authorization: `Bearer ${c.token}` } });
    expect(r.status).toBe(405);
    expect(r.headers['content-type']).toBe('application/scim+json');
    expect(r.text).toBe('');
  });

  it('serves an absolute-form request target', async () => {
    const r = await raw({ method: 'GET', path: `${h.baseUrl}/scim/v2/ServiceProviderConfig`, headers: { authorization: `Bearer ${c.token}` } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'] });
  });

  it('reads a gzip-encoded body', async () => {
    const body = gzipSync(JSON.stringify({ schemas: [USER], userName: 'gzipped@example.com' }));
    const r = await raw({
      method: 'POST',
      path: '/scim/v2/Users',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/scim+json', 'content-encoding': 'gzip', 'content-length': String(body.length) },
      body,
    });
    expect(r.status).toBe(201);
    expect(JSON.parse(r.text)).toMatchObject({ userName: 'gzipped@example.com' });
  });

  it('refuses a body in an encoding it does not know with 415, one that does not decompress and a JSON body that is not an object with 400', async () => {
    const headers = { authorization: `Bearer ${c.token}`, 'content-type': 'application/scim+json' };
    const unknown = await raw({ method: 'POST', path: '/scim/v2/Users', headers: { ...headers, 'content-encoding': 'compress', 'content-length': '4' }, body: Buffer.from('abcd') });
    expect(unknown.status).toBe(415);
    expect(JSON.parse(unknown.text)).toMatchObject({ status: '415', detail: expect.stringContaining('compress') });
    for (const encoding of ['gzip', 'br']) {
      const corrupt = await raw({ method: 'POST', path: '/scim/v2/Users', headers: { ...headers, 'content-encoding': encoding, 'content-length': '4' }, body: Buffer.from('abcd') });
      expect(corrupt.status).toBe(400);
      expect(JSON.parse(corrupt.text)).toMatchObject({ status: '400', scimType: 'invalidSyntax', detail: expect.stringContaining(encoding) });
    }
    const scalar = await raw({ method: 'POST', path: '/scim/v2/Users', headers: { ...headers, 'content-length': '2' }, body: Buffer.from('42') });
    expect(scalar.status).toBe(400);
    expect(JSON.parse(scalar.text)).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
  });

  it('refuses a body with a "__proto__" key as such, not as JSON that does not parse', async () => {
    for (const text of ['{"userName":"proto@example.com","__proto__":{"admin":true}}', '{"userName":"proto@example.com","name":{"__proto__":{"givenName":"x"}}}']) {
      const body = Buffer.from(text);
      const r = await raw({ method: 'POST', path: '/scim/v2/Users', headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/scim+json', 'content-length': String(body.length) }, body });
      expect(r.status).toBe(400);
      const error = JSON.parse(r.text) as { detail: string };
      expect(error).toMatchObject({ status: '400', scimType: 'invalidValue' });
      expect(error.detail).toMatch(/__proto__/);
      expect(error.detail).not.toMatch(/not valid JSON/);
    }
  });

  it('leaves every other path to the rest of the app', async () => {
    expect((await fetch(`${h.baseUrl}/scim/v2x`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  });
});
