import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { link, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { failure, runCli } from '../../../src/cli/main.js';
import { runCliIn } from '../../support/cli.js';
import { CLI } from '../../support/server-process.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { buildServices } from '../../../src/composition/services.js';
import { systemActor } from '../../../src/domain/context.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const cli = (...args: string[]) => runCliIn(db.url, args);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON output of each command has its own shape
const json = async (...args: string[]): Promise<any> => {
  const r = await cli('--json', ...args);
  expect(r).toMatchObject({ code: 0, err: '' });
  return JSON.parse(r.out);
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

  it('reports a PostgreSQL error by its SQLSTATE, and an operating system error as such, with its path', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const fromPg: unknown = await client.query('select 1 / 0').catch((e: unknown) => e);
    await client.end();
    expect(failure(fromPg)).toBe('the database failed the command (SQLSTATE 22012)');
    const throughOrm: unknown = await db.orm.em.fork().execute('select 1 / 0').catch((e: unknown) => e);
    expect(failure(throughOrm)).toBe('the database failed the command (SQLSTATE 22012)');
    // A hard link to a directory: EPERM, five capital letters like an SQLSTATE.
    const dir = await mkdtemp(path.join(tmpdir(), 'roster-cli-'));
    const fromOs: unknown = await link(dir, `${dir}-link`).catch((e: unknown) => e);
    await rm(dir, { recursive: true });
    expect(failure(fromOs)).toBe(`${dir}: operation not permitted (EPERM)`);
  });

  it('reports a stdout it cannot write to (a full disk) as a failure, rather than losing the output silently', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['tenant', 'create', '--name', 'Lost on a full disk'], ['tenant', 'list']]) {
        const proc = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, LOG_LEVEL: 'silent' }, stdio: ['ignore', full, 'pipe'] });
        let err = '';
        proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
        const code = await new Promise((resolve) => proc.on('close', resolve));
        expect({ args, code, err }).toEqual({ args, code: 1, err: 'roster: cannot write to stdout: no space left on device (ENOSPC)\n' });
      }
    } finally {
      closeSync(full);
    }
  });

  it('reports configuration errors by variable', async () => {
    const r = await runCli(['tenant', 'list'], { stdout: process.stdout, stderr: new Writable({ write: (_c, _e, cb) => cb() }), env: { DATABASE_URL: 'mysql://nope' } });
    expect(r).toBe(2);
  });
});

/** `roster connection update|pause|resume|delete|list`: an admin's hands on a connection. */
async function tenantWithConnection(name: string): Promise<{ tenant: string; id: string; token: string }> {
  const t = await json('tenant', 'create', '--name', name);
  const c = await json('connection', 'create', '--tenant', t.id, '--name', 'Entra ID');
  return { tenant: t.id, id: c.id, token: c.token };
}

