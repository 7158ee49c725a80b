// Runs once per jest run, outside the test module system, so it loads the compiled build
// (`npm test` builds first).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../dist/src/db/embedded.js';

/**
 * Tests talk to a real PostgreSQL: the server named by TEST_DATABASE_URL, or else an embedded
 * one started here for this run (its cluster lives in a temporary directory and goes with it).
 * Each test file then makes its own database on that server (test/support/db.ts).
 */
export default async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) return;
  const dir = await mkdtemp(path.join(tmpdir(), 'roster-test-pg-'));
  const db = await startEmbeddedPostgres(dir, { database: 'postgres', persistent: false });
  globalThis.__rosterEmbedded = db;
  process.env.TEST_DATABASE_URL = db.url;
}
