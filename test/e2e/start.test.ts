import { request } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { MAIN, runCliProcess, runNodeProcess, startRoster } from '../support/server-process.js';

/** The real server process: `npm start` without DATABASE_URL runs on an embedded PostgreSQL. */
describe('roster process', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'roster-e2e-data-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts an embedded PostgreSQL, keeps its data across restarts, and stops cleanly with exit 0', async () => {
    const env = { ROSTER_DATA_DIR: dataDir };
    const first = await startRoster(env);
    const ready = await fetch(`${first.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(first.logs.find((l) => l.msg === 'database ready')).toMatchObject({ embedded: true });

    // The CLI works next to the running server, on the same embedded cluster.
    const created = await runCliProcess(['--json', 'tenant', 'create', '--name', 'Persisted'], env);
    expect(created.code).toBe(0);
    const tenantId = (JSON.parse(created.stdout) as { id: string }).id;

    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.logs.at(-1)).toMatchObject({ msg: 'stopped' });
    await expect(stat(path.join(dataDir, 'pg', 'postmaster.pid'))).rejects.toThrow(); // PostgreSQL stopped too

    const second = await startRoster(env);
    expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
    expect(second.logs.find((l) => l.msg === 'database ready')).toMatchObject({ applied: [] });
    const listed = await runCliProcess(['--json', 'tenant', 'list'], env);
    expect(JSON.parse(listed.stdout)).toEqual([{ id: tenantId, name: 'Persisted' }]);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  describe('with DATABASE_URL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db.drop();
    });

    it('uses that server and embeds nothing', async () => {
      const unused = path.join(dataDir, 'unused');
      const p = await startRoster({ DATABASE_URL: db.url, ROSTER_DATA_DIR: unused, BOOTSTRAP_ADMIN_TOKEN: 'k'.repeat(40) });
      expect((await fetch(`${p.baseUrl}/readyz`)).status).toBe(200);
      expect(p.logs.find((l) => l.msg === 'database ready')).toMatchObject({ embedded: false });
      expect(p.logs.some((l) => l.msg === 'bootstrap admin key registered')).toBe(true);
      expect(await p.stop()).toBe(0);
      await expect(stat(unused)).rejects.toThrow();
      // Nothing secret went to the logs.
      expect(JSON.stringify(p.logs)).not.toContain('k'.repeat(40));
      expect(JSON.stringify(p.logs)).not.toContain(new URL(db.url).password || '\u0000');
    });
  });

  it('finishes a request in flight when told to stop, then exits 0', async () => {
    const db = await createTestDatabase();
    try {
      const env = { DATABASE_URL: db.url };
      const p = await startRoster(env);
      const tenant = JSON.parse((await runCliProcess(['--json', 'tenant', 'create', '--name', 'Drain'], env)).stdout) as { id: string };
      const { token } = JSON.parse((await runCliProcess(['--json', 'connection', 'create', '--tenant', tenant.id, '--name', 'idp'], env)).stdout) as { token: string };
      // A SCIM create whose body arrives in two halves, with SIGTERM in between.
      const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'in-flight@example.com' });
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${p.baseUrl}/scim/v2/Users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(body) },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 20));
        setTimeout(() => {
          p.proc.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(20)), 300);
        }, 200);
      });
      const res = await answered;
      expect(res.status).toBe(201);
      expect(JSON.parse(res.text)).toMatchObject({ userName: 'in-flight@example.com' });
      expect(await p.exited).toBe(0);
      expect(p.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    } finally {
      await db.drop();
    }
  });

  it('refuses an invalid configuration with a message naming the variable', async () => {
    const { code, stderr } = await runNodeProcess([MAIN], { PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT: must be a whole number, got "eighty"');
    expect(stderr).toContain('LOG_LEVEL: must be one of');
  });
});
