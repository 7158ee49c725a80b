import { readFile, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { runCliProcess, startRoster } from '../support/server-process.js';
import { newDataDir, removeDataDir } from '../support/data-dir.js';

/** The real server process on an embedded PostgreSQL that dies under it. */
describe('roster process whose embedded PostgreSQL is killed', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await newDataDir('roster-e2e-crash-');
  });
  afterAll(async () => {
    await removeDataDir(dataDir);
  });

  it('starts it again on the same cluster and answers again with the data written before', async () => {
    const admin = `roster_key_${'c3'.repeat(24)}`;
    const env = { ROSTER_DATA_DIR: dataDir };
    const p = await startRoster({ ...env, BOOTSTRAP_ADMIN_TOKEN: admin });
    try {
      const tenant = JSON.parse((await runCliProcess(['--json', 'tenant', 'create', '--name', 'Crash'], env)).stdout) as { id: string };
      const { token } = JSON.parse((await runCliProcess(['--json', 'connection', 'create', '--tenant', tenant.id, '--name', 'idp'], env)).stdout) as { token: string };
      const scim = (init: RequestInit = {}) =>
        fetch(`${p.baseUrl}/scim/v2/Users`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' } });
      const created = await scim({ method: 'POST', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'before@example.com' }) });
      expect(created.status).toBe(201);

      const postmaster = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
      process.kill(postmaster, 'SIGKILL');
      const killedAt = Date.now();

      let status = { readyz: 0, scim: 0, graphql: 0 };
      let users: unknown = null;
      while (Date.now() - killedAt < 15_000) {
        await new Promise((r) => setTimeout(r, 250));
        const [readyz, listed, graphql] = await Promise.all([
          fetch(`${p.baseUrl}/readyz`),
          scim(),
          fetch(`${p.baseUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ tenants { id name } }' }) }),
        ]);
        status = { readyz: readyz.status, scim: listed.status, graphql: graphql.status };
        if (listed.status === 200) users = await listed.json();
        else await listed.text();
        const answer = (await graphql.json().catch(() => null)) as { data?: { tenants?: { name: string }[] } } | null;
        if (status.graphql === 200 && !answer?.data?.tenants?.some((t) => t.name === 'Crash')) status.graphql = -1;
        if (status.readyz === 200 && status.scim === 200 && status.graphql === 200) break;
      }
      expect(status).toEqual({ readyz: 200, scim: 200, graphql: 200 });
      expect(JSON.stringify(users)).toContain('before@example.com');
      expect(p.logs).toEqual(expect.arrayContaining([expect.objectContaining({ level: 50, msg: 'embedded postgres exited unexpectedly; starting it again' })]));
    } finally {
      expect(await p.stop()).toBe(0);
    }
  });
  it('exits 1 with a fatal line when its PostgreSQL cannot be started again', async () => {
    const own = await newDataDir('roster-e2e-crash-');
    try {
      const p = await startRoster({ ROSTER_DATA_DIR: own });
      const pgdata = await realpath(path.join(own, 'pg'));
      const postmaster = Number((await readFile(path.join(pgdata, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      // The cluster is gone from where it was: no attempt can start it.
      await rename(pgdata, `${pgdata}-moved`);
      process.kill(postmaster, 'SIGKILL');
      const code = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
      if (code === 'still running') p.proc.kill('SIGKILL');
      expect(code).toBe(1);
      expect(p.logs.at(-1)).toMatchObject({ level: 60, msg: 'embedded postgres could not be started again; exiting' });
      await rm(`${pgdata}-moved`, { recursive: true, force: true });
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });
});