describe('roster connection', () => {
  it.each([['update'], ['pause'], ['resume'], ['delete']])('explains %s with --help', async (verb) => {
    const r = await cli('connection', verb, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: roster connection/m);
  });

  it('update changes the policies given and keeps the others; list shows them', async () => {
    const { tenant, id } = await tenantWithConnection('Policies');
    const updated = await json('connection', 'update', '--tenant', tenant, '--id', id, '--login-name', 'localPart', '--match-by', 'userName,anyEmail', '--on-delete', 'deactivate');
    expect(updated.policies).toEqual({ loginName: 'localPart', onLoginNameCollision: 'suffix', matchBy: ['userName', 'anyEmail'], onDelete: 'deactivate' });
    const renamed = await json('connection', 'update', '--tenant', tenant, '--id', id, '--name', 'Entra (prod)', '--on-login-name-collision', 'reject');
    expect(renamed).toMatchObject({ name: 'Entra (prod)', policies: { loginName: 'localPart', onLoginNameCollision: 'reject', matchBy: ['userName', 'anyEmail'], onDelete: 'deactivate' } });
    const stored = (await services().connections.get({ tenantId: tenant, actor: { type: 'system' }, requestId: null }, id)).policies;
    expect(stored).toEqual(renamed.policies);
    const none = await json('connection', 'update', '--tenant', tenant, '--id', id, '--match-by', 'none');
    expect(none.policies.matchBy).toEqual([]);

    const listed = await json('connection', 'list', '--tenant', tenant);
    expect(listed).toEqual([expect.objectContaining({ id, name: 'Entra (prod)', paused: false, pausedAt: null, policies: none.policies })]);
    const human = await cli('connection', 'list', '--tenant', tenant);
    expect(human.out).toContain('active');
    expect(human.out).toContain('login name localPart, on collision reject, match by none, on delete deactivate');
  });

  it('update with nothing to change writes no audit event and shows the connection as it is', async () => {
    const { tenant, id } = await tenantWithConnection('No-op update');
    const ctx = { tenantId: tenant, actor: systemActor, requestId: null };
    const audited = async () => (await services().audit.list(ctx, { resourceId: id }, { cursor: null, limit: 50 })).items.map((i) => i.node.action);
    const before = await json('connection', 'list', '--tenant', tenant);
    for (const args of [[], ['--name', 'Entra ID'], ['--on-delete', 'delete', '--match-by', 'none']]) {
      expect(await json('connection', 'update', '--tenant', tenant, '--id', id, ...args)).toEqual(before[0]);
    }
    expect(await audited()).toEqual(['connection.create']);
  });

  it('update refuses unknown policy values with a usage error and changes nothing', async () => {
    const { tenant, id } = await tenantWithConnection('Bad policies');
    const bad = await cli('connection', 'update', '--tenant', tenant, '--id', id, '--login-name', 'email');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Allowed choices are asSent, localPart/);
    const badMatch = await cli('connection', 'update', '--tenant', tenant, '--id', id, '--match-by', 'userName,phone');
    expect(badMatch.code).toBe(2);
    expect(badMatch.err).toContain('"phone" is not one of');
    const badDelete = await cli('connection', 'update', '--tenant', tenant, '--id', id, '--on-delete', 'archive');
    expect(badDelete.code).toBe(2);
    expect(badDelete.err).toMatch(/Allowed choices are delete, deactivate/);
    expect((await json('connection', 'list', '--tenant', tenant))[0].policies).toEqual({ loginName: 'asSent', onLoginNameCollision: 'suffix', matchBy: [], onDelete: 'delete' });
  });

  it('pause refuses the token until resume; list shows the paused state', async () => {
    const { tenant, id, token } = await tenantWithConnection('Pause');
    const paused = await json('connection', 'pause', '--tenant', tenant, '--id', id);
    expect(paused).toMatchObject({ id, paused: true });
    await expect(services().connections.authenticate(token)).rejects.toThrow(/paused/);
    const human = await cli('connection', 'list', '--tenant', tenant);
    expect(human.out).toMatch(/PAUSED since \d{4}-/);
    const resumed = await json('connection', 'resume', '--tenant', tenant, '--id', id);
    expect(resumed).toMatchObject({ id, paused: false, pausedAt: null });
    expect((await services().connections.authenticate(token)).connection.id).toBe(id);
  });

  it('delete removes the connection and its token; a second delete is NOT_FOUND', async () => {
    const { tenant, id, token } = await tenantWithConnection('Delete');
    expect(await json('connection', 'delete', '--tenant', tenant, '--id', id)).toEqual({ deletedId: id });
    await expect(services().connections.authenticate(token)).rejects.toThrow(/token/);
    expect(await json('connection', 'list', '--tenant', tenant)).toEqual([]);
    const again = await cli('connection', 'delete', '--tenant', tenant, '--id', id);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/NOT_FOUND/);
  });

  it('list answers NOT_FOUND for a tenant that does not exist, or no longer does, rather than an empty list', async () => {
    const { tenant } = await tenantWithConnection('Listed then deleted');
    await services().tenants.delete(systemActor, tenant);
    for (const id of ['01900000-0000-7000-8000-000000000000', tenant]) {
      for (const args of [['connection', 'list', '--tenant', id], ['--json', 'connection', 'list', '--tenant', id]]) {
        const r = await cli(...args);
        expect({ args, code: r.code, out: r.out, err: r.err }).toEqual({ args, code: 1, out: '', err: `error (NOT_FOUND): Tenant ${id} not found\n` });
      }
    }
  });

  it('acts only on a connection of the tenant named', async () => {
    const a = await tenantWithConnection('Tenant A');
    const b = await tenantWithConnection('Tenant B');
    for (const verb of ['pause', 'resume', 'delete']) {
      const r = await cli('connection', verb, '--tenant', a.tenant, '--id', b.id);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/NOT_FOUND/);
    }
    const r = await cli('connection', 'update', '--tenant', a.tenant, '--id', b.id, '--name', 'hijacked');
    expect(r.code).toBe(1);
    expect((await services().connections.authenticate(b.token)).connection.name).toBe('Entra ID');
  });
});

