import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, MAIN, startRoster } from '../support/server-process.js';
import { removeDataDir } from '../support/data-dir.js';

/** The processes (initdb, postgres and its children) working on a cluster under `dir`. */
async function processesOn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '');
    if (cmdline.some((a) => a.includes(dir)) || cwd.startsWith(dir)) pids.push(Number(name));
  }
  return pids;
}

const until = async (what: () => Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (!(await what()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return what();
};

/** Runs `script` (the server, or the CLI with its arguments) on `dataDir`, to its end, with `signal` sent once `when` holds. */
async function interrupted(args: string[], dataDir: string, signal: NodeJS.Signals, when: () => Promise<boolean>): Promise<{ code: number | null; signal: NodeJS.Signals | null; sent: boolean }> {
  const proc = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ROSTER_DATA_DIR: dataDir },
    stdio: 'ignore',
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, sig) => resolve({ code, signal: sig })));
  const sent = await until(when, 60_000);
  proc.kill(signal);
  const end = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
  if (!end) {
    proc.kill('SIGKILL');
    return { ...(await closed), sent };
  }
  return { ...end, sent };
}

describe('roster process told to stop while it starts', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await realpath(await mkdtemp(path.join(tmpdir(), 'roster-e2e-signal-')));
  });
  afterEach(async () => {
    // Whatever was left running on the cluster goes (these are processes the test started).
    for (const pid of await processesOn(dataDir)) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // gone
      }
    }
    await removeDataDir(dataDir);
  });

  const postmasterStarted = () => async () => stat(path.join(dataDir, 'pg', 'postmaster.pid')).then(() => true, () => false);
  const initdbRuns = () => async () => (await processesOn(dataDir)).length > 0 && !(await stat(path.join(dataDir, 'pg')).then(() => true, () => false));
  const noneLeft = () => until(async () => (await processesOn(dataDir)).length === 0, 3_000);

  it('on SIGTERM once its PostgreSQL starts, stops that PostgreSQL and exits 0', async () => {
    const r = await interrupted([MAIN], dataDir, 'SIGTERM', postmasterStarted());
    expect(r.sent).toBe(true);
    expect(await noneLeft()).toBe(true);
    expect(r).toMatchObject({ code: 0, signal: null });
  });

  it('on SIGHUP while initdb runs, stops it and exits 0; the next start succeeds', async () => {
    const r = await interrupted([MAIN], dataDir, 'SIGHUP', initdbRuns());
    expect(r.sent).toBe(true);
    expect(await noneLeft()).toBe(true);
    expect(r).toMatchObject({ code: 0, signal: null });
    const p = await startRoster({ ROSTER_DATA_DIR: dataDir });
    expect((await fetch(`${p.baseUrl}/readyz`)).status).toBe(200);
    expect(await p.stop('SIGHUP')).toBe(0);
    expect(await noneLeft()).toBe(true);
  });

  it('as a CLI command that started its own PostgreSQL, stops it on SIGTERM and exits 143', async () => {
    const r = await interrupted([CLI, 'tenant', 'list'], dataDir, 'SIGTERM', postmasterStarted());
    expect(r.sent).toBe(true);
    expect(await noneLeft()).toBe(true);
    expect(r).toMatchObject({ code: 143, signal: null });
  });
});
