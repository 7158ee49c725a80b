import { gql, gqlOk, tenantWithKeys, type Json } from '../../support/graphql.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { ENTERPRISE, patchBody, send, USER_SCHEMA } from '../../support/scim.js';

/**
 * The provisioning log (docs/architecture.md#audit-events): what one identity provider did, and why what it
 * tried failed, read through GraphQL, with no request value in it but the userName of a failed create.
 */
let h: Harness;
let t: { id: string; adminKey: string; readKey: string };
let entra: { id: string; token: string };
let okta: { id: string; token: string };
const scim = (token: string, method: string, path: string, body?: unknown) => send(`${h.baseUrl}/scim/v2${path}`, method, token, body);

const LOG = `query($f: AuditEventFilter, $first: Int, $after: String, $last: Int, $before: String) { tenant {
  auditEvents(filter: $f, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id action outcome actorId resourceId errorCode errorDetail userName changes } } } }`;
const log = async (vars: Json): Promise<Json> => (await gqlOk(h, LOG, vars, t.readKey)).tenant.auditEvents;

const SECRET = 'do-not-log-this-value-7f3a';

beforeAll(async () => {
  h = await startHarness();
  t = await tenantWithKeys(h, 'provisioning-log');
  const mk = async (name: string) => {
    const d = await gqlOk(h, `mutation($t: ID!, $n: String!) { createScimConnection(input: { tenantId: $t, name: $n }) { connection { id } token } }`, { t: t.id, n: name });
    return { id: d.createScimConnection.connection.id as string, token: d.createScimConnection.token as string };
  };
  entra = await mk('entra');
  okta = await mk('okta');
  // Entra: two users, then failures of several kinds. Okta: one user.
  const ada = await scim(entra.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'ada@example.com' });
  await scim(entra.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'grace@example.com' });
  expect((await scim(entra.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'ADA@example.com', title: SECRET })).status).toBe(409);
  expect((await scim(entra.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'bad@example.com', emails: [{ value: SECRET, primary: true }, { value: `${SECRET}2`, primary: true }] })).status).toBe(400);
  expect((await scim(entra.token, 'PATCH', `/Users/${ada.body.id}`, patchBody({ op: 'replace', path: `emails[value eq "${SECRET}"].nope`, value: SECRET }))).status).toBe(400);
  expect((await scim(entra.token, 'PATCH', `/Users/${ada.body.id}`, patchBody({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: [SECRET] } }))).status).toBe(400);
  await scim(okta.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'okta-user@example.com' });
});
afterAll(async () => {
  await h.close();
});

