import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { send } from '../support/scim.js';
import { startRoster, type RosterProcess } from '../support/server-process.js';

/**
 * The embedded PostgreSQL's own log reaches Roster's log at debug level; a statement that fails
 * there (a duplicate userName, say) must not bring its values along (docs/operations.md#logs).
 */

const ADMIN = 'e2e-logs-admin-'.padEnd(40, 'k');
const MARK = 'zqmarkpg';
let dataDir: string;
let roster: RosterProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'roster-e2e-logs-'));
  roster = await startRoster({ ROSTER_DATA_DIR: dataDir, LOG_LEVEL: 'debug', BOOTSTRAP_ADMIN_TOKEN: ADMIN });
});
afterAll(async () => {
  await roster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const gql = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${roster.baseUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return ((await res.json()) as { data: Record<string, { [k: string]: unknown }> }).data;
};

it('keeps the values of a failed statement out of the log, PostgreSQL’s lines included', async () => {
  const t = await gql('mutation { createTenant(input: { name: "Logs" }) { tenant { id } } }');
  const tenantId = (t.createTenant!.tenant as { id: string }).id;
  const c = await gql('mutation($t: ID!) { createScimConnection(input: { tenantId: $t, name: "Entra ID" }) { token } }', { t: tenantId });
  const token = c.createScimConnection!.token as string;
  const user = { userName: `${MARK}@example.com`, name: { givenName: MARK } };
  expect((await send(`${roster.baseUrl}/scim/v2/Users`, 'POST', token, user)).status).toBe(201);
  expect((await send(`${roster.baseUrl}/scim/v2/Users`, 'POST', token, user)).status).toBe(409);
  // PostgreSQL writes its log a moment later.
  await new Promise((r) => setTimeout(r, 500));
  expect(roster.logs.some((l) => l.msg === 'embedded postgres')).toBe(true);
  expect(roster.logs.map((l) => JSON.stringify(l)).filter((l) => l.includes(MARK))).toEqual([]);
});
