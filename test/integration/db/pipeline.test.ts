import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { poolStats } from '../../../src/db/orm.js';
import { UnavailableError } from '../../../src/domain/errors.js';
import { exec, later, pipelines, query, transaction, translateDbError, type ConnectionSource } from '../../../src/db/sql.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

/**
 * docs/architecture.md#pipelined-writes: the units of one pipeline in progress at once share one
 * pooled connection, each sent behind the one before without waiting for it to end; each is still
 * a transaction of its own, and a unit that needs BEGIN leaves the shared connection first.
 */
let db: TestDatabase;
let em: EntityManager;
let pipeline: (key: string) => ConnectionSource;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 6 });
  em = db.orm.em.fork();
  await exec(em, 'create table pipeline_probe (name text primary key)');
  pipeline = pipelines(em);
});
afterAll(() => db.drop());

const pidOf = async (tx: Parameters<Parameters<typeof transaction>[1]>[0], sleepSeconds = 0): Promise<number> =>
  (await query<{ pid: number }>(tx, 'select pg_backend_pid() as pid, pg_sleep(?::float8) as slept', [sleepSeconds]))[0]!.pid;

const names = async (): Promise<string[]> => (await query<{ name: string }>(em, 'select name from pipeline_probe order by name')).map((r) => r.name);

const insert = (name: string) => ({ sql: 'insert into pipeline_probe (name) values (?)', params: [name] });

/** A moment one side of a test waits for and the other marks: `reached` resolves once `mark` is called. */
function gate(): { reached: Promise<void>; mark: () => void } {
  let mark: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (mark = resolve));
  return { reached, mark };
}

