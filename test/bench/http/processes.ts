/** The processes the HTTP benchmark drives: PostgreSQL, the calibration floor, and Roster itself. */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../../../src/db/embedded.js';
import { MAIN } from '../../support/server-process.js';

const FLOOR = path.join(import.meta.dirname ?? '.', 'floor.js');

export interface Postgres {
  /** A URL of the server's `postgres` database. */
  readonly url: string;
  readonly label: string;
  /** Creates (after dropping) a database and returns its URL. */
  freshDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** The server at `url`, or an embedded PostgreSQL in a temporary directory when there is none. */
export async function startPostgres(url: string | undefined): Promise<Postgres> {
  let dir: string | null = null;
  let stopEmbedded = async () => {};
  if (!url) {
    dir = await mkdtemp(path.join(tmpdir(), 'roster-bench-http-'));
    const embedded = await startEmbeddedPostgres(dir, { database: 'postgres', persistent: false });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const adminSql = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const version = await (async () => {
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    const r = await c.query<{ server_version: string }>('show server_version');
    await c.end();
    return r.rows[0]!.server_version;
  })();
  return {
    url: admin.toString(),
    label: `PostgreSQL ${version}${dir ? ' (embedded)' : ''}`,
    async freshDatabase(name) {
      await adminSql(`drop database if exists ${name} with (force)`);
      await adminSql(`create database ${name}`);
      const u = new URL(admin);
      u.pathname = `/${name}`;
      return u.toString();
    },
    dropDatabase: (name) => adminSql(`drop database if exists ${name} with (force)`),
    async stop() {
      await stopEmbedded();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Server {
  readonly baseUrl: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const exitOf = (proc: ChildProcess) => new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));

/** Starts the calibration floor on the database at `url` and waits for its port. */
export async function startFloor(url: string): Promise<Server> {
  const proc = spawn(process.execPath, [FLOOR], { env: { PATH: process.env.PATH ?? '', FLOOR_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buffer += c.toString();
      const m = /\{"port":(\d+)\}/.exec(buffer);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`the floor exited with ${code}`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, pid: proc.pid!, stop: () => (proc.kill('SIGTERM'), exitOf(proc)) };
}

/**
 * Starts the real server process (`node dist/src/main.js`) on the database at `url`, as in
 * production: LOG_LEVEL info, its log lines written to a file rather than parsed.
 */
export async function startRosterServer(url: string, adminToken: string, nodeArgs: readonly string[], env: Record<string, string> = {}): Promise<Server & { logFile: string }> {
  const port = await freePort();
  const logFile = path.join(tmpdir(), `roster-bench-${port}.log`);
  const log = await open(logFile, 'w');
  const proc = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', DATABASE_URL: url, BOOTSTRAP_ADMIN_TOKEN: adminToken, ...env },
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  let exited = false;
  proc.once('exit', () => (exited = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`roster exited before it was ready:\n${await readFile(logFile, 'utf8')}`);
    if (await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false)) break;
    if (i > 600) throw new Error('roster was not ready within a minute');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { baseUrl, pid: proc.pid!, logFile, stop: () => (proc.kill('SIGTERM'), exitOf(proc)) };
}

export interface ProcessUsage {
  /** Peak resident set size in MiB; null when /proc cannot tell. */
  readonly peakRssMiB: number | null;
  /** Resident set size at the end, in MiB; null when /proc cannot tell. */
  readonly finalRssMiB: number | null;
  /** Resident set size in MiB, one sample a second ([seconds since start, MiB]). */
  readonly rssSeries: readonly (readonly [number, number])[];
  /** CPU time (user + system) spent meanwhile, in milliseconds; null when /proc cannot tell. */
  readonly cpuMs: number | null;
}

/** Linux's /proc/<pid>/stat counts CPU time in ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

const cpuTicks = async (pid: number): Promise<number | null> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields ? Number(fields[11]) + Number(fields[12]) : null; // utime and stime
};

/** Samples a process while a scenario runs: its peak resident set size, and the CPU time it used. */
export async function sampleProcess(pid: number, everyMs = 200): Promise<{ stop(): Promise<ProcessUsage> }> {
  let peakKiB = 0;
  let lastKiB = 0;
  let known = true;
  const started = Date.now();
  const series: [number, number][] = [];
  const sample = async () => {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
    const kib = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (!kib) return void (known = false);
    lastKiB = Number(kib[1]);
    peakKiB = Math.max(peakKiB, lastKiB);
    const s = Math.floor((Date.now() - started) / 1000);
    if (series.length === 0 || series[series.length - 1]![0] < s) series.push([s, Math.round(lastKiB / 1024)]);
  };
  const ticks = await cpuTicks(pid);
  void sample();
  const timer = setInterval(() => void sample(), everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      const after = await cpuTicks(pid);
      return {
        peakRssMiB: known ? peakKiB / 1024 : null,
        finalRssMiB: known ? lastKiB / 1024 : null,
        rssSeries: series,
        cpuMs: ticks === null || after === null ? null : (after - ticks) * TICK_MS,
      };
    },
  };
}

/** The machine's CPU ticks so far, all cores together: busy, and in all (/proc/stat's first line). */
async function machineTicks(): Promise<{ busy: number; all: number } | null> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => null);
  const fields = stat && /^cpu\s+(.*)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 5 || fields.some((x) => !Number.isFinite(x))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice).
  const all = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: all - fields[3]! - fields[4]!, all };
}

/**
 * The share (0–1) of the machine's CPU time that was not idle while a scenario ran, all cores
 * together; null when /proc cannot tell.
 */
export async function sampleMachine(): Promise<{ stop(): Promise<number | null> }> {
  const before = await machineTicks();
  return {
    async stop() {
      const after = await machineTicks();
      if (!before || !after || after.all <= before.all) return null;
      return (after.busy - before.busy) / (after.all - before.all);
    },
  };
}

/** CPU ticks of every PostgreSQL backend serving `database` now, by pid (a backend's title names its database). */
async function backendTicks(database: string): Promise<Map<number, number>> {
  const ticks = new Map<number, number>();
  const pids = (await readdir('/proc').catch(() => [])).filter((d) => /^\d+$/.test(d)).map(Number);
  await Promise.all(
    pids.map(async (pid) => {
      const title = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      // "postgres: <user> <database> <host>(<port>) <state>", or with the cluster's name after "postgres:".
      if (!title.startsWith('postgres: ') || !title.replace(/\0/g, ' ').split(' ').includes(database)) return;
      const t = await cpuTicks(pid);
      if (t !== null) ticks.set(pid, t);
    }),
  );
  return ticks;
}

/**
 * The CPU time PostgreSQL's backends spent serving `database` while a scenario ran, in
 * milliseconds; null when the server is not on this machine (no backend of it in /proc). A backend
 * that started meanwhile counts from 0; one that ended meanwhile is not counted.
 */
export async function sampleDatabase(database: string): Promise<{ stop(): Promise<number | null> }> {
  const before = await backendTicks(database);
  return {
    async stop() {
      const after = await backendTicks(database);
      if (after.size === 0) return null;
      let ticks = 0;
      for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
      return ticks * TICK_MS;
    },
  };
}
