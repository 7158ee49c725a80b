import { Writable } from 'node:stream';
import { runCli } from '../../../src/cli/main.js';
import { runCliIn } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { buildServices } from '../../../src/composition/services.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const cli = (...args: string[]) => runCliIn(db.url, args);
const json = async (...args: string[]) => {
  const r = await cli('--json', ...args);
  expect(r).toMatchObject({ code: 0, err: '' });
  return JSON.parse(r.out) as Record<string, string>;
};
const services = () => buildServices(db.orm);

describe('roster command line', () => {
  it.each([[[]], [['tenant']], [['tenant', 'create']], [['connection', 'create']], [['connection', 'rotate']], [['connection', 'list']], [['apikey', 'create']], [['apikey', 'revoke']], [['migrate']]])(
    'explains %j with --help',
    async (args) => {
      const r = await cli(...args, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: roster/m);
    },
  );

  it('creates a tenant and a SCIM connection whose token works; rotation stops the old one at once', async () => {
    const tenant = await json('tenant', 'create', '--name', 'Acme');
    expect(tenant.id).toMatch(/^[0-9a-f-]{36}$/);
    const conn = await json('connection', 'create', '--tenant', tenant.id!, '--name', 'Entra ID');
    expect(conn.token).toMatch(/^roster_scim_/);
    const s = services();
    expect((await s.connections.authenticate(conn.token!)).connection.tenantId).toBe(tenant.id);

    const rotated = await json('connection', 'rotate', '--tenant', tenant.id!, '--id', conn.id!);
    expect(rotated.token).not.toBe(conn.token);
    await expect(s.connections.authenticate(conn.token!)).rejects.toThrow(/rotated/);
    expect((await s.connections.authenticate(rotated.token!)).connection.id).toBe(conn.id);

    const listed = await cli('connection', 'list', '--tenant', tenant.id!);
    expect(listed.out).toContain(conn.id);
    expect(listed.out).not.toContain('roster_scim_');
  });

  it('creates a connection whose SCIM deletes deprovision with --on-delete deactivate, and refuses other values', async () => {
    const tenant = await json('tenant', 'create', '--name', 'Tealium');
    const conn = await json('connection', 'create', '--tenant', tenant.id!, '--name', 'tealium', '--on-delete', 'deactivate');
    const s = services();
    expect((await s.connections.authenticate(conn.token!)).connection.policies.onDelete).toBe('deactivate');
    const plain = await json('connection', 'create', '--tenant', tenant.id!, '--name', 'entra');
    expect((await s.connections.authenticate(plain.token!)).connection.policies.onDelete).toBe('delete');
    const bad = await cli('connection', 'create', '--tenant', tenant.id!, '--name', 'x', '--on-delete', 'archive');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--on-delete/);
  });

  it('prints the token in the human output once, with a warning to store it', async () => {
    const tenant = await json('tenant', 'create', '--name', 'Human');
    const r = await cli('connection', 'create', '--tenant', tenant.id!, '--name', 'idp');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/shown once/);
    expect(r.out.match(/roster_scim_\S+/g)).toHaveLength(1);
  });

  it('creates platform-wide and tenant-scoped API keys that authenticate, and revokes them', async () => {
    const tenant = await json('tenant', 'create', '--name', 'Keys');
    const platform = await json('apikey', 'create', '--name', 'ops');
    const scoped = await json('apikey', 'create', '--name', 'app', '--tenant', tenant.id!, '--role', 'readOnly');
    const s = services();
    expect((await s.apiKeys.authenticate(platform.secret!)).apiKey).toMatchObject({ tenantId: null, role: 'admin' });
    expect((await s.apiKeys.authenticate(scoped.secret!)).apiKey).toMatchObject({ tenantId: tenant.id, role: 'readOnly' });
    expect((await cli('apikey', 'revoke', '--id', scoped.id!)).code).toBe(0);
    await expect(s.apiKeys.authenticate(scoped.secret!)).rejects.toThrow(/revoked/);
  });

  it('explains bad input and exits non-zero', async () => {
    const missing = await cli('tenant', 'create');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("required option '--name <name>'");
    const badRole = await cli('apikey', 'create', '--name', 'x', '--role', 'root');
    expect(badRole.code).toBe(2);
    expect(badRole.err).toMatch(/Allowed choices are admin, readOnly/);
    await json('tenant', 'create', '--name', 'Twice');
    const dup = await cli('tenant', 'create', '--name', 'twice');
    expect(dup).toMatchObject({ code: 1, err: 'error (CONFLICT): a tenant with this name already exists\n' });
    const unknown = await cli('connection', 'rotate', '--tenant', '01900000-0000-7000-8000-000000000000', '--id', '01900000-0000-7000-8000-000000000001');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/NOT_FOUND/);
  });

  it('reports configuration errors by variable', async () => {
    const r = await runCli(['tenant', 'list'], { stdout: process.stdout, stderr: new Writable({ write: (_c, _e, cb) => cb() }), env: { DATABASE_URL: 'mysql://nope' } });
    expect(r).toBe(2);
  });
});
