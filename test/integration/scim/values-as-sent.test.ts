import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliIn } from '../../support/cli.js';
import { gqlOk, type Json } from '../../support/graphql.js';
import { scimSuite, scimTenant } from '../../support/harness.js';
import { ENTERPRISE, patchBody, USER_SCHEMA } from '../../support/scim.js';

/**
 * Values as sent (docs/architecture.md#values-as-sent): primary false is not absent, a manager may be any
 * identifier, an extension URN removes the whole extension; through SCIM, GraphQL, export and import.
 */
const app = scimSuite();
const CUSTOM = 'urn:example:params:scim:schemas:extension:badge:2.0:User';

const userQuery = `query($id: ID!) { tenant { user(id: $id) { emails { value primary } addresses { type primary } phoneNumbers { value primary }
  enterprise { department managerValue manager { id userName } } } } }`;
async function graphqlUser(id: string): Promise<Json> {
  const key = (await app.h.services.apiKeys.create({ type: 'system' }, { tenantId: app.c.ctx.tenantId, name: `read-${id}`, role: 'readOnly' })).secret;
  return (await gqlOk(app.h, userQuery, { id }, key)).tenant.user;
}

describe('primary: true, false and absent each come back as sent', () => {
  it('through SCIM create, replace and PATCH, and GraphQL reads false as false and absent as null', async () => {
    const emails = [{ value: 'p1@example.com', type: 'work', primary: true }, { value: 'p2@example.com', type: 'home', primary: false }, { value: 'p3@example.com', type: 'other' }];
    const created = await app.c.post('/Users', { schemas: [USER_SCHEMA], userName: 'primary@example.com', emails, addresses: [{ type: 'work', locality: 'Leeds', primary: false }] });
    expect(created.status).toBe(201);
    expect(created.body.emails).toStrictEqual(emails);
    expect(created.body.addresses).toStrictEqual([{ type: 'work', locality: 'Leeds', primary: false }]);
    expect(await graphqlUser(created.body.id)).toMatchObject({
      emails: [{ value: 'p1@example.com', primary: true }, { value: 'p2@example.com', primary: false }, { value: 'p3@example.com', primary: null }],
      addresses: [{ type: 'work', primary: false }],
    });

    const replaced = await app.c.put(`/Users/${created.body.id}`, { schemas: [USER_SCHEMA], userName: 'primary@example.com', phoneNumbers: [{ value: '1', primary: false }, { value: '2' }] });
    expect(replaced.body.phoneNumbers).toStrictEqual([{ value: '1', primary: false }, { value: '2' }]);
    expect(replaced.body).not.toHaveProperty('emails');

    // Entra's default dialect sends "False"; it is stored as false, not dropped.
    const patched = await app.c.patch(`/Users/${created.body.id}`, patchBody({ op: 'Add', path: 'emails', value: [{ value: 'p4@example.com', type: 'work', primary: 'False' }] }));
    expect(patched.status).toBe(200);
    expect(patched.body.emails).toStrictEqual([{ value: 'p4@example.com', type: 'work', primary: false }]);
    expect((await app.c.get(`/Users/${created.body.id}?attributes=emails`)).body.emails).toStrictEqual([{ value: 'p4@example.com', type: 'work', primary: false }]);
    expect((await app.c.get(`/Users?filter=${encodeURIComponent('emails[primary eq false]')}`)).body.Resources.map((u: Json) => u.userName)).toContain('primary@example.com');
  });

  it('GraphQL writes false, true and null apart', async () => {
    const { createUser } = await gqlOk(
      app.h,
      `mutation($t: ID!) { createUser(input: { tenantId: $t, userName: "gql-primary@example.com", emails: [{ value: "a@x", primary: true }, { value: "b@x", primary: false }, { value: "c@x" }] }) { user { id emails { value primary } } } }`,
      { t: app.c.ctx.tenantId },
    );
    expect(createUser.user.emails).toEqual([{ value: 'a@x', primary: true }, { value: 'b@x', primary: false }, { value: 'c@x', primary: null }]);
    const scim = await app.c.get(`/Users/${createUser.user.id}`);
    expect(scim.body.emails).toStrictEqual([{ value: 'a@x', primary: true }, { value: 'b@x', primary: false }, { value: 'c@x' }]);
  });
});