describe('the provisioning log', () => {
  it('filters by connection and outcome, and counts what it filters', async () => {
    const failures = await log({ f: { connectionId: entra.id, outcome: 'FAILURE' } });
    expect(failures.totalCount).toBe(4);
    expect(failures.nodes.every((e: Json) => e.outcome === 'FAILURE' && e.actorId === entra.id)).toBe(true);
    const successes = await log({ f: { connectionId: entra.id, outcome: 'SUCCESS' } });
    expect(successes.totalCount).toBe(2);
    expect(successes.nodes.map((e: Json) => e.action)).toEqual(['user.create', 'user.create']);
    expect(successes.nodes.every((e: Json) => e.errorCode === null && e.errorDetail === null && e.userName === null)).toBe(true);
    const oktaAll = await log({ f: { connectionId: okta.id } });
    expect(oktaAll.totalCount).toBe(1);
    // connectionId is actorType CONNECTION with that actorId.
    expect((await log({ f: { actorType: 'CONNECTION', actorId: okta.id } })).nodes).toEqual(oktaAll.nodes);
    const clash = await gql(h, LOG, { f: { connectionId: okta.id, actorId: entra.id } }, t.readKey);
    expect(clash.code).toBe('BAD_USER_INPUT');
  });

  it('gives each failure its error code and a detail without request values; a failed create names its userName', async () => {
    const { nodes } = await log({ f: { connectionId: entra.id, outcome: 'FAILURE' } });
    // Newest first.
    expect(nodes.map((e: Json) => [e.action, e.errorCode])).toEqual([
      ['user.update', 'INVALID_VALUE'],
      ['user.update', 'INVALID_PATH'],
      ['user.create', 'INVALID_VALUE'],
      ['user.create', 'CONFLICT'],
    ]);
    const [badManager, badPath, badCreate, conflict] = nodes as Json[];
    expect(conflict).toMatchObject({ userName: 'ADA@example.com', resourceId: '00000000-0000-0000-0000-000000000000', errorDetail: expect.stringMatching(/taken/) });
    expect(badCreate).toMatchObject({ userName: 'bad@example.com', errorDetail: expect.stringContaining('(at emails)') });
    expect(badPath!.userName).toBeNull();
    expect(badManager!.userName).toBeNull();
    for (const e of nodes as Json[]) {
      expect(e.errorDetail).toEqual(expect.any(String));
      expect(JSON.stringify(e)).not.toContain(SECRET);
    }
  });

  it('pages forward and backward over the same events', async () => {
    const all = (await log({ first: 50 })).nodes.map((e: Json) => e.id);
    expect(all.length).toBeGreaterThanOrEqual(9);
    const first = await log({ first: 3 });
    expect(first.nodes.map((e: Json) => e.id)).toEqual(all.slice(0, 3));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await log({ first: 3, after: first.pageInfo.endCursor });
    expect(second.nodes.map((e: Json) => e.id)).toEqual(all.slice(3, 6));
    // Back from the second page: the three before it, still newest first.
    const back = await log({ last: 3, before: second.pageInfo.startCursor });
    expect(back.nodes.map((e: Json) => e.id)).toEqual(all.slice(0, 3));
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    const back2 = await log({ last: 2, before: second.pageInfo.startCursor });
    expect(back2.nodes.map((e: Json) => e.id)).toEqual(all.slice(1, 3));
    expect(back2.pageInfo.hasPreviousPage).toBe(true);
    // The oldest events: last without a cursor.
    const oldest = await log({ last: 2 });
    expect(oldest.nodes.map((e: Json) => e.id)).toEqual(all.slice(-2));
    expect(oldest.totalCount).toBe(all.length);
  });

  it('refuses a filter value that cannot be stored, or that is not an id where one belongs, with BAD_USER_INPUT naming the filter field', async () => {
    const cases: [Json, string][] = [
      [{ resourceType: 'User\u0000' }, 'resourceType'],
      [{ action: 'user.\ud800create' }, 'action'],
      [{ resourceId: 'not-an-id' }, 'resourceId'],
      [{ actorId: 'not-an-id' }, 'actorId'],
      [{ connectionId: 'not-an-id' }, 'connectionId'],
    ];
    for (const [f, field] of cases) {
      const r = await gql(h, LOG, { f }, t.readKey);
      expect({ f, code: r.code, fields: r.errors?.[0]?.extensions?.fields }).toEqual({ f, code: 'BAD_USER_INPUT', fields: [field] });
      expect(r.errors![0]!.message).toContain(field);
    }
  });

  it("is the tenant's own: another tenant's key reads none of it", async () => {
    const other = await tenantWithKeys(h, 'provisioning-log-other');
    const r = await gql(h, `query($t: ID!) { tenant(id: $t) { auditEvents(filter: { connectionId: "${entra.id}" }) { totalCount nodes { id } } } }`, { t: t.id }, other.readKey);
    expect(JSON.stringify(r.data ?? null)).not.toContain(entra.id);
    const own = await gqlOk(h, `{ tenant { auditEvents(filter: { connectionId: "${entra.id}" }) { totalCount } } }`, {}, other.readKey);
    expect(own.tenant.auditEvents.totalCount).toBe(0);
  });
});
