import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { systemActor, type Ctx } from '../../../src/domain/context.js';
import { MAX_MEMBERS_PER_REQUEST } from '../../../src/domain/group/group.service.js';
import type { Services } from '../../../src/domain/services.js';
import { buildServices } from '../../../src/composition/services.js';
import { SCHEMA } from '../../../src/scim/registry/attribute.registry.js';
import { runCliIn } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { email, profile } from '../../support/fixtures.js';
import { CLI, runCliProcess } from '../../support/server-process.js';

type Json = Record<string, unknown>;

let db: TestDatabase;
let services: Services;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  services = buildServices(db.orm);
  dir = await mkdtemp(path.join(tmpdir(), 'roster-transfer-'));
});
afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCliIn(db.url, args);

const file = (name: string) => path.join(dir, name);
const lines = async (f: string): Promise<Json[]> => (await readFile(f, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);

async function tenant(name: string): Promise<Ctx> {
  const t = await services.tenants.create(systemActor, `${name}-${uuidv7()}`);
  return { tenantId: t.id, actor: systemActor, requestId: null };
}

/** What must survive a move between tenants: everything but ids, meta and the ids inside references. */
function portable(r: Json): Json {
  const { id: _id, meta: _meta, ...rest } = r;
  const ent = rest[SCHEMA.enterprise] as Json | undefined;
  if (ent?.manager) {
    const { value: _v, ...manager } = ent.manager as Json;
    rest[SCHEMA.enterprise] = { ...ent, manager };
  }
  if (Array.isArray(rest.members)) {
    rest.members = (rest.members as Json[])
      .map(({ value: _v, ...m }) => m)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return rest;
}
const byName = (rs: Json[]) => rs.map(portable).sort((a, b) => String(a.userName ?? a.displayName).localeCompare(String(b.userName ?? b.displayName)));

/** How often anything in the tenant was written: every write bumps a version and records an audit event. */
async function writes(ctx: Ctx): Promise<{ audit: number; versions: number; users: number; groups: number }> {
  const [row] = await db.orm.em.fork().execute<{ audit: string; versions: string; users: string; groups: string }[]>(
    `select (select count(*) from audit_events where tenant_id = ?) as audit,
            (select coalesce(sum(version), 0) from users where tenant_id = ?) + (select coalesce(sum(version), 0) from groups where tenant_id = ?) as versions,
            (select count(*) from users where tenant_id = ?) as users, (select count(*) from groups where tenant_id = ?) as groups`,
    [ctx.tenantId, ctx.tenantId, ctx.tenantId, ctx.tenantId, ctx.tenantId],
  );
  return { audit: Number(row!.audit), versions: Number(row!.versions), users: Number(row!.users), groups: Number(row!.groups) };
}

/**
 * Tenant A: users with emails, addresses, enterprise attributes and an unknown extension; a
 * manager created after the user it manages (so it comes later in the file); a manager that
 * dangles; groups holding users and a group created after them.
 */
async function seedA(): Promise<Ctx> {
  const a = await tenant('A');
  const { user: ada } = await services.users.create(
    a,
    profile('ada@example.com', {
      displayName: 'Ada Lovelace',
      name: { formatted: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace', middleName: null, honorificPrefix: 'Countess', honorificSuffix: null },
      title: 'Analyst',
      active: false,
      emails: [email('ada@example.com', 'work', true), email('ada@home.example', 'home')],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile', primary: false, display: null }],
      addresses: [{ type: 'work', primary: true, formatted: null, streetAddress: '12 St James Sq', locality: 'London', region: null, postalCode: 'SW1Y 4JH', country: 'GB' }],
      enterprise: { employeeNumber: '1815', costCenter: 'CC-7', organization: 'Analytical Engines', division: 'Research', department: 'R&D', managerValue: null },
      extensions: { 'urn:example:params:scim:schemas:extension:badge:1.0:User': { badge: 'A-1' } },
    }),
  );
  const { user: boss } = await services.users.create(a, profile('Boss@Example.com', { displayName: 'Charles Babbage' }));
  await services.users.update(a, ada.id, (u) => ({ ...u, enterprise: { ...u.enterprise, managerValue: boss.id } }));
  await services.users.create(a, profile('carol@example.com', { enterprise: { ...profile('x').enterprise, managerValue: uuidv7() } }));
  const engineering = await services.groups.create(a, { displayName: 'Engineering', externalId: 'eng-1', extensions: {} }, [{ id: ada.id }]);
  const platform = await services.groups.create(a, { displayName: 'Platform', externalId: null, extensions: {} }, [{ id: boss.id }, { id: ada.id }]);
  await services.groups.addMembers(a, engineering.id, [{ id: platform.id }]);
  await services.groups.create(a, { displayName: 'Empty', externalId: null, extensions: {} });
  return a;
}

describe('moving users and groups between tenants (roster users|groups export|import)', () => {
  it('round-trips users and groups into another tenant, and a second import changes nothing', async () => {
    const a = await seedA();
    const b = await tenant('B');
    const exported = await cli('users', 'export', '--tenant', a.tenantId, '--out', file('a-users.jsonl'));
    expect(exported).toMatchObject({ code: 0, err: '' });
    expect(exported.out).toMatch(/^exported 3 users to .*a-users\.jsonl in \d+\.\d s\n$/);
    expect((await cli('groups', 'export', '--tenant', a.tenantId, '--out', file('a-groups.jsonl'))).code).toBe(0);
    const usersA = await lines(file('a-users.jsonl'));
    const groupsA = await lines(file('a-groups.jsonl'));
    expect(usersA).toHaveLength(3);
    expect(groupsA).toHaveLength(3);
    // Each line is a SCIM resource as the facade renders it, with names beside the ids of references.
    const ada = usersA.find((u) => u.userName === 'ada@example.com')!;
    expect(ada).toMatchObject({ schemas: expect.arrayContaining([SCHEMA.user, SCHEMA.enterprise]), active: false, emails: [{ value: 'ada@example.com', type: 'work', primary: true }, { value: 'ada@home.example', type: 'home' }] });
    expect((ada[SCHEMA.enterprise] as Json).manager).toEqual({ value: expect.any(String), userName: 'Boss@Example.com' });
    expect(ada.meta).not.toHaveProperty('location');
    expect(ada).not.toHaveProperty('groups');
    const eng = groupsA.find((g) => g.displayName === 'Engineering')!;
    expect(eng.members).toEqual(
      expect.arrayContaining([
        { value: expect.any(String), type: 'User', display: 'Ada Lovelace', userName: 'ada@example.com' },
        { value: expect.any(String), type: 'Group', display: 'Platform', displayName: 'Platform' },
      ]),
    );

    // The real command, as a process: users first, then the groups that hold them.
    const env = { DATABASE_URL: db.url };
    const usersIn = await runCliProcess(['users', 'import', '--tenant', b.tenantId, file('a-users.jsonl')], env);
    expect(usersIn).toMatchObject({ code: 0, stderr: '' });
    expect(usersIn.stdout).toMatch(/3 created, 0 updated, 0 unchanged, 0 rejected/);
    const groupsIn = await runCliProcess(['--json', 'groups', 'import', '--tenant', b.tenantId, file('a-groups.jsonl')], env);
    expect(groupsIn).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(groupsIn.stdout)).toMatchObject({ type: 'groups', lines: 3, created: 3, updated: 0, unchanged: 0, rejected: 0, unresolved: 0, dryRun: false });

    expect((await cli('users', 'export', '--tenant', b.tenantId, '--out', file('b-users.jsonl'))).code).toBe(0);
    expect((await cli('groups', 'export', '--tenant', b.tenantId, '--out', file('b-groups.jsonl'))).code).toBe(0);
    const usersB = await lines(file('b-users.jsonl'));
    const groupsB = await lines(file('b-groups.jsonl'));
    expect(byName(usersB)).toEqual(byName(usersA));
    expect(byName(groupsB)).toEqual(byName(groupsA));
    // The references point into B.
    const idsB = new Set([...usersB, ...groupsB].map((r) => r.id));
    const adaB = usersB.find((u) => u.userName === 'ada@example.com')!;
    expect(idsB.has(((adaB[SCHEMA.enterprise] as Json).manager as Json).value)).toBe(true);
    for (const g of groupsB) for (const m of g.members as Json[]) expect(idsB.has(m.value)).toBe(true);

    // Again: nothing is written, no version moves, no audit event.
    const before = await writes(b);
    const again = await cli('--json', 'users', 'import', '--tenant', b.tenantId, file('a-users.jsonl'));
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const groupsAgain = await cli('--json', 'groups', 'import', '--tenant', b.tenantId, file('a-groups.jsonl'));
    expect(JSON.parse(groupsAgain.out)).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await writes(b)).toEqual(before);
  });

  it('updates what differs, matching userName and displayName case-insensitively', async () => {
    const t = await tenant('Upd');
    const { user } = await services.users.create(t, profile('dana@example.com', { title: 'Engineer' }));
    await services.groups.create(t, { displayName: 'Ops', externalId: null, extensions: {} }, [{ id: user.id }]);
    await writeFile(file('upd-users.jsonl'), `${JSON.stringify({ userName: 'DANA@example.com', title: 'Lead' })}\n`);
    await writeFile(file('upd-groups.jsonl'), `${JSON.stringify({ displayName: 'ops', members: [] })}\n`);
    expect((await cli('users', 'import', '--tenant', t.tenantId, file('upd-users.jsonl'))).out).toMatch(/0 created, 1 updated/);
    expect((await cli('groups', 'import', '--tenant', t.tenantId, file('upd-groups.jsonl'))).out).toMatch(/0 created, 1 updated/);
    const after = await services.users.get(t, user.id);
    expect(after).toMatchObject({ userName: 'DANA@example.com', title: 'Lead', version: 2 });
    const [ops] = (await services.groups.list(t, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: false })).items;
    expect(ops!.node).toMatchObject({ displayName: 'ops' });
    expect(await services.groups.members(t, ops!.node.id, { offset: 0, limit: 10 })).toEqual([]);
  });

  it('leaves users and groups a SCIM connection manages as they are, rejecting a line that would change them with MANAGED_BY_SCIM', async () => {
    const t = await tenant('Owned');
    const { connection } = await services.connections.create(t, 'Entra ID');
    const asEntra: Ctx = { tenantId: t.tenantId, actor: { type: 'connection', id: connection.id, tenantId: t.tenantId }, requestId: null };
    const { user } = await services.users.create(asEntra, profile('owned@example.com', { title: 'Engineer', externalId: 'entra-1' }));
    const group = await services.groups.create(asEntra, { displayName: 'Owned', externalId: 'entra-g', extensions: {} }, [{ id: user.id }]);
    await writeFile(file('owned-users.jsonl'), [JSON.stringify({ userName: 'owned@example.com', title: 'Engineer', externalId: 'entra-1' }), JSON.stringify({ userName: 'OWNED@example.com', title: 'Changed' })].join('\n'));
    await writeFile(file('owned-groups.jsonl'), `${JSON.stringify({ displayName: 'owned', externalId: 'entra-g', members: [] })}\n`);
    const users = await cli('users', 'import', '--tenant', t.tenantId, file('owned-users.jsonl'));
    expect(users.code).toBe(3);
    // The same values as stored change nothing and pass; a change is refused.
    expect(users.out).toMatch(/0 created, 0 updated, 1 unchanged, 1 rejected/);
    expect(users.err).toMatch(/^line 2: rejected: MANAGED_BY_SCIM/m);
    const groups = await cli('groups', 'import', '--tenant', t.tenantId, file('owned-groups.jsonl'));
    expect(groups.err).toMatch(/^line 1: rejected: MANAGED_BY_SCIM/m);
    expect(await services.users.get(t, user.id)).toMatchObject({ title: 'Engineer', externalId: 'entra-1', version: 1, managedBy: connection.id });
    expect(await services.groups.members(t, group.id, { offset: 0, limit: 10 })).toMatchObject([{ id: user.id }]);
  });

  it('reports each rejected line by number and reason, never its values, imports the rest of the batch, and exits 3', async () => {
    const t = await tenant('Bad');
    // A login name the next file's "carl" would take again: PostgreSQL's unique index refuses it.
    await services.users.create(t, profile('carl@other.example'), { policies: { loginName: 'localPart', onLoginNameCollision: 'reject', matchBy: [], onDelete: 'delete' } });
    const secret = 'personal-value-7f3a';
    const file1 = file('bad-users.jsonl');
    await writeFile(
      file1,
      [
        JSON.stringify({ userName: 'ok1@example.com' }),
        `{"userName": "${secret}", `,
        JSON.stringify({ displayName: secret }),
        JSON.stringify({ userName: `${secret}@example.com`, emails: [email(`${secret}@a.example`, 'work', true), email(`${secret}@b.example`, 'home', true)] }),
        '',
        JSON.stringify({ userName: `nul\u0000${secret}@example.com` }),
        JSON.stringify({ userName: 'ok2@example.com', active: 'maybe' }),
        JSON.stringify({ userName: 'carl' }),
        JSON.stringify({ userName: 'ok3@example.com' }),
      ].join('\n'),
    );
    const r = await cli('users', 'import', '--tenant', t.tenantId, '--batch-size', '3', file1);
    expect(r.code).toBe(3);
    const reported = r.err.split('\n').filter(Boolean);
    expect(reported.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['line 2: rejected', 'line 3: rejected', 'line 4: rejected', 'line 6: rejected', 'line 7: rejected', 'line 8: rejected']);
    expect(reported[0]).toBe('line 2: rejected: not valid JSON');
    expect(reported[1]).toMatch(/"userName" is required/);
    expect(reported[2]).toMatch(/more than one value marked primary/);
    expect(reported[3]).toMatch(/U\+0000/);
    // Refused by the database inside its batch: the line's savepoint is undone, the batch goes on.
    expect(reported[5]).toBe('line 8: rejected: CONFLICT: the login name derived from userName is already taken in this tenant');
    expect(r.err).not.toContain(secret);
    expect(r.out).toMatch(/2 created, 0 updated, 0 unchanged, 6 rejected, 0 with references not in the tenant \(8 lines/);
    // The tenant's own creation, carl's, and the two lines that were imported: the refused line left nothing.
    expect(await writes(t)).toMatchObject({ users: 3, audit: 4 });
  });

  it('reports members and managers that are not in the target tenant, and links the rest', async () => {
    const t = await tenant('Refs');
    await services.users.create(t, profile('eve@example.com'));
    await writeFile(
      file('refs-users.jsonl'),
      `${JSON.stringify({ userName: 'frank@example.com', [SCHEMA.enterprise]: { manager: { value: uuidv7(), userName: 'nobody@example.com' } } })}\n`,
    );
    await writeFile(
      file('refs-groups.jsonl'),
      `${JSON.stringify({ displayName: 'Mixed', members: [{ type: 'User', userName: 'eve@example.com' }, { type: 'User', userName: 'ghost@example.com' }, { type: 'Group', displayName: 'Nowhere' }, { value: uuidv7() }] })}\n`,
    );
    const u = await cli('--json', 'users', 'import', '--tenant', t.tenantId, file('refs-users.jsonl'));
    expect(u.code).toBe(3);
    expect(JSON.parse(u.err)).toEqual({ line: 1, problem: 'unresolved', reason: expect.stringMatching(/manager is not a user of this tenant/) });
    expect(JSON.parse(u.out)).toMatchObject({ created: 1, unresolved: 1 });
    const g = await cli('groups', 'import', '--tenant', t.tenantId, file('refs-groups.jsonl'));
    expect(g.code).toBe(3);
    expect(g.err).toBe('line 1: unresolved: 3 members are not in this tenant (1 user, 2 groups, matched by userName or displayName) and were left out\n');
    expect(g.err).not.toMatch(/ghost|Nowhere/);
    const [mixed] = (await services.groups.list(t, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: false })).items;
    expect((await services.groups.members(t, mixed!.node.id, { offset: 0, limit: 10 })).map((m) => m.display)).toEqual(['eve@example.com']);
  });

  it('imports a group with more members than one change may carry, and re-imports it as unchanged', async () => {
    const t = await tenant('Big');
    const n = MAX_MEMBERS_PER_REQUEST + 50;
    await db.orm.em.fork().execute(
      `insert into users (id, tenant_id, user_name, login_name, active, extensions, version, created_at, updated_at)
       select gen_random_uuid(), ?, 'member' || i || '@example.com', 'member' || i || '@example.com', true, '{}'::jsonb, 1, now(), now()
       from generate_series(1, ?) i`,
      [t.tenantId, n],
    );
    const members = Array.from({ length: n }, (_, i) => ({ type: 'User', userName: `MEMBER${i + 1}@example.com` }));
    await writeFile(file('big-groups.jsonl'), `${JSON.stringify({ displayName: 'Everyone', members })}\n`);
    const first = await cli('--json', 'groups', 'import', '--tenant', t.tenantId, file('big-groups.jsonl'));
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(first.out)).toMatchObject({ created: 1 });
    const [everyone] = (await services.groups.list(t, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 1 }, withTotal: false })).items;
    expect((await services.groups.memberCounts(t, [everyone!.node.id])).get(everyone!.node.id)).toBe(n);

    const again = await cli('--json', 'groups', 'import', '--tenant', t.tenantId, file('big-groups.jsonl'));
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect((await services.groups.get(t, everyone!.node.id)).version).toBe(everyone!.node.version);

    expect((await cli('groups', 'export', '--tenant', t.tenantId, '--out', file('big-export.jsonl'))).code).toBe(0);
    const [exported] = await lines(file('big-export.jsonl'));
    expect(exported!.members).toHaveLength(n);
  });

  it('--dry-run checks every line and reports what would change, writing nothing', async () => {
    const a = await seedA();
    const c = await tenant('C');
    expect((await cli('users', 'export', '--tenant', a.tenantId, '--out', file('dry-users.jsonl'))).code).toBe(0);
    expect((await cli('groups', 'export', '--tenant', a.tenantId, '--out', file('dry-groups.jsonl'))).code).toBe(0);
    const before = await writes(c);
    const u = await cli('users', 'import', '--tenant', c.tenantId, '--dry-run', '--batch-size', '1', file('dry-users.jsonl'));
    expect(u).toMatchObject({ code: 0, err: '' });
    expect(u.out).toMatch(/^dry run, nothing written: users from .* would be 3 created, 0 updated, 0 unchanged, 0 rejected, 0 with references not in the tenant/);
    expect(await writes(c)).toEqual(before);

    // Into the tenant the file came from: nothing would change.
    const same = await cli('--json', 'users', 'import', '--tenant', a.tenantId, '--dry-run', file('dry-users.jsonl'));
    expect(JSON.parse(same.out)).toMatchObject({ created: 0, updated: 0, unchanged: 3, dryRun: true });
    const groups = await cli('--json', 'groups', 'import', '--tenant', a.tenantId, '--dry-run', file('dry-groups.jsonl'));
    expect(JSON.parse(groups.out)).toMatchObject({ created: 0, updated: 0, unchanged: 3, dryRun: true });
  });

  it('looks users and groups up by name, case-insensitively, in one statement per lookup', async () => {
    const t = await tenant('Names');
    const { user } = await services.users.create(t, profile('Zoe@Example.com'));
    const group = await services.groups.create(t, { displayName: 'Design', externalId: null, extensions: {} });
    await services.users.create(await tenant('Other'), profile('yan@example.com'));
    db.statements.length = 0;
    expect(await services.users.idsByUserName(t, ['zoe@example.COM', 'yan@example.com', 'nul\u0000@example.com'])).toEqual(new Map([['zoe@example.COM', user.id]]));
    expect(db.statements.filter((q) => /from unnest\(.*\) as q\(name\) join users/.test(q))).toHaveLength(1);
    expect(await services.groups.idsByDisplayName(t, ['DESIGN', 'Nothing'])).toEqual(new Map([['DESIGN', group.id]]));
    await expect(services.users.idsByUserName(t, Array.from({ length: 1001 }, (_, i) => `u${i}`))).rejects.toThrow(/at most 1000 names/);
  });

  it('reports a line whose references the second pass cannot link as what its first pass made, not as a line that left nothing', async () => {
    const t = await tenant('Cycle');
    const g = (name: string, member: string) => JSON.stringify({ displayName: name, members: [{ type: 'Group', displayName: member }] });
    await writeFile(file('cycle-groups.jsonl'), `${[g('g1', 'g2'), g('g2', 'g1')].join('\n')}\n`);
    const r = await cli('groups', 'import', '--tenant', t.tenantId, file('cycle-groups.jsonl'));
    expect(r.code).toBe(3);
    // Both groups exist, one of them without the member that would have closed the cycle.
    const groups = (await services.groups.list(t, { filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: false })).items.map((i) => i.node.displayName).sort();
    expect(groups).toEqual(['g1', 'g2']);
    expect(r.out).toMatch(/2 created, 0 updated, 0 unchanged, 0 rejected, 1 with references not in the tenant/);
    expect(r.err).toMatch(/^line 1: .*not linked: INVALID_VALUE: .*cycle.*created without them/m);
  });

  it('reads a file that starts with a byte order mark, as editors on Windows save it', async () => {
    const t = await tenant('Bom');
    await writeFile(file('bom.jsonl'), `\uFEFF${JSON.stringify({ userName: 'bom@example.com' })}\n`);
    const r = await cli('users', 'import', '--tenant', t.tenantId, file('bom.jsonl'));
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: expect.not.stringMatching(/rejected/) });
    expect(r.out).toMatch(/1 created/);
  });

  it('says what is wrong with the command: exit 2 for usage, 1 for failures', async () => {
    const t = await tenant('Usage');
    expect((await cli('users', 'import', '--tenant', t.tenantId, file('missing.jsonl'))).code).toBe(2);
    expect((await cli('users', 'import', '--tenant', t.tenantId, '--batch-size', '0', file('missing.jsonl'))).code).toBe(2);
    expect((await cli('groups', 'export')).code).toBe(2);
    // A directory is no file to read either.
    expect(await cli('users', 'import', '--tenant', t.tenantId, dir)).toMatchObject({ code: 2, err: expect.stringMatching(/is not a file/) });
    await writeFile(file('one.jsonl'), '{"userName":"x@example.com"}\n');
    const unknown = await cli('users', 'import', '--tenant', uuidv7(), file('one.jsonl'));
    expect(unknown).toMatchObject({ code: 1, err: expect.stringMatching(/NOT_FOUND/) });
    for (const args of [['users', 'export'], ['users', 'import'], ['groups', 'export'], ['groups', 'import']]) {
      const help = await cli(...args, '--help');
      expect(help.code).toBe(0);
      expect(help.out).toMatch(/^Usage: roster/m);
    }
    expect((await cli('users', 'import', '--help')).out).toMatch(/Exit codes: 0 done; 3 some lines were rejected/);
  });

  it('refuses an export to a file it cannot create with one line naming the file and why, exit 2, and leaves nothing behind', async () => {
    const t = await tenant('Unwritable');
    await services.users.create(t, profile('una@example.com'));
    const env = { DATABASE_URL: db.url };
    for (const [noun, out, reason] of [
      ['users', '/nonexistent/dir/x.jsonl', /no such file or directory/],
      ['groups', '/nonexistent/dir/x.jsonl', /no such file or directory/],
      ['users', '/proc/self/nope.jsonl', /\(E[A-Z]+\)/],
      ['groups', dir, /is a directory/],
    ] as const) {
      const r = await runCliProcess([noun, 'export', '--tenant', t.tenantId, '--out', out], env);
      expect({ noun, out, code: r.code, stdout: r.stdout }).toEqual({ noun, out, code: 2, stdout: '' });
      expect(r.stderr).toMatch(new RegExp(`^cannot write ${out.replace(/[/.]/g, '\\$&')}: [^\n]+\n$`));
      expect(r.stderr).toMatch(reason);
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('writes into an --out that is no regular file (a named pipe, a device) as it is, never putting a file in its place', async () => {
    const t = await tenant('Fifo');
    await services.users.create(t, profile('fifo@example.com'));
    const fifo = file('export.fifo');
    await new Promise<void>((resolve, reject) => spawn('mkfifo', [fifo]).on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo ${code}`)))));
    // The reader of the pipe, as another program of a pipeline would be.
    const read = readFile(fifo, 'utf8');
    const r = await runCliProcess(['users', 'export', '--tenant', t.tenantId, '--out', fifo], { DATABASE_URL: db.url });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse((await read).trim()).userName).toBe('fifo@example.com');
    expect((await stat(fifo)).isFIFO()).toBe(true);
    const toNull = await runCliProcess(['users', 'export', '--tenant', t.tenantId, '--out', '/dev/null'], { DATABASE_URL: db.url });
    expect(toNull.code).toBe(0);
    expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('refuses an empty --out as wrong usage rather than writing to stdout', async () => {
    const t = await tenant('EmptyOut');
    await services.users.create(t, profile('eve@example.com'));
    for (const noun of ['users', 'groups']) {
      const r = await cli(noun, 'export', '--tenant', t.tenantId, '--out', '');
      expect({ code: r.code, out: r.out }).toEqual({ code: 2, out: '' });
      expect(r.err).toMatch(/--out/);
    }
  });

  it('ends quietly when the reader of stdout goes away, as `| head` does, with exit 141', async () => {
    const t = await tenant('Pipe');
    // Far more than a pipe holds, so the export is still writing when head has gone.
    for (let i = 0; i < 300; i++) await services.groups.create(t, { displayName: `g${i}-${'x'.repeat(1000)}`, externalId: null, extensions: {} });
    const sh = spawn('bash', ['-c', `"${process.execPath}" "${CLI}" groups export --tenant ${t.tenantId} | head -c 10; echo " exit \${PIPESTATUS[0]}"`], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    sh.stdout.on('data', (c: Buffer) => (out += c.toString()));
    sh.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await new Promise((resolve) => sh.on('close', resolve));
    expect({ out, err }).toEqual({ out: `${'{"schemas"'} exit 141\n`, err: '' });
  });

  it('writes the export to stdout when no file is given, the summary to stderr', async () => {
    const t = await tenant('Stdout');
    await services.users.create(t, profile('ivy@example.com'));
    const r = await cli('users', 'export', '--tenant', t.tenantId);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Json).userName)).toEqual(['ivy@example.com']);
    expect(r.err).toMatch(/^exported 1 users in /);
  });
});
