import { gqlOk, type Json } from '../../support/graphql.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * docs/architecture.md#provisioning-policies across both doors: a connection's login-name policy, set through GraphQL, applies to
 * users its identity provider creates through SCIM, and GraphQL shows and filters by the result.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

it('derives login names from SCIM userNames under a localPart/suffix policy, and names the managing connection', async () => {
  const { createTenant } = await gqlOk(h, 'mutation { createTenant(input: {name: "Login names"}) { tenant { id } } }');
  const tenantId = createTenant.tenant.id as string;
  const { createScimConnection } = await gqlOk(
    h,
    `mutation($tenantId: ID!) { createScimConnection(input: {tenantId: $tenantId, name: "Entra", policies: {loginName: LOCAL_PART, onLoginNameCollision: SUFFIX}}) {
       connection { policies { loginName onLoginNameCollision } } token } }`,
    { tenantId },
  );
  expect(createScimConnection.connection.policies).toEqual({ loginName: 'LOCAL_PART', onLoginNameCollision: 'SUFFIX' });

  for (const userName of ['dana@contoso.com', 'Dana@fabrikam.com']) {
    const res = await fetch(`${h.baseUrl}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${createScimConnection.token as string}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Json).userName).toBe(userName);
  }

  const data = await gqlOk(
    h,
    `query($tenantId: ID!) { tenant(id: $tenantId) {
       all: users(orderBy: {field: LOGIN_NAME}) { nodes { userName loginName managedByConnection { name } } }
       one: users(filter: {loginName: {eq: "DANA1"}}) { nodes { userName } } } }`,
    { tenantId },
  );
  expect(data.tenant.all.nodes).toEqual([
    { userName: 'dana@contoso.com', loginName: 'dana', managedByConnection: { name: 'Entra' } },
    { userName: 'Dana@fabrikam.com', loginName: 'Dana1', managedByConnection: { name: 'Entra' } },
  ]);
  expect(data.tenant.one.nodes).toEqual([{ userName: 'Dana@fabrikam.com' }]);
});
