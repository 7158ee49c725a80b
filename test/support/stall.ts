import pg from 'pg';

/** A lock held from a second PostgreSQL session, standing in for a stalled or overloaded database. */
export interface Stall {
  /** Ends the lock's transaction; waiting statements go on. */
  release(): Promise<void>;
}

async function holding(url: string, lock: (c: pg.Client) => Promise<unknown>): Promise<Stall> {
  // Named, so a test can end every other session of the database and spare this one.
  const c = new pg.Client({ connectionString: url, application_name: 'stall' });
  await c.connect();
  await c.query('begin');
  try {
    await lock(c);
  } catch (e) {
    await c.end();
    throw e;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await c.query('rollback');
      await c.end();
    },
  };
}

/** Locks a whole table so that every statement touching it waits: `lock table … in access exclusive mode`. */
export function stallTable(url: string, table: string): Promise<Stall> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  return holding(url, (c) => c.query(`lock table ${table} in access exclusive mode`));
}

/** Locks one row (`select … for update`), so writes to it wait while the rest of the table is free. */
export function stallRow(url: string, table: string, id: string): Promise<Stall> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  return holding(url, (c) => c.query(`select 1 from ${table} where id = $1 for update`, [id]));
}
