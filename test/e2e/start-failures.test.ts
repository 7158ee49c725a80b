import { randomBytes } from 'node:crypto';
import { databaseExists, dropDatabaseIfExists, urlOnTestServer } from '../support/db.js';
import { startRoster } from '../support/server-process.js';

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

describe('roster process start-up', () => {
  it('refuses a database that does not exist, rather than creating it', async () => {
    expect(await outcome({ DATABASE_URL: urlOnTestServer(missing) })).toMatch(/^roster exited with 1 before listening/);
    expect(await databaseExists(missing)).toBe(false);
  });
});
