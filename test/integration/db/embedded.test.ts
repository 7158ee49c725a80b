import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../../src/db/embedded.js';
import { newDataDir, removeDataDir } from '../../support/data-dir.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const answers = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('select 1 as one')).rows[0]?.one;
  } finally {
    await client.end();
  }
};

/** The embedded PostgreSQL on data directories in unusual states. */
describe('embedded PostgreSQL', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await newDataDir('roster-embedded-');
  });
  afterEach(async () => {
    await removeDataDir(dir);
  });

  it('leaves alone a process named postgres whose pid a stale postmaster.pid holds, and starts', async () => {
    const first = await startEmbeddedPostgres(dir);
    const lockFile = path.join(dir, 'pg', 'postmaster.pid');
    const lock = await readFile(lockFile, 'utf8');
    await first.stop();
    // The pid now belongs to an unrelated process whose command line names postgres.
    const fake: ChildProcess = spawn('sleep', ['1000'], { argv0: 'postgres', stdio: 'ignore' });
    try {
      const pid = fake.pid!;
      const exited = new Promise<string | null>((resolve) => fake.on('exit', (_code, signal) => resolve(signal)));
      await writeFile(lockFile, [String(pid), ...lock.split('\n').slice(1)].join('\n'));
      const second = await startEmbeddedPostgres(dir);
      try {
        expect(await answers(second.url)).toBe(1);
      } finally {
        await second.stop();
      }
      const fate = await Promise.race([exited, new Promise((r) => setTimeout(() => r('alive'), 200))]);
      expect(fate).toBe('alive');
      expect(alive(pid)).toBe(true);
    } finally {
      fake.kill('SIGKILL');
    }
  });
  it('leaves alone an orphaned process named postgres whose pid a stale postmaster.pid holds, and starts', async () => {
    const first = await startEmbeddedPostgres(dir);
    const lockFile = path.join(dir, 'pg', 'postmaster.pid');
    const lock = await readFile(lockFile, 'utf8');
    await first.stop();
    // Started through a shell that exits at once, so its parent is no longer node.
    const shell = spawn('bash', ['-c', '(exec -a postgres-helper sleep 1000) >/dev/null 2>&1 & echo $!'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    shell.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => shell.on('close', r));
    const pid = Number(out.trim());
    try {
      expect(alive(pid)).toBe(true);
      await writeFile(lockFile, [String(pid), ...lock.split('\n').slice(1)].join('\n'));
      const second = await startEmbeddedPostgres(dir);
      try {
        expect(await answers(second.url)).toBe(1);
      } finally {
        await second.stop();
      }
      expect(alive(pid)).toBe(true);
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  it('refuses while a live process holds the start lock, and takes over a lock whose pid another process reuses', async () => {
    const other: ChildProcess = spawn('sleep', ['1000'], { argv0: 'node', stdio: 'ignore' });
    try {
      const pid = other.pid!;
      const started = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19]!;
      const lockFile = path.join(dir, 'start.lock');
      await writeFile(lockFile, `${pid}\n${started}\n`);
      await expect(startEmbeddedPostgres(dir)).rejects.toThrow(`another Roster process is already running on ${dir}; stop it first`);
      // The same pid, started at another time: not the process that took the lock.
      await writeFile(lockFile, `${pid}\n${Number(started) - 1}\n`);
      const db = await startEmbeddedPostgres(dir);
      try {
        expect(await answers(db.url)).toBe(1);
      } finally {
        await db.stop();
      }
      expect(alive(pid)).toBe(true);
      await expect(readFile(lockFile)).rejects.toThrow(); // released
    } finally {
      other.kill('SIGKILL');
    }
  });
});

/** Every file or directory under `root` whose name matches, following no links. */
async function namesUnder(root: string, match: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(root, entry.name);
    if (match.test(entry.name)) found.push(p);
    if (entry.isDirectory()) found.push(...(await namesUnder(p, match)));
  }
  return found;
}

/** The processes whose command line contains `text`. */
async function processesWith(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(name));
  }
  return pids;
}

describe('embedded PostgreSQL after an interrupted first start', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await newDataDir('roster-embedded-init-');
  });
  afterEach(async () => {
    await removeDataDir(dir);
  });

  it('starts on a data directory whose first start was killed while initdb ran, and leaves no password file', async () => {
    // The built module, in a process of its own, killed as soon as initdb has begun.
    const script = `import(${JSON.stringify(path.resolve('dist/src/db/embedded.js'))}).then((m) => m.startEmbeddedPostgres(${JSON.stringify(dir)}))`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const gone = new Promise((r) => child.on('exit', r));
    const initdb = `--pgdata=${dir}`;
    const deadline = Date.now() + 30_000;
    while ((await processesWith(initdb)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect((await processesWith(initdb)).length).toBeGreaterThan(0); // initdb runs
    child.kill('SIGKILL');
    await gone;
    // initdb, orphaned, runs on to its end.
    while ((await processesWith(initdb)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const db = await startEmbeddedPostgres(dir);
    try {
      expect(await answers(db.url)).toBe(1);
    } finally {
      await db.stop();
    }
    expect(await namesUnder(dir, /pwfile|\.init-|\.partial$/)).toEqual([]);
    const again = await startEmbeddedPostgres(dir);
    try {
      expect(await answers(again.url)).toBe(1);
    } finally {
      await again.stop();
    }
  });

  it('removes a leftover initialisation directory and password files, and starts', async () => {
    const area = path.join(dir, 'pg.init-0123456789ab');
    await mkdir(path.join(area, 'data'), { recursive: true });
    await writeFile(path.join(area, 'data', 'PG_VERSION'), '18\n');
    await writeFile(path.join(area, 'pwfile'), 'secret\n', { mode: 0o600 });
    await writeFile(path.join(dir, '.pwfile-0123456789ab'), 'secret\n', { mode: 0o600 });
    const db = await startEmbeddedPostgres(dir);
    try {
      expect(await answers(db.url)).toBe(1);
    } finally {
      await db.stop();
    }
    expect(await namesUnder(dir, /pwfile|\.init-/)).toEqual([]);
  });

  it('refuses a cluster without its password, saying what to remove to start afresh', async () => {
    const db = await startEmbeddedPostgres(dir);
    await db.stop();
    await rm(path.join(dir, 'credentials.json'));
    await expect(startEmbeddedPostgres(dir)).rejects.toThrow(`Remove ${path.join(dir, 'pg')}`);
  });
});
