import { request } from 'node:http';
import { startHarness, scimTenant, type Harness } from '../../support/harness.js';
import type { ScimClient } from '../../support/scim.js';

/**
 * Every answer tells browsers not to guess its content type (X-Content-Type-Options: nosniff):
 * whichever front door answers it (Koa, the SCIM listener, or the server refusing a request its
 * parser cannot read), and whatever its status.
 */
let h: Harness;
let scim: ScimClient;
beforeAll(async () => {
  h = await startHarness();
  scim = await scimTenant(h);
});
afterAll(async () => {
  await h.close();
});

/** One raw request, so that no client adds or hides a header. */
function answer(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  const url = new URL(h.baseUrl);
  return new Promise((resolve, reject) => {
    const r = request({ host: url.hostname, port: url.port, path, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    r.on('error', reject);
    r.end(init.body);
  });
}

const json = { 'content-type': 'application/json', accept: 'application/json' };

describe('X-Content-Type-Options: nosniff', () => {
  it.each<[string, string, () => { method?: string; headers?: Record<string, string>; body?: string }, number]>([
    ['GraphQL JSON', '/graphql', () => ({ method: 'POST', headers: { ...json, authorization: `Bearer ${h.adminKey}` }, body: '{"query":"{ __typename }"}' }), 200],
    ['a GraphQL error', '/graphql', () => ({ method: 'POST', headers: json, body: '{"query":"{ __typename }"}' }), 401],
    ['a GraphQL body that is not JSON', '/graphql', () => ({ method: 'POST', headers: json, body: '{"query":' }), 400],
    ['GraphQL over GET', `/graphql?query=${encodeURIComponent('{ __typename }')}`, () => ({ headers: { accept: 'application/json', authorization: `Bearer ${h.adminKey}` } }), 200],
    ['/healthz', '/healthz', () => ({}), 200],
    ['/readyz', '/readyz', () => ({}), 200],
    ['/metrics', '/metrics', () => ({}), 200],
    ['a path nothing serves', '/nothing-here', () => ({}), 404],
    ['SCIM', '/scim/v2/Users?count=1', () => ({ headers: { authorization: `Bearer ${scim.token}` } }), 200],
    ['a SCIM user that is not there', '/scim/v2/Users/0190a0a0-0000-7000-8000-000000000000', () => ({ headers: { authorization: `Bearer ${scim.token}` } }), 404],
    ['a SCIM error', '/scim/v2/Users', () => ({}), 401],
    ['a request line over the parser limit', `/scim/v2/Users?filter=${'x'.repeat(20_000)}`, () => ({}), 431],
  ])('is sent with %s', async (_what, path, init, status) => {
    const r = await answer(path, init());
    expect({ status: r.status, nosniff: r.headers['x-content-type-options'] }).toEqual({ status, nosniff: 'nosniff' });
  });
});