/** Names reach the operator's terminal: none may carry control characters there. */
describe('names with control characters', () => {
  const hostile = 'Entra\u001b[2J\u001b[H\u001b]0;pwned\u0007\rFAKE  line\nsecond\u009b2J';
  // Any control character but the line feeds that end the lines of the output.
  // eslint-disable-next-line no-control-regex
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
  const escaped = 'Entra\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007\\rFAKE  line\\nsecond\\u009b2J';

  it('are refused by every command that names something, as wrong usage, and the message shows none of them raw', async () => {
    const { tenant, id } = await tenantWithConnection('Names refused');
    for (const args of [
      ['tenant', 'create', '--name', hostile],
      ['connection', 'create', '--tenant', tenant, '--name', hostile],
      ['connection', 'update', '--tenant', tenant, '--id', id, '--name', hostile],
      ['apikey', 'create', '--tenant', tenant, '--name', hostile],
      ['tenant', 'create', '--name', 'tab\there'],
    ]) {
      const r = await cli(...args);
      expect({ args: args.slice(0, 2), code: r.code, out: r.out }).toEqual({ args: args.slice(0, 2), code: 2, out: '' });
      expect(r.err).toMatch(/--name .*control character U\+00(1B|09)/);
      expect(r.err).not.toMatch(RAW_CONTROL);
    }
    expect((await json('connection', 'list', '--tenant', tenant)).map((c: { name: string }) => c.name)).toEqual(['Entra ID']);
  });

  it('stored before they were refused, print escaped in the human output, and as they are in --json', async () => {
    const { tenant, id } = await tenantWithConnection('Names stored');
    await db.orm.em.fork().execute('update tenants set name = ? where id = ?', [`${hostile} tenant`, tenant]);
    await db.orm.em.fork().execute('update scim_connections set name = ? where id = ?', [hostile, id]);

    const tenants = await cli('tenant', 'list');
    expect(tenants.code).toBe(0);
    expect(tenants.out).not.toMatch(RAW_CONTROL);
    expect(tenants.out).toContain(`${tenant}  ${escaped} tenant\n`);
    const listed = await cli('connection', 'list', '--tenant', tenant);
    expect(listed.code).toBe(0);
    expect(listed.out).not.toMatch(RAW_CONTROL);
    expect(listed.out.split('\n')).toEqual([expect.stringContaining(`${id}  ${escaped}  active`), '']);
    const updated = await cli('connection', 'update', '--tenant', tenant, '--id', id, '--on-delete', 'deactivate');
    expect(updated.code).toBe(0);
    expect(updated.out).not.toMatch(RAW_CONTROL);
    expect(updated.out).toContain(`${id}  ${escaped}  active`);

    expect((await json('connection', 'list', '--tenant', tenant))[0].name).toBe(hostile);
    expect((await json('tenant', 'list')).find((t: { id: string }) => t.id === tenant).name).toBe(`${hostile} tenant`);
  });
});
