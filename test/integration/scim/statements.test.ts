import { scimSuite } from '../../support/harness.js';
import { GROUP_SCHEMA, patchBody, USER_SCHEMA } from '../../support/scim.js';

/**
 * docs/architecture.md#statements-per-request: what a SCIM request sends to PostgreSQL, beyond
 * what its answer needs, is a cost on every request. The test database records every statement.
 */
const suite = scimSuite();

/** The statements the request ran, and its reply. */
async function statementsOf<T>(fn: () => Promise<T>): Promise<{ statements: string[]; reply: T }> {
  const { h, c } = suite;
  await c.get('/ServiceProviderConfig');
  await h.db.settled();
  h.db.statements.length = 0;
  const reply = await fn();
  await h.db.settled();
  return { statements: [...h.db.statements], reply };
}

const COUNT = /select count\(\*\)/;
const GROUPS_OF = /m\.member_user_id as member_id/;

describe('statements per SCIM request', () => {
  it('answers a lookup by userName with an exact totalResults and no count statement', async () => {
    await suite.c.post('/Users', { schemas: [USER_SCHEMA], userName: 'lookup@example.com' });
    const { statements, reply } = await statementsOf(() => suite.c.get(`/Users?filter=${encodeURIComponent('userName eq "LOOKUP@example.com"')}`));
    expect(reply.status).toBe(200);
    expect(reply.body.totalResults).toBe(1);
    expect(reply.body.Resources).toHaveLength(1);
    expect(statements.some((s) => COUNT.test(s))).toBe(false);
    const missing = await statementsOf(() => suite.c.get(`/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`));
    expect(missing.reply.body.totalResults).toBe(0);
    expect(missing.statements.some((s) => COUNT.test(s))).toBe(false);
  });

  it('counts when the page cannot prove the total, and the total stays exact', async () => {
    for (const n of [1, 2, 3]) await suite.c.post('/Users', { schemas: [USER_SCHEMA], userName: `paged${n}@example.com` });
    const filter = encodeURIComponent('userName sw "paged"');
    const first = await statementsOf(() => suite.c.get(`/Users?filter=${filter}&count=2`));
    expect(first.reply.body.totalResults).toBe(3);
    expect(first.reply.body.Resources).toHaveLength(2);
    expect(first.statements.some((s) => COUNT.test(s))).toBe(true);
    const beyond = await statementsOf(() => suite.c.get(`/Users?filter=${filter}&startIndex=9`));
    expect(beyond.reply.body.totalResults).toBe(3);
    expect(beyond.reply.body.Resources).toHaveLength(0);
  });

  it('answers a create without reading the new user\'s groups, and returns no groups', async () => {
    const { statements, reply } = await statementsOf(() => suite.c.post('/Users', { schemas: [USER_SCHEMA], userName: 'fresh@example.com' }));
    expect(reply.status).toBe(201);
    expect(reply.body.groups).toBeUndefined();
    expect(statements.some((s) => GROUPS_OF.test(s))).toBe(false);
    const read = await statementsOf(() => suite.c.get(`/Users/${reply.body.id}`));
    expect(read.statements.some((s) => GROUPS_OF.test(s))).toBe(false);
  });

  it('answers a group created without members without reading them, and one created with members with them', async () => {
    const MEMBERS_OF = /from memberships m left join users mu/;
    const empty = await statementsOf(() => suite.c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'fresh group' }));
    expect(empty.reply.status).toBe(201);
    expect(empty.reply.body.members).toEqual([]);
    // The group, its audit and change events in one statement (and the announcement of the event after it).
    expect(empty.statements.filter((s) => !s.includes('pg_notify'))).toHaveLength(1);
    expect(empty.statements.some((s) => MEMBERS_OF.test(s))).toBe(false);
    const read = await suite.c.get(`/Groups/${empty.reply.body.id}`);
    expect(read.body.members).toEqual([]);

    const user = await suite.c.post('/Users', { schemas: [USER_SCHEMA], userName: 'founding.member@example.com' });
    const full = await statementsOf(() => suite.c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'founded group', members: [{ value: user.body.id }] }));
    expect(full.reply.status).toBe(201);
    expect(full.reply.body.members).toEqual([expect.objectContaining({ value: user.body.id, type: 'User' })]);
    expect(full.statements.some((s) => MEMBERS_OF.test(s))).toBe(true);
  });

  it('reads a user and its groups in one statement, and only when the answer holds them', async () => {
    const { c } = suite;
    const made = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'member@example.com' });
    const group = await c.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Members', members: [{ value: made.body.id }] });
    expect(group.status).toBe(201);
    const byId = await statementsOf(() => c.get(`/Users/${made.body.id}`));
    expect(byId.reply.body.groups).toEqual([expect.objectContaining({ value: group.body.id, display: 'Members', type: 'direct' })]);
    expect(byId.statements).toHaveLength(1);
    const lookup = await statementsOf(() => c.get(`/Users?filter=${encodeURIComponent('userName eq "member@example.com"')}`));
    expect(lookup.reply.body.Resources[0].groups).toEqual(byId.reply.body.groups);
    expect(lookup.statements).toHaveLength(1);
    const without = await statementsOf(() => c.get(`/Users/${made.body.id}?excludedAttributes=groups`));
    expect(without.reply.body.groups).toBeUndefined();
    expect(without.statements).toHaveLength(1);
    expect(without.statements[0]).not.toMatch(/from memberships/);
  });

  it('answers a PATCH and a PUT of a user the process remembers with the groups read by the write: one statement, no more', async () => {
    const { c } = suite;
    const made = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'changed-member@example.com' });
    const group = await c.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Changed members', members: [{ value: made.body.id }] });
    const groups = [expect.objectContaining({ value: group.body.id, display: 'Changed members', type: 'direct' })];
    // Read by id first, as Entra does before it changes a user.
    await c.get(`/Users/${made.body.id}`);
    const patched = await statementsOf(() => c.patch(`/Users/${made.body.id}`, patchBody({ op: 'replace', path: 'title', value: 'Usher' })));
    expect(patched.reply.status).toBe(200);
    expect(patched.reply.body).toMatchObject({ title: 'Usher', groups });
    // docs/architecture.md#remembered-users: planned from the state that read left, no read before the write.
    const sent = patched.statements.filter((s) => !/pg_notify/.test(s));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^(?:\/\*[^*]*\*\/ )?with w0 as \(update users .* join memberships m/s);
    expect(patched.statements.some((s) => GROUPS_OF.test(s))).toBe(false);
    const put = await statementsOf(() => c.put(`/Users/${made.body.id}`, { schemas: [USER_SCHEMA], userName: 'changed-member@example.com', title: 'Host' }));
    expect(put.reply.status).toBe(200);
    expect(put.reply.body).toMatchObject({ title: 'Host', groups });
    expect(put.statements.filter((s) => !/pg_notify/.test(s))).toHaveLength(1);
    // An answer without groups reads none.
    const without = await statementsOf(() => c.patch(`/Users/${made.body.id}?excludedAttributes=groups`, patchBody({ op: 'replace', path: 'title', value: 'Guide' })));
    expect(without.reply.body.groups).toBeUndefined();
    expect(without.statements.some((s) => /from memberships/.test(s))).toBe(false);
  });

  it('rewrites only the multi-valued attributes a PATCH changes', async () => {
    const made = await suite.c.post('/Users', {
      schemas: [USER_SCHEMA],
      userName: 'patched@example.com',
      emails: [{ value: 'patched@example.com', primary: true }],
      addresses: [{ locality: 'Hollywood' }],
    });
    const patch = (...ops: unknown[]) => suite.c.patch(`/Users/${made.body.id}`, patchBody(...ops));
    const title = await statementsOf(() => patch({ op: 'replace', path: 'title', value: 'Tour Guide' }));
    expect(title.reply.status).toBe(200);
    expect(title.statements.some((s) => /user_values|user_addresses/.test(s) && /^(?:\/\*[^*]*\*\/ )?(?:delete|insert)/i.test(s))).toBe(false);
    const emails = await statementsOf(() => patch({ op: 'add', path: 'emails', value: [{ value: 'babs@example.org', type: 'home' }] }));
    expect(emails.statements.some((s) => /delete from user_values/.test(s))).toBe(true);
    expect(emails.statements.some((s) => /user_addresses/.test(s) && /delete|insert/.test(s))).toBe(false);
    const read = await suite.c.get(`/Users/${made.body.id}`);
    expect(read.body).toMatchObject({
      title: 'Tour Guide',
      emails: [{ value: 'patched@example.com', primary: true }, { value: 'babs@example.org', type: 'home' }],
      addresses: [{ locality: 'Hollywood' }],
    });
  });

  it('writes a created user with its multi-valued rows, then its audit and change events, in one statement each', async () => {
    const { statements, reply } = await statementsOf(() =>
      suite.c.post('/Users', {
        schemas: [USER_SCHEMA],
        userName: 'together@example.com',
        emails: [{ value: 'together@example.com', primary: true }],
        addresses: [{ locality: 'Hollywood' }],
      }),
    );
    expect(reply.status).toBe(201);
    const inserts = (table: string) => statements.filter((s) => new RegExp(`insert into ${table}\\b`).test(s));
    expect(inserts('users')).toHaveLength(1);
    expect(inserts('user_values')).toEqual(inserts('users'));
    expect(inserts('user_addresses')).toEqual(inserts('users'));
    expect(inserts('audit_events')).toHaveLength(1);
    expect(inserts('change_events')).toEqual(inserts('audit_events'));
    // The user, its rows and its events are the whole transaction: no BEGIN, no COMMIT, and nothing written apart.
    expect(inserts('users')).toEqual(inserts('audit_events'));
    expect(statements.filter((s) => /^(begin|commit)\b/i.test(s))).toEqual([]);
    expect(statements.filter((s) => /\b(insert into|update|delete from) [a-z_]+/.test(s) && !/pg_notify/.test(s))).toEqual(inserts('users'));
    const read = await suite.c.get(`/Users/${reply.body.id}`);
    expect(read.body).toMatchObject({ emails: [{ value: 'together@example.com', primary: true }], addresses: [{ locality: 'Hollywood' }] });

    const title = await statementsOf(() => suite.c.patch(`/Users/${reply.body.id}`, patchBody({ op: 'replace', path: 'title', value: 'Guide' })));
    expect(title.reply.status).toBe(200);
    expect(title.statements.filter((s) => /insert into audit_events\b/.test(s) && /insert into change_events\b/.test(s))).toHaveLength(1);
  });
});
