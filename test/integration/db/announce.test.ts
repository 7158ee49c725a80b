import pg from 'pg';
import { createEventAnnouncer } from '../../../src/db/event-announcer.js';
import { EVENTS_CHANNEL } from '../../../src/db/repositories/appends.js';
import { profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * docs/architecture.md#announcing-commits: other processes hear of a write's change events
 * after its commit, from a statement of its own, never from inside the writing transaction.
 */
let h: Harness;
let listener: pg.Client;
const heard: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  listener = new pg.Client({ connectionString: h.db.url });
  await listener.connect();
  listener.on('notification', (n) => heard.push(n.payload ?? ''));
  await listener.query(`listen ${EVENTS_CHANNEL}`);
});
afterAll(async () => {
  await listener.end();
  await h.close();
});

const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
};

describe('announcing committed change events', () => {
  it("names the write's tenant after the commit, outside the writing transaction", async () => {
    const ctx = await h.tenant();
    heard.length = 0;
    h.db.statements.length = 0;
    await h.services.users.create(ctx, profile('announced@example.com'));
    await until(() => heard.includes(ctx.tenantId));
    const statements = h.db.statements;
    const notify = statements.findIndex((s) => /pg_notify/.test(s));
    const append = statements.findIndex((s) => /insert into change_events/.test(s));
    expect(append).toBeGreaterThanOrEqual(0);
    // The transaction ends with the append when it is all there was (no BEGIN), else at its COMMIT.
    const begun = statements.slice(0, append).some((s) => /^begin\b/i.test(s));
    const end = begun ? statements.findIndex((s, i) => i > append && /^commit\b/i.test(s)) : append;
    expect(end).toBeGreaterThanOrEqual(append);
    expect(notify).toBeGreaterThan(end);
    expect(statements[append]).not.toMatch(/pg_notify/);
  });

  it('announces nothing for a write that rolled back', async () => {
    const ctx = await h.tenant();
    await h.services.users.create(ctx, profile('taken@example.com'));
    await until(() => heard.includes(ctx.tenantId));
    heard.length = 0;
    await expect(h.services.users.create(ctx, profile('taken@example.com'))).rejects.toThrow(/already taken/);
    // A later write's announcement arrives; none came before it for the failed one.
    const other = await h.tenant();
    await h.services.users.create(other, profile('later@example.com'));
    await until(() => heard.includes(other.tenantId));
    expect(heard).not.toContain(ctx.tenantId);
  });

  it('sends what is announced while a notification is on its way together, in the next one', async () => {
    const announcer = createEventAnnouncer(h.db.orm);
    heard.length = 0;
    h.db.statements.length = 0;
    announcer.announce(['a']);
    announcer.announce(['b']);
    announcer.announce(['a', 'b']);
    await announcer.settled();
    await until(() => heard.length >= 3);
    expect(h.db.statements.filter((s) => /pg_notify/.test(s))).toHaveLength(2);
    expect(heard.sort()).toEqual(['a', 'a', 'b']);
  });
});
