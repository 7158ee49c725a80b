import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { send } from '../../support/scim.js';

/** Behind a TLS-terminating proxy (TRUST_PROXY=true), locations name the public https URL. */
describe.each([
  ['true', 'https://id.example.com/scim/v2'],
  ['false', null],
])('with TRUST_PROXY=%s', (trust, expectedBase) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TRUST_PROXY: trust });
  });
  afterAll(async () => h.close());

  it('builds Location and meta.location from the forwarded protocol and host only when trusted', async () => {
    const c = await scimTenant(h);
    const r = await send(`${c.base}/Users`, 'POST', c.token, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `proxied-${trust}@example.com` }, {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'id.example.com',
    });
    expect(r.status).toBe(201);
    const body = r.body as { id: string; meta: { location: string } };
    const base = expectedBase ?? c.base;
    expect(r.headers.get('location')).toBe(`${base}/Users/${body.id}`);
    expect(body.meta.location).toBe(`${base}/Users/${body.id}`);
  });
});
