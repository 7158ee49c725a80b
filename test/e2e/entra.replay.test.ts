import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { v7 as uuidv7 } from 'uuid';
import { systemActor } from '../../src/domain/context.js';
import { buildServices } from '../../src/composition/services.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { send, type ScimReply } from '../support/scim.js';

/**
 * Replays the conversation Microsoft Entra ID has with a SCIM server (docs/entra.md#the-conversation) against the real
 * server process, in both PATCH dialects, with Entra's request bodies as fixtures.
 */

type Json = Record<string, unknown>;
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Json;
const CREATE = fixture('entra.create.json');
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Fills {{name}} placeholders; a string that is only "{{members}}" becomes that value. */
function fill(v: unknown, vars: Record<string, unknown>): unknown {
  if (typeof v === 'string') {
    const whole = /^\{\{(\w+)\}\}$/.exec(v);
    if (whole && typeof vars[whole[1]!] !== 'string') return vars[whole[1]!];
    return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k]));
  }
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)]));
  return v;
}

let db: TestDatabase;
let server: ChildProcess;
let baseUrl: string;
let token: string;
/** A second Entra directory of the same tenant, and a connection that deprovisions like Tealium. */
let secondToken: string;
let tealiumToken: string;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const services = buildServices(db.orm);
  const tenant = await services.tenants.create(systemActor, 'Contoso');
  const ctx = { tenantId: tenant.id, actor: systemActor, requestId: null };
  ({ token } = await services.connections.create(ctx, 'Entra ID'));
  ({ token: secondToken } = await services.connections.create(ctx, 'Entra ID, second directory'));
  ({ token: tealiumToken } = await services.connections.create(ctx, 'Tealium', { onDelete: 'deactivate', matchBy: ['userName', 'anyEmail'] }));

  server = spawn(process.execPath, [new URL('../../dist/src/main.js', import.meta.url).pathname], {
    env: { ...process.env, DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stderr!.on('data', (d: Buffer) => logLines.push(String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${logLines.join('')}`)), 30_000);
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${logLines.join('')}`)));
    createInterface({ input: server.stdout! }).on('line', (line) => {
      logLines.push(line);
      try {
        const msg = JSON.parse(line) as { msg?: string; port?: number };
        if (msg.msg === 'listening' && msg.port) {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {
        // not a log line
      }
    });
  });
  baseUrl = `http://127.0.0.1:${port}/scim/v2`;
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await db?.drop();
});

