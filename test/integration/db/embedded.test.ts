import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../../src/db/embedded.js';

/** The embedded PostgreSQL on data directories in unusual states. */
describe('embedded PostgreSQL', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'roster-embedded-'));
  });
  afterEach(async () => {
    // Run as root, the cluster may be a link into /var/lib/roster: remove its target too.
    const pgdata = await realpath(path.join(dir, 'pg')).catch(() => null);
    if (pgdata && !pgdata.startsWith(dir)) await rm(pgdata, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

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
});
