import { request } from 'node:http';
import { connect } from 'node:net';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * Requests Node's HTTP parser refuses before the app sees them are still answered as client
 * errors a SCIM client can read (RFC 7644 §3.12): a filter too long for a URL is told to go in
 * the body of POST /.search instead of getting an empty 431.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function get(path: string): Promise<{ status: number; type: string; body: string }> {
  const url = new URL(h.baseUrl);
  return new Promise((resolve, reject) => {
    const r = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { authorization: 'Bearer x' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    r.on('error', reject);
    r.end();
  });
}

it('answers a request line over the header limit with a SCIM error that says what to do', async () => {
  const filter = Array.from({ length: 1500 }, (_, i) => `userName eq "user${i}@example.com"`).join(' or ');
  const r = await get(`/scim/v2/Users?filter=${encodeURIComponent(filter)}`);
  expect(r.status).toBe(431);
  expect(r.type).toBe('application/scim+json');
  expect(JSON.parse(r.body)).toEqual({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: '431',
    detail: expect.stringContaining('POST'),
  });
  // The server goes on answering.
  expect((await get('/healthz')).status).toBe(200);
});

it('answers bytes that are not HTTP with a 400 SCIM error', async () => {
  const url = new URL(h.baseUrl);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write('GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString('utf8')));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
  expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(raw).toContain('Content-Type: application/scim+json');
  expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: '400', detail: expect.stringContaining('HTTP') });
});
