import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A new, empty Roster data directory for an embedded PostgreSQL. */
export const newDataDir = (prefix: string): Promise<string> => mkdtemp(path.join(tmpdir(), prefix));

/** Removes a data directory and, run as root, the cluster its `pg` links to under /var/lib/roster. */
export async function removeDataDir(dir: string): Promise<void> {
  const pgdata = await realpath(path.join(dir, 'pg')).catch(() => null);
  if (pgdata && !pgdata.startsWith(dir)) await rm(pgdata, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
}
