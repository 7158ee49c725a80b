import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { ROOT, runNodeProcess } from '../../support/server-process.js';

/**
 * The Docker image's `roster` command (Docker itself does not run here): the Dockerfile's own
 * instruction that installs it is run with the image's paths moved into a temporary directory and
 * this checkout (its build in dist/, as in the image), and the command it makes is run.
 */
const run = promisify(execFile);
let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'roster-docker-'));
});
afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('the Docker image', () => {
  it('has the command line on PATH as `roster`, and the docs show it run in the container', async () => {
    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const install = runtime.split('\n').find((l) => l.startsWith('RUN ') && l.includes('/usr/local/bin/roster'));
    expect(install).toBeDefined();
    // The image's WORKDIR is /app, holding dist/src as built here.
    await run('/bin/sh', ['-c', install!.slice(4).replaceAll('/usr/local/bin/', `${dir}/`).replaceAll('/app/', `${ROOT}/`)]);
    const env = { PATH: `${dir}:${path.dirname(process.execPath)}:/usr/bin:/bin`, DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    const created = await runNodeProcess(['-e', `require('node:child_process').execFileSync('roster', ['--json', 'tenant', 'create', '--name', 'In a container'], { stdio: 'inherit' })`], env);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'In a container' });

    const compose = await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/^ {2}roster:\n {4}build: \.$/m);
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('docker compose exec roster roster tenant create');
  });
});
