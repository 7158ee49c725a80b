import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmptyTestDatabase } from '../support/db.js';
import { send } from '../support/scim.js';
import { ROOT, startRoster, type RosterProcess } from '../support/server-process.js';

/**
 * No AsyncLocalStorage in the server process: its first `run` would leave Node.js's promise hooks on
 * for the process's life, a cost on every promise of every request (docs/architecture.md#async-context).
 * The real server migrates an empty database and answers both front doors with a probe loaded that
 * records each call of AsyncLocalStorage.run and enterWith.
 */
const PROBE = path.join(ROOT, 'dist/test/support/async-context-probe.js');
const ADMIN = 'e2e-async-context-admin-'.padEnd(40, 'k');
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const probeFile = (name: string) => path.join(tmpdir(), `roster-async-context-${process.pid}-${name}.log`);
const recorded = (file: string) => readFile(file, 'utf8').catch(() => '');

let db: { url: string; drop(): Promise<void> };
let roster: RosterProcess;
const serverFile = probeFile('server');

beforeAll(async () => {
  db = await createEmptyTestDatabase();
  roster = await startRoster({ DATABASE_URL: db.url, BOOTSTRAP_ADMIN_TOKEN: ADMIN, NODE_OPTIONS: `--import=${PROBE}`, ASYNC_CONTEXT_PROBE_FILE: serverFile });
});
afterAll(async () => {
  await roster?.stop();
  await db?.drop();
  await rm(serverFile, { force: true });
});

const gql = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${roster.baseUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data!;
};

it('records a call of AsyncLocalStorage.run in a process that makes one', async () => {
  const file = probeFile('check');
  const r = spawnSync(process.execPath, [`--import=${PROBE}`, '-e', "new (require('node:async_hooks').AsyncLocalStorage)().run(1, () => 0)"], {
    env: { PATH: process.env.PATH ?? '', ASYNC_CONTEXT_PROBE_FILE: file },
  });
  expect(r.status).toBe(0);
  expect(await recorded(file)).toMatch(/^run: /);
  await rm(file, { force: true });
});

it('migrates, then answers SCIM and GraphQL reads and writes, without switching AsyncLocalStorage on', async () => {
  expect((roster.logs.find((l) => l.msg === 'database ready')?.applied as string[]).length).toBeGreaterThan(0);
  const tenantId = ((await gql('mutation { createTenant(input: { name: "Async context" }) { tenant { id } } }')).createTenant!.tenant as { id: string }).id;
  const token = (await gql('mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "Entra ID" }) { token } }', { t: tenantId })).createScimConnection!.token as string;
  const scim = (method: string, p: string, body?: unknown) => send(`${roster.baseUrl}/scim/v2${p}`, method, token, body);

  const boss = await scim('POST', '/Users', { userName: 'boss@example.com' });
  expect(boss.status).toBe(201);
  const user = await scim('POST', '/Users', {
    userName: 'ada@example.com',
    emails: [{ value: 'ada@example.com', primary: true }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: boss.body.id } },
  });
  expect(user.status).toBe(201);
  expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`)).body.totalResults).toBe(1);
  expect((await scim('PATCH', `/Users/${user.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'Engineer' }] })).status).toBe(200);
  const group = await scim('POST', '/Groups', { displayName: 'Engineering' });
  expect(group.status).toBe(201);
  expect((await scim('PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: user.body.id }] }] })).status).toBe(204);
  const page = await gql('query($t: ID!) { tenant(id: $t) { users(first: 10) { nodes { userName groups { displayName } enterprise { manager { userName } } } } } }', { t: tenantId });
  expect((page.tenant!.users as { nodes: unknown[] }).nodes).toContainEqual({ userName: 'ada@example.com', groups: [{ displayName: 'Engineering' }], enterprise: { manager: { userName: 'boss@example.com' } } });
  // The announcements and the webhook fan-out that follow the writes run too.
  await new Promise((r) => setTimeout(r, 500));
  expect(await recorded(serverFile)).toBe('');
});
