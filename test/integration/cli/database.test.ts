import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../../src/db/embedded.js';
import { runCliIn } from '../../support/cli.js';
import { databaseExists, dropDatabaseIfExists, urlOnTestServer } from '../../support/db.js';
import { silentPort } from '../../support/silent-port.js';

/** The database of DATABASE_URL as the command line finds it: there, or said in words why not. */
const missing = `roster_t_missing_${process.pid}_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  // Only there if it was wrongly created.
  await dropDatabaseIfExists(missing);
});

const server = new URL(urlOnTestServer('postgres'));
const at = `${server.hostname}:${server.port || 5432}`;

describe('the database of DATABASE_URL', () => {
  it('is never created: a name that does not exist is reported with how to create it, exit 1', async () => {
    const url = urlOnTestServer(missing);
    const user = decodeURIComponent(server.username);
    for (const args of [['tenant', 'list'], ['migrate']]) {
      const r = await runCliIn(url, args);
      expect({ args, ...r }).toEqual({
        args,
        code: 1,
        out: '',
        err: `roster: database ${missing} does not exist on ${at}; create it first, e.g. createdb -h ${server.hostname} -p ${server.port || 5432} -U ${user} ${missing}\n`,
      });
    }
    expect(await databaseExists(missing)).toBe(false);
  });

  it('reports a login the server refuses in words, naming the role', async () => {
    const role = `roster_nobody_${randomBytes(4).toString('hex')}`;
    const r = await runCliIn(urlOnTestServer('postgres', role), ['tenant', 'list']);
    // A server that trusts its logins says the role is not there; one that checks passwords (the
    // embedded one) asks for the password the URL does not give.
    const said = server.password
      ? `the database at ${at} asks for a password for role ${role}, and DATABASE_URL gives none`
      : `the database at ${at} refused the login for role ${role} (SQLSTATE 28000: role "${role}" does not exist)`;
    expect(r).toEqual({ code: 1, out: '', err: `roster: ${said}\n` });
  });
});

describe('a server that checks passwords', () => {
  it('reports a wrong password in words, naming the role and never the password', async () => {
    // The embedded PostgreSQL logs in with scram-sha-256, so a wrong password is refused for real.
    const dir = await mkdtemp(path.join(tmpdir(), 'roster-cli-pg-'));
    const pg = await startEmbeddedPostgres(dir, { database: 'postgres', persistent: false });
    try {
      const u = new URL(pg.url);
      u.password = 'not-the-password';
      const r = await runCliIn(u.toString(), ['tenant', 'list']);
      expect(r).toEqual({ code: 1, out: '', err: `roster: the database at 127.0.0.1:${u.port} refused the login for role postgres: wrong password (SQLSTATE 28P01)\n` });
    } finally {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a database that cannot be reached', () => {
  it('that accepts connections and never answers is reported as not answering in time, naming host and port', async () => {
    const silent = await silentPort();
    try {
      const started = Date.now();
      const r = await runCliIn(`postgres://roster:secret-pw@127.0.0.1:${silent.port}/roster`, ['tenant', 'list']);
      expect(r).toEqual({ code: 1, out: '', err: `roster: the database at 127.0.0.1:${silent.port} did not answer within 5 s\n` });
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await silent.close();
    }
  });

  it('where nothing listens is reported as such', async () => {
    const r = await runCliIn('postgres://roster:secret-pw@127.0.0.1:1/roster', ['tenant', 'list']);
    expect(r).toEqual({ code: 1, out: '', err: 'roster: nothing answers for the database at 127.0.0.1:1 (ECONNREFUSED): is PostgreSQL running there, and DATABASE_URL right?\n' });
  });
});