describe('a manager named by something other than a Roster id', () => {
  it('is stored and returned as sent; GraphQL resolves manager only for a user of the tenant and shows the value as sent', async () => {
    const boss = await app.c.post('/Users', { schemas: [USER_SCHEMA], userName: 'boss@example.com' });
    const okta = await app.c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'okta-report@example.com', [ENTERPRISE]: { manager: { value: 'E-10042', displayName: 'The Boss' } } });
    expect(okta.status).toBe(201);
    expect(okta.body[ENTERPRISE]).toStrictEqual({ manager: { value: 'E-10042' } });
    expect((await app.c.get(`/Users/${okta.body.id}`)).body[ENTERPRISE]).toStrictEqual({ manager: { value: 'E-10042' } });
    expect(await graphqlUser(okta.body.id)).toMatchObject({ enterprise: { managerValue: 'E-10042', manager: null } });

    // Microsoft's reference client: a login name, as a bare string in PATCH.
    const ms = await app.c.patch(`/Users/${okta.body.id}`, patchBody({ op: 'replace', path: `${ENTERPRISE}:manager`, value: 'Boss@Example.com' }));
    expect(ms.status).toBe(200);
    expect(ms.body[ENTERPRISE]).toStrictEqual({ manager: { value: 'Boss@Example.com' } });
    expect((await graphqlUser(okta.body.id)).enterprise).toEqual({ department: null, managerValue: 'Boss@Example.com', manager: null });
    const byValue = await app.c.get(`/Users?filter=${encodeURIComponent(`${ENTERPRISE}:manager.value eq "Boss@Example.com"`)}`);
    expect(byValue.body.Resources.map((u: Json) => u.id)).toEqual([okta.body.id]);

    // A Roster id of the tenant resolves.
    await app.c.patch(`/Users/${okta.body.id}`, patchBody({ op: 'replace', path: `${ENTERPRISE}:manager`, value: boss.body.id }));
    expect((await graphqlUser(okta.body.id)).enterprise).toEqual({ department: null, managerValue: boss.body.id, manager: { id: boss.body.id, userName: 'boss@example.com' } });

    // The id of a user of another tenant does not.
    const other = await scimTenant(app.h, 'other');
    const stranger = await other.post('/Users', { schemas: [USER_SCHEMA], userName: 'stranger@example.com' });
    await app.c.patch(`/Users/${okta.body.id}`, patchBody({ op: 'replace', path: `${ENTERPRISE}:manager`, value: stranger.body.id }));
    expect((await graphqlUser(okta.body.id)).enterprise).toEqual({ department: null, managerValue: stranger.body.id, manager: null });
  });
});

describe('PATCH remove with a whole extension URN as the path', () => {
  it('clears the enterprise extension, and an extension kept as sent; the other attributes stay', async () => {
    const u = await app.c.post('/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE, CUSTOM],
      userName: 'urn-remove@example.com',
      title: 'Keeps',
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '7', manager: { value: 'E-1' } },
      [CUSTOM]: { badge: 'B-1' },
    });
    const r = await app.c.patch(`/Users/${u.body.id}`, patchBody({ op: 'remove', path: ENTERPRISE }));
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty(ENTERPRISE);
    expect(r.body.schemas).not.toContain(ENTERPRISE);
    expect(r.body).toMatchObject({ title: 'Keeps', [CUSTOM]: { badge: 'B-1' } });
    expect(await graphqlUser(u.body.id)).toMatchObject({ enterprise: { department: null, managerValue: null } });

    const custom = await app.c.patch(`/Users/${u.body.id}`, patchBody({ op: 'Remove', path: CUSTOM }));
    expect(custom.status).toBe(200);
    expect(custom.body).not.toHaveProperty(CUSTOM);
    const read = await app.c.get(`/Users/${u.body.id}`);
    expect(read.body.schemas).toEqual([USER_SCHEMA]);
    expect(read.body.title).toBe('Keeps');

    // Removing an extension the user does not have changes nothing (no new version).
    const again = await app.c.patch(`/Users/${u.body.id}`, patchBody({ op: 'remove', path: ENTERPRISE }));
    expect(again.status).toBe(200);
    expect(again.body.meta.version).toBe(read.body.meta.version);
  });

  it('add and replace with the URN as the path set the attributes of the value', async () => {
    const u = await app.c.post('/Users', { schemas: [USER_SCHEMA], userName: 'urn-replace@example.com' });
    const r = await app.c.patch(`/Users/${u.body.id}`, patchBody({ op: 'replace', path: ENTERPRISE, value: { department: 'Ops', manager: { value: 'E-9' } } }));
    expect(r.status).toBe(200);
    expect(r.body[ENTERPRISE]).toStrictEqual({ department: 'Ops', manager: { value: 'E-9' } });
    const bad = await app.c.patch(`/Users/${u.body.id}`, patchBody({ op: 'add', path: ENTERPRISE, value: 'Ops' }));
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
  });
});

describe('export and import', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'roster-values-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('carry primary false and a manager that is not an id unchanged into another tenant', async () => {
    const source = await scimTenant(app.h, 'export-source');
    const sent = {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'moved@example.com',
      emails: [{ value: 'moved@example.com', type: 'work', primary: true }, { value: 'moved@home.example', type: 'home', primary: false }, { value: 'x@y' }],
      [ENTERPRISE]: { manager: { value: 'E-77' } },
    };
    expect((await source.post('/Users', sent)).status).toBe(201);
    const out = path.join(dir, 'users.jsonl');
    expect((await runCliIn(app.h.db.url, ['users', 'export', '--tenant', source.ctx.tenantId, '--out', out])).code).toBe(0);
    const line = JSON.parse((await readFile(out, 'utf8')).trim()) as Json;
    expect(line.emails).toStrictEqual(sent.emails);
    expect(line[ENTERPRISE]).toStrictEqual({ manager: { value: 'E-77' } });

    const target = await scimTenant(app.h, 'import-target');
    await writeFile(out, `${JSON.stringify(line)}\n`);
    const imported = await runCliIn(app.h.db.url, ['users', 'import', '--tenant', target.ctx.tenantId, out]);
    expect(imported.code).toBe(0);
    const found = await target.get(`/Users?filter=${encodeURIComponent('userName eq "moved@example.com"')}`);
    expect(found.body.Resources[0].emails).toStrictEqual(sent.emails);
    expect(found.body.Resources[0][ENTERPRISE]).toStrictEqual({ manager: { value: 'E-77' } });
  });
});
