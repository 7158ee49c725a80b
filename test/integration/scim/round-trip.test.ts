import { readFileSync } from 'node:fs';
import { scimSuite } from '../../support/harness.js';
import { patchBody, USER_SCHEMA } from '../../support/scim.js';

/**
 * Values come back as sent (RFC 7643 §2, docs/architecture.md#values-as-sent): every attribute of the default
 * Entra ID, Okta and SingleID mappings, written by POST, PUT and PATCH, reads back byte for byte.
 * A value Roster reformats makes Entra PATCH it again every cycle (docs/entra.md#the-conversation).
 */

type Json = Record<string, unknown>;
interface Case { name: string; mappings: string[]; sent: Json; patch?: Json[] }
const { cases } = JSON.parse(readFileSync(new URL('./round-trip.fixtures.json', import.meta.url), 'utf8')) as { cases: Case[] };

const app = scimSuite();
let managerId = '';
let n = 0;

/** The case with its placeholders filled in. */
const fill = <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll('$MANAGER_ID', managerId)) as T;
const sentOf = (c: Case) => fill(c.sent);
const userNameFor = (c: Case) => (typeof c.sent.userName === 'string' ? `${n++}.${c.sent.userName}` : `round-trip-${n++}@example.com`);
const withName = (c: Case, userName: string): Json => ({ ...sentOf(c), userName });
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** What the response holds of the attributes the case names; `schemas` lists the enterprise URN when it is used. */
function expectRoundTrip(body: Json, c: Case, userName: string): void {
  const want: Json = { ...sentOf(c), ...(typeof c.sent.userName === 'string' ? { userName } : {}) };
  for (const [key, value] of Object.entries(want)) expect({ [key]: body[key] }).toStrictEqual({ [key]: value });
  if (want[ENTERPRISE]) expect(body.schemas).toContain(ENTERPRISE);
}

beforeAll(async () => {
  managerId = (await app.c.post('/Users', { schemas: [USER_SCHEMA], userName: 'the.manager@example.com' })).body.id as string;
});

describe.each(cases.map((c) => [`${c.name} (${c.mappings.join(', ')})`, c] as const))('%s', (_name, c) => {
  it('POST, then GET: as sent', async () => {
    const userName = userNameFor(c);
    const created = await app.c.post('/Users', { schemas: [USER_SCHEMA], ...withName(c, userName) });
    expect(created.status).toBe(201);
    expectRoundTrip(created.body, c, userName);
    const read = await app.c.get(`/Users/${created.body.id}`);
    expectRoundTrip(read.body, c, userName);
  });

  it('PUT, then GET: as sent', async () => {
    const before = await app.c.post('/Users', { schemas: [USER_SCHEMA], userName: userNameFor(c) });
    const userName = userNameFor(c);
    const put = await app.c.put(`/Users/${before.body.id}`, { schemas: [USER_SCHEMA], ...withName(c, userName) });
    expect(put.status).toBe(200);
    expectRoundTrip(put.body, c, userName);
    expectRoundTrip((await app.c.get(`/Users/${before.body.id}`)).body, c, userName);
  });

  it('PATCH, then GET: as sent', async () => {
    const before = await app.c.post('/Users', { schemas: [USER_SCHEMA], userName: userNameFor(c) });
    const userName = userNameFor(c);
    const sent = withName(c, userName);
    const ops = c.patch ? fill(c.patch).map((o) => (o.path === 'userName' ? { ...o, value: userName } : o)) : Object.entries(sent).filter(([k]) => k !== 'userName' || c.sent.userName !== undefined).map(([path, value]) => ({ op: 'replace', path, value }));
    const patched = await app.c.patch(`/Users/${before.body.id}`, patchBody(...ops));
    expect(patched.status).toBe(200);
    expectRoundTrip(patched.body, c, userName);
    expectRoundTrip((await app.c.get(`/Users/${before.body.id}`)).body, c, userName);
  });
});