describe.each(['entra.default.json', 'entra.aadOptscim062020.json'])('Entra ID provisioning, %s', (file) => {
  const d = fixture(file);
  const q = (path: string) => `${baseUrl}${path}${d.query ? `${path.includes('?') ? '&' : '?'}${String(d.query)}` : ''}`;
  const call = (method: string, path: string, body?: unknown): Promise<ScimReply> => send(q(path), method, token, body);
  const tag = randomUUID().slice(0, 8);
  const userName = `Test_User_${tag}@contoso.com`;
  const vars: Record<string, unknown> = { userName, externalId: randomUUID() };
  let userId = '';
  let managerValue = '';
  let groupId = '';
  const memberIds: string[] = [];

  const expectScim = (r: ScimReply, status: number) => {
    expect({ status: r.status, body: r.body }).toMatchObject({ status });
    if (r.text) expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  };

  it('1. test connection: random userName and displayName queries answer 200 with an empty ListResponse', async () => {
    const u = await call('GET', `/Users?filter=userName+eq+%22${randomUUID()}%22`);
    expectScim(u, 200);
    expect(u.body).toMatchObject({ totalResults: 0, Resources: [] });
    const g = await call('GET', `/Groups?excludedAttributes=members&filter=displayName+eq+%22${randomUUID()}%22`);
    expectScim(g, 200);
    expect(g.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('2. matching query finds nobody, POST creates, and the same query then matches exactly one', async () => {
    expect((await call('GET', `/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`)).body.totalResults).toBe(0);
    const sent = fill(CREATE.user, vars) as Json;
    const r = await call('POST', '/Users', sent);
    expectScim(r, 201);
    userId = r.body.id;
    expect(r.headers.get('location')).toBe(`${baseUrl}/Users/${userId}`);
    const { meta: _m, schemas: _s, roles: _r, ...stored } = sent;
    expect(r.body).toMatchObject(stored);
    for (const filter of [`userName eq "${userName.toUpperCase()}"`, `externalId eq "${String(vars.externalId)}"`, `emails[type eq "work"].value eq "${userName}"`]) {
      const m = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(m.body.totalResults).toBe(1);
      expect(m.body.Resources[0].id).toBe(userId);
    }
    const mgr = await call('POST', '/Users', fill(CREATE.user, { userName: `Manager_${tag}@contoso.com`, externalId: randomUUID() }));
    expectScim(mgr, 201);
    managerValue = mgr.body.id;
  });

  it('3. GET then PATCH with only the changed attributes; Roster returns exactly what was sent', async () => {
    expectScim(await call('GET', `/Users/${userId}`), 200);
    const r = await call('PATCH', `/Users/${userId}`, fill(d.update, vars));
    expectScim(r, 200);
    expect(r.body).toMatchObject(fill(d.expectAfterUpdate, vars) as Json);
    expect((await call('GET', `/Users/${userId}`)).body).toEqual(r.body);
  });

  it('4. manager: set to a user not yet provisioned, changed, cleared', async () => {
    const ghost = uuidv7();
    let r = await call('PATCH', `/Users/${userId}`, fill(d.setManager, { managerValue: ghost }));
    expectScim(r, 200);
    expect(r.body[ENTERPRISE].manager).toEqual({ value: ghost });
    r = await call('PATCH', `/Users/${userId}`, fill(d.changeManager, { managerValue }));
    expect(r.body[ENTERPRISE].manager).toEqual({ value: managerValue });
    expect((await call('GET', `/Users?filter=${encodeURIComponent(`${ENTERPRISE}:manager.value eq "${managerValue}"`)}`)).body.totalResults).toBe(1);
    r = await call('PATCH', `/Users/${userId}`, d.clearManager);
    expectScim(r, 200);
    expect(r.body[ENTERPRISE].manager).toBeUndefined();
    expect(r.body[ENTERPRISE].department).toBe('Sales');
  });

  it('5. groups: query, create empty, 100 members in one PATCH, removal, rename', async () => {
    const displayName = `Group_${tag}`;
    expect((await call('GET', `/Groups?excludedAttributes=members&filter=displayName+eq+%22${displayName}%22`)).body.totalResults).toBe(0);
    const g = await call('POST', '/Groups', fill(CREATE.group, { displayName, externalId: randomUUID() }));
    expectScim(g, 201);
    groupId = g.body.id;
    memberIds.push(userId);
    for (let i = 1; i < 100; i += 1) {
      const u = await call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `m${i}_${tag}@contoso.com`, active: true });
      expectScim(u, 201);
      memberIds.push(u.body.id);
    }
    const add = await call('PATCH', `/Groups/${groupId}`, fill(d.addMembers, { members: memberIds.map((value) => ({ $ref: null, value })) }));
    expectScim(add, 204);
    let read = await call('GET', `/Groups/${groupId}`);
    expect(read.body.members).toHaveLength(100);
    const rm = await call('PATCH', `/Groups/${groupId}`, fill(d.removeMember, { memberId: memberIds[99] }));
    expectScim(rm, 204);
    const rename = await call('PATCH', `/Groups/${groupId}`, fill(d.rename, { groupId, displayName: `${displayName}_renamed` }));
    expectScim(rename, 204);
    read = await call('GET', `/Groups?excludedAttributes=members&filter=displayName+eq+%22${displayName}_renamed%22`);
    expect(read.body.totalResults).toBe(1);
    expect(read.body.Resources[0]).not.toHaveProperty('members');
    expect((await call('GET', `/Groups/${groupId}`)).body.members).toHaveLength(99);
  });

  it('6. disable keeps the user readable with active false and its memberships; re-enable restores it', async () => {
    const off = await call('PATCH', `/Users/${userId}`, d.disable);
    expectScim(off, 200);
    expect(off.body.active).toBe(false);
    const byId = await call('GET', `/Users/${userId}`);
    expect(byId.body).toMatchObject({ active: false, groups: [{ value: groupId }] });
    const byFilter = await call('GET', `/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`);
    expect(byFilter.body.Resources[0].active).toBe(false);
    const on = await call('PATCH', `/Users/${userId}`, d.enable);
    expect(on.body).toMatchObject({ active: true, groups: [{ value: groupId }] });
  });

  it('7. hard delete: 204, then GET 404 and DELETE 404, for a user and a group', async () => {
    for (const path of [`/Users/${userId}`, `/Groups/${groupId}`]) {
      expectScim(await call('DELETE', path), 204);
      expectScim(await call('GET', path), 404);
      const again = await call('DELETE', path);
      expectScim(again, 404);
      expect(again.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    }
  });

  it('8. the server logged neither the token nor personal data', () => {
    const logs = logLines.join('\n');
    expect(logs).toContain('"msg":"request"');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(tag);
  });
});

/** Tealium (docs/entra.md#vendor-behaviours): deleting in the identity provider deprovisions; re-adding brings back the same user with its groups. */
describe('Tealium-style deprovision and reprovision', () => {
  const call = (method: string, path: string, body?: unknown): Promise<ScimReply> => send(`${baseUrl}${path}`, method, tealiumToken, body);
  const tag = randomUUID().slice(0, 8);
  const userName = `Teal_${tag}@contoso.com`;
  const byName = `/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`;
  const minimal = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, displayName: 'Teal User', name: { givenName: 'Teal', familyName: 'User' }, externalId: `teal${tag}` };
  let userId = '';
  let groupId = '';

  it('1. creates the user from the minimal mapping and puts it in a group', async () => {
    expect((await call('GET', byName)).body.totalResults).toBe(0);
    const u = await call('POST', '/Users', minimal);
    expect(u.status).toBe(201);
    userId = u.body.id;
    const g = await call('POST', '/Groups', fill(CREATE.group, { displayName: `Teal_Group_${tag}`, externalId: randomUUID() }));
    expect(g.status).toBe(201);
    groupId = g.body.id;
    expect((await call('PATCH', `/Groups/${groupId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] })).status).toBe(204);
  });

  it('2. DELETE answers 204 and the user is gone for SCIM: 404 by id, no hit by filter, 404 on a second DELETE', async () => {
    expect((await call('DELETE', `/Users/${userId}`)).status).toBe(204);
    expect((await call('GET', `/Users/${userId}`)).status).toBe(404);
    const q = await call('GET', byName);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await call('DELETE', `/Users/${userId}`)).status).toBe(404);
  });

  it('3. the next cycle queries, finds nobody, POSTs: 201 with the same id, active, with its group', async () => {
    expect((await call('GET', byName)).body.totalResults).toBe(0);
    const back = await call('POST', '/Users', minimal);
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ id: userId, userName, active: true, displayName: 'Teal User' });
    expect((await call('GET', `/Users/${userId}`)).body.groups.map((g: { value: string }) => g.value)).toEqual([groupId]);
    expect((await call('GET', `/Groups/${groupId}`)).body.members.map((m: { value: string }) => m.value)).toEqual([userId]);
    expect((await call('GET', byName)).body.totalResults).toBe(1);
  });
});

/** Trust Login (docs/entra.md#vendor-behaviours): two directories provision one tenant, each a source of its own. */
describe('two connections of one tenant', () => {
  const as = (t: () => string) => (method: string, path: string, body?: unknown): Promise<ScimReply> => send(`${baseUrl}${path}`, method, t(), body);
  const first = as(() => token);
  const second = as(() => secondToken);
  const tag = randomUUID().slice(0, 8);
  const userName = `Two_${tag}@contoso.com`;
  const byName = `/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`;
  let userId = '';

  it('1. the first directory creates a user the second one cannot find, read or change', async () => {
    expect((await first('GET', byName)).body.totalResults).toBe(0);
    const u = await first('POST', '/Users', fill(CREATE.user, { userName, externalId: randomUUID() }));
    expect(u.status).toBe(201);
    userId = u.body.id;
    expect((await first('GET', byName)).body.totalResults).toBe(1);
    const q = await second('GET', byName);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await second('GET', `/Users/${userId}`)).status).toBe(404);
    expect((await second('PATCH', `/Users/${userId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] })).status).toBe(404);
    expect((await second('DELETE', `/Users/${userId}`)).status).toBe(404);
  });

  it('2. the second directory\'s create of the same person answers 409 uniqueness saying another source manages it', async () => {
    const r = await second('POST', '/Users', fill(CREATE.user, { userName, externalId: randomUUID() }));
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.stringContaining('another source') });
    expect(r.body.detail).not.toContain(userName);
  });

  it('3. each directory counts only its own users and the unowned ones', async () => {
    const own = await second('POST', '/Users', fill(CREATE.user, { userName: `Second_${tag}@contoso.com`, externalId: randomUUID() }));
    expect(own.status).toBe(201);
    const listed = await second('GET', '/Users?count=1000');
    const ids = listed.body.Resources.map((r: { id: string }) => r.id);
    expect(ids).toContain(own.body.id);
    expect(ids).not.toContain(userId);
    expect(listed.body.totalResults).toBe(ids.length);
    expect((await first('GET', `/Users/${own.body.id}`)).status).toBe(404);
  });
});