describe('a pipeline of write units', () => {
  it('runs the units of a key in progress at once on one connection, those of another key on another, and gives it back once all ended', async () => {
    const [a, b, c] = await Promise.all([
      transaction(em, (tx) => pidOf(tx, 0.2), { pipeline: pipeline('k') }),
      transaction(em, (tx) => pidOf(tx), { pipeline: pipeline('k') }),
      transaction(em, (tx) => pidOf(tx, 0.1), { pipeline: pipeline('other') }),
    ]);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(poolStats(db.orm)().inUse).toBe(0);
    // The key starts afresh: a connection from the pool, held again.
    const again = await transaction(em, (tx) => pidOf(tx), { pipeline: pipeline('k') });
    expect(typeof again).toBe('number');
    expect(poolStats(db.orm)().inUse).toBe(0);
  });

  it('sends each unit as a transaction of its own: one that fails undoes none of the others', async () => {
    await exec(em, 'delete from pipeline_probe');
    await exec(em, "insert into pipeline_probe (name) values ('taken')");
    const outcomes = await Promise.allSettled([
      transaction(em, (tx) => later(tx, [insert('first')]), { pipeline: pipeline('k') }),
      // Its statement fails on the unique key, between the two others on the same connection.
      transaction(em, (tx) => later(tx, [insert('taken')]), { pipeline: pipeline('k') }),
      transaction(em, (tx) => later(tx, [insert('third')]), { pipeline: pipeline('k') }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await names()).toEqual(['first', 'taken', 'third']);
  });

  it('moves a unit that needs BEGIN to a connection of its own, so that no other unit of its key runs inside its transaction', async () => {
    await exec(em, 'delete from pipeline_probe');
    let own = 0;
    const { reached: begun, mark: began } = gate();
    const rolledBack = transaction(
      em,
      async (tx) => {
        // A plain read first, on the pipeline's connection.
        await pidOf(tx);
        // A write sent at once (not one of the unit's last ones) begins the transaction.
        await exec(tx, 'insert into pipeline_probe (name) values (?)', ['undone']);
        own = await pidOf(tx);
        began();
        // Held open while another unit of the key writes and ends.
        await pidOf(tx, 0.3);
        throw new Error('undo it');
      },
      { pipeline: pipeline('k') },
    );
    await begun;
    // Its share of the pipeline's connection went back when it moved: it holds its own alone.
    expect(poolStats(db.orm)().inUse).toBe(1);
    const other = transaction(
      em,
      async (tx) => {
        const pid = await pidOf(tx);
        await later(tx, [insert('kept')]);
        return pid;
      },
      { pipeline: pipeline('k') },
    );
    await expect(rolledBack).rejects.toThrow('undo it');
    // It may have the connection the pipeline gave back; the other unit has another.
    expect(await other).not.toBe(own);
    expect(await names()).toEqual(['kept']);
    expect(poolStats(db.orm)().inUse).toBe(0);
  });
  it('fails every unit on a connection the database ended, neither written, each a lost connection', async () => {
    await exec(em, 'delete from pipeline_probe');
    let pid = 0;
    const { reached: running, mark: started } = gate();
    const first = transaction(
      em,
      async (tx) => {
        pid = await pidOf(tx);
        started();
        await pidOf(tx, 5);
        await later(tx, [insert('first')]);
      },
      { pipeline: pipeline('k') },
    );
    await running;
    const second = transaction(em, (tx) => later(tx, [insert('second')]), { pipeline: pipeline('k') });
    await query(em, 'select pg_terminate_backend(?::int)', [pid]);
    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? translateDbError(o.reason) : o.value)).map((e) => (e instanceof UnavailableError ? e.reason : e))).toEqual(['connection_lost', 'connection_lost']);
    expect(await names()).toEqual([]);
    expect(poolStats(db.orm)().inUse).toBe(0);
  });

  it('gives a unit that starts after its connection ended a new one, while a unit on the ended one is still in progress', async () => {
    await exec(em, 'delete from pipeline_probe');
    let pid = 0;
    const { reached: running, mark: started } = gate();
    const { reached: released, mark: release } = gate();
    // In progress on the pipeline's connection, between two of its statements, while that connection ends.
    const inProgress = transaction(
      em,
      async (tx) => {
        pid = await pidOf(tx);
        started();
        await released;
        await later(tx, [insert('late')]);
      },
      { pipeline: pipeline('k') },
    );
    await running;
    await query(em, 'select pg_terminate_backend(?::int)', [pid]);
    // Once the process has read the end of the connection, a new unit of the key gets another one.
    let outcome: unknown;
    let nextPid = pid;
    try {
      const deadline = Date.now() + 5000;
      for (;;) {
        outcome = await transaction(em, (tx) => later(tx, [insert('next')]), { pipeline: pipeline('k') }).then(
          () => 'written',
          (e: unknown) => translateDbError(e),
        );
        if (outcome === 'written' || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (outcome === 'written') nextPid = await transaction(em, (tx) => pidOf(tx), { pipeline: pipeline('k') });
    } finally {
      release();
    }
    expect(outcome instanceof UnavailableError ? outcome.reason : outcome).toBe('written');
    expect(nextPid).not.toBe(pid);
    const last = await inProgress.then(
      () => 'written',
      (e: unknown) => translateDbError(e),
    );
    expect(last instanceof UnavailableError ? last.reason : last).toBe('connection_lost');
    expect(await names()).toEqual(['next']);
    expect(poolStats(db.orm)().inUse).toBe(0);
    // The key goes on as before once every unit ended.
    await transaction(em, (tx) => later(tx, [insert('after')]), { pipeline: pipeline('k') });
    expect(await names()).toEqual(['after', 'next']);
  });
});

describe('a statement sent right behind the first use of its name on a connection', () => {
  it('is parsed and sent again when that first Parse failed, not failed as a statement PostgreSQL does not know', async () => {
    const slow = await createTestDatabase({ poolMax: 2, statementTimeoutMs: 1000 });
    const locker = new pg.Client({ connectionString: slow.url });
    try {
      const sem = slow.orm.em.fork();
      await exec(sem, 'create table parse_probe (name text)');
      await locker.connect();
      // Parsing a statement that names the table waits for this lock, past the statement timeout.
      await locker.query('begin');
      await locker.query('lock table parse_probe in access exclusive mode');
      const pipeline = pipelines(sem);
      const count = (tx: Parameters<Parameters<typeof transaction>[1]>[0]) => query<{ n: number }>(tx, 'select count(*)::int as n from parse_probe where name is distinct from ?', ['x']);
      const first = transaction(sem, count, { pipeline: pipeline('k') });
      const second = transaction(sem, count, { pipeline: pipeline('k') });
      const released = new Promise<void>((resolve) => setTimeout(() => void locker.query('rollback').then(() => resolve()), 1500));
      const outcomes = await Promise.allSettled([first, second]);
      await released;
      expect(outcomes.map((o) => (o.status === 'rejected' ? translateDbError(o.reason) : o.value)).map((e) => (e instanceof UnavailableError ? e.reason : e))).toEqual([
        'statement_timeout',
        [{ n: 0 }],
      ]);
    } finally {
      await locker.end().catch(() => undefined);
      await slow.drop();
    }
  });
});
