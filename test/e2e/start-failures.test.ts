import { randomBytes } from 'node:crypto';
import { databaseExists, dropDatabaseIfExists, urlOnTestServer } from '../support/db.js';
import { MAIN, runNodeProcess, startRoster } from '../support/server-process.js';
import { silentPort } from '../support/silent-port.js';

/** The real server process when it cannot have its database: it says why and exits 1. */
const missing = `roster_t_missing_${process.pid}_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  // Only there if it was wrongly created.
  await dropDatabaseIfExists(missing);
});

/** How a start ended: 'listening' (then stopped), or the reason startRoster gave for its exit. */
const outcome = (env: Record<string, string>): Promise<string> =>
  startRoster(env, 30_000).then(
    async (p) => {
      await p.stop();
      return 'listening';
    },
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );

/** Runs the server to its end and returns its exit code, its log lines and whatever else it wrote. */
async function failedStart(env: Record<string, string>): Promise<{ code: number | null; logs: Record<string, unknown>[]; other: string; stderr: string; ms: number }> {
  const started = Date.now();
  const r = await runNodeProcess([MAIN], { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env });
  const lines = r.stdout.split('\n').filter(Boolean);
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return null;
    }
  });
  return { code: r.code, logs: parsed.filter((l) => l !== null), other: lines.filter((_l, i) => parsed[i] === null).join('\n'), stderr: r.stderr, ms: Date.now() - started };
}

describe('roster process start-up', () => {
  it('that finds nothing listening for its database logs one JSON line at fatal level saying so, and exits 1', async () => {
    const r = await failedStart({ DATABASE_URL: 'postgres://roster:secret-pw@127.0.0.1:1/roster' });
    expect({ code: r.code, stderr: r.stderr, other: r.other }).toEqual({ code: 1, stderr: '', other: '' });
    expect(r.logs.map((l) => l.msg)).toEqual(['starting', 'failed to start: nothing answers for the database at 127.0.0.1:1 (ECONNREFUSED): is PostgreSQL running there, and DATABASE_URL right?']);
    expect(r.logs[1]).toMatchObject({ level: 60, code: 'ECONNREFUSED' });
    expect(r.logs[1]).not.toHaveProperty('stack');
    expect(JSON.stringify(r.logs)).not.toContain('secret-pw');
  });

  it('whose database accepts connections and never answers says that it did not answer in time, and exits 1', async () => {
    const silent = await silentPort();
    try {
      const r = await failedStart({ DATABASE_URL: `postgres://roster:secret-pw@127.0.0.1:${silent.port}/roster` });
      expect({ code: r.code, stderr: r.stderr, other: r.other }).toEqual({ code: 1, stderr: '', other: '' });
      expect(r.logs.at(-1)).toMatchObject({ level: 60, code: 'ETIMEDOUT', msg: `failed to start: the database at 127.0.0.1:${silent.port} did not answer within 5 s` });
      expect(r.ms).toBeLessThan(15_000);
      expect(JSON.stringify(r.logs)).not.toContain('secret-pw');
    } finally {
      await silent.close();
    }
  });


  it('refuses a database that does not exist, rather than creating it', async () => {
    expect(await outcome({ DATABASE_URL: urlOnTestServer(missing) })).toMatch(/^roster exited with 1 before listening/);
    expect(await databaseExists(missing)).toBe(false);
  });
});
