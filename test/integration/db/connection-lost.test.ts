import { execFileSync } from 'node:child_process';
import { UnavailableError } from '../../../src/domain/errors.js';
import { profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * A pooled connection whose session the database ended while it sat idle (a restart, a failover,
 * an administrator) is found out only when it is next used. A plain read that meets such a
 * connection is sent again on another: it changed nothing, so nothing can happen twice
 * (docs/architecture.md#robustness).
 */
let h: Harness;
beforeAll(async () => (h = await startHarness({ DB_POOL_MAX: '4' })));
afterAll(() => h.close());

/**
 * Ends every other session of the database and waits until they are gone, from another process
 * while this one's event loop is blocked, so that the pool's idle connections have not yet heard
 * of it when the next statement takes one.
 */
function endSessionsUnheard(url: string): number {
  const script = `
const pg = require('pg');
const c = new pg.Client({ connectionString: process.argv[1] });
c.connect()
  .then(() => c.query('select count(*)::int as n from (select pg_terminate_backend(pid, 10000) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()) t'))
  .then((r) => { process.stdout.write(String(r.rows[0].n)); return c.end(); });
`;
  return Number(execFileSync(process.execPath, ['-e', script, url], { encoding: 'utf8' }));
}

describe('a connection the database ended while it was idle', () => {
  it('makes a plain read use another connection, not answer 503', async () => {
    const ctx = await h.tenant();
    const created = await h.services.users.create(ctx, profile('idle.ended@example.com'));
    // The pool holds idle connections that have read.
    await Promise.all(Array.from({ length: 4 }, () => h.services.users.get(ctx, created.user.id)));
    expect(endSessionsUnheard(h.db.url)).toBeGreaterThan(0);
    const outcome = await h.services.users.get(ctx, created.user.id).then(
      (u) => ({ id: u.id }),
      (e: unknown) => ({ error: e instanceof UnavailableError ? `unavailable: ${e.reason}` : String(e) }),
    );
    expect(outcome).toEqual({ id: created.user.id });
  });
});
