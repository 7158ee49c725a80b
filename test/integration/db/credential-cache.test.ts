import pg from 'pg';
import { CREDENTIALS_CHANNEL, CREDENTIALS_LISTENER, openCredentialCache, type CredentialCache } from '../../../src/db/credentials.cache.js';
import { createEmptyTestDatabase } from '../../support/db.js';

/**
 * The credential cache's listening connection against a real PostgreSQL (docs/architecture.md#credential-cache):
 * a write that changed a credential answers once its own process heard the change, since then every
 * listening process has; a process that cannot hear gives the others the whole time instead.
 */
let db: { url: string; drop(): Promise<void> };
let cache: CredentialCache;
let admin: pg.Client;

beforeAll(async () => {
  db = await createEmptyTestDatabase();
  // No reconnection while the test runs: once its connection is ended, the cache stays deaf.
  cache = await openCredentialCache({ url: db.url, reconnectMs: 600_000 });
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await cache.close();
  await admin.end();
  await db.drop();
});

const elapsed = async (p: Promise<void>) => {
  const t0 = performance.now();
  await p;
  return performance.now() - t0;
};

describe('credential cache', () => {
  it('lets a writer go as soon as its change is heard', async () => {
    expect(cache.listening).toBe(true);
    const heard = cache.nextChange(60_000);
    await admin.query(`select pg_notify('${CREDENTIALS_CHANNEL}', '')`);
    expect(await elapsed(heard)).toBeLessThan(4_000);
  });

  it('keeps a writer waiting out its time when the listening connection is lost meanwhile', async () => {
    const t0 = performance.now();
    const waiting = cache.nextChange(800);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()', [CREDENTIALS_LISTENER]);
    while (cache.listening) await new Promise((r) => setTimeout(r, 10));
    await waiting;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(780);
  });

  it('makes a writer that cannot hear changes wait out its time, and serves nothing cached', async () => {
    expect(cache.listening).toBe(false);
    cache.set('key', 'value', cache.epoch());
    expect(cache.get('key')).toBeUndefined();
    expect(await elapsed(cache.nextChange(500))).toBeGreaterThanOrEqual(480);
  });
});
