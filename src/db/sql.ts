import { createHash } from 'node:crypto';
import { DriverException, type EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Later } from '../domain/ports.js';
import { extended } from '../domain/shared/objects.js';
import { ConflictError, InvalidValueError, NotFoundError, StaleWriteError, UnavailableError, type UnavailableReason, type UniqueRule } from '../domain/errors.js';

/**
 * Where a unit of work's statements run: an EntityManager (a connection from its pool for each
 * statement, or its MikroORM transaction's), or a transaction of Roster's own (see `transaction`).
 */
export type Db = EntityManager | Transaction;

/**
 * A transaction on one pooled connection, opened and ended by `transaction` below. It begins at
 * its first statement that is not a plain read, and its last writes wait in `later` to be sent as
 * one statement (see `transaction`).
 */
export interface Transaction {
  readonly em: EntityManager;
  /**
   * Where its statements go: a connection of its own, or one its pipeline shares until the unit
   * needs BEGIN (see `begin`).
   */
  connection: PgConnection;
  /** The pipeline whose shared connection `connection` is; null for a connection of its own. */
  pipeline: ConnectionSource | null;
  /** Whether `connection` is held and is to be given back when the unit ends. */
  held: boolean;
  /** Whether BEGIN was sent. */
  begun: boolean;
  /** BEGIN on its way, once asked for: every statement that needs it awaits the same one. */
  beginning: Promise<void> | null;
  /** Writes not sent yet, in order, each with the table it writes (see `later`). */
  readonly later: Waiting[];
}

/** A write waiting in a transaction's `later`, with the table it writes. */
type Waiting = Statement & { readonly table: string };

/** One parameterised statement (`?` placeholders). */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /**
   * A guarded write (`... returning 1`): when it changes no row, the statement it is sent in
   * fails with StaleWriteError and none of its writes land (docs/architecture.md#optimistic-writes).
   */
  readonly expectRow?: boolean;
  /** A guarded write that must change exactly this many rows, or the statement it is sent in fails likewise. */
  readonly expectRows?: number;
  /**
   * The name it takes as a CTE of the statement it is sent in, so that a write sent with it can
   * read what it returns (`returning ...`); see `uses`.
   */
  readonly name?: string;
  /** The name of a waiting write whose returned rows this one reads: it must be sent in the same statement. */
  readonly uses?: string;
  /** Hears the rows it returned, once the statement it was sent in ran (see `laterRows`). */
  readonly onRows?: (rows: unknown[]) => void;
  /**
   * Writes rows no other write of its unit writes: rows it creates with new ids, or rows named by
   * id that nothing else in the unit changes. It may then go in one statement with the waiting
   * writes of its table that say the same (see `later`).
   */
  readonly disjoint?: boolean;
}
const isTransaction = (db: Db): db is Transaction => 'connection' in db;

/** The `pg` client of a pooled connection, as knex hands it out. */
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(text: string): Promise<unknown>;
}
/** knex's client: the pool's, or a transaction's, whose "acquire" hands out the transaction's own connection. */
export interface ConnectionSource {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
}

/** A statement as sent: `$n` placeholders, its fingerprint comment, and a name when it is prepared. */
interface Prepared {
  readonly text: string;
  readonly name: string | undefined;
  /** A select that neither locks rows nor calls a function that changes state: it may run before BEGIN. */
  readonly plainRead: boolean;
}

const SELECT = /^\s*\(?\s*select\b/i;
const LOCKING = /\bfor\s+(?:update|no\s+key\s+update|share|key\s+share)\b/i;
const STATEFUL_CALL = /\b(?:pg_\w*advisory\w*|pg_notify|nextval|setval|set_config|pg_current_xact_id)\s*\(/i;

/**
 * How many distinct statements are prepared by name; more are sent unnamed. Filters shape
 * statement texts, and every pooled session keeps each statement it prepared, so the number is
 * bounded. The hot statements are the first ones seen.
 */
const MAX_PREPARED = 2000;
const compiled = new Map<string, Prepared>();
let named = 0;

function prepare(sql: string): Prepared {
  let p = compiled.get(sql);
  if (p) return p;
  const tagged = tagStatement(sql);
  let n = 0;
  // Statement texts come from code and never hold a literal `?`: each one is a parameter.
  const text = tagged.replace(/\?/g, () => `$${++n}`);
  const fp = TAG.exec(tagged)![1]!;
  p = { text, name: named < MAX_PREPARED ? `roster_${fp}` : undefined, plainRead: SELECT.test(sql) && !LOCKING.test(sql) && !STATEFUL_CALL.test(sql) };
  if (p.name) named++;
  if (compiled.size >= 5000) compiled.clear();
  compiled.set(sql, p);
  return p;
}

/**
 * Runs one statement on the connection of the unit of work (its transaction's, or one from the
 * pool for this statement alone) as a named prepared statement with bound parameters, directly
 * on `pg` (docs/architecture.md#prepared-statements). MikroORM's own path inlines every value
 * into the text, so PostgreSQL parses and plans each statement anew.
 */
async function run(db: Db, sql: string, params: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
  const p = prepare(sql);
  if (isTransaction(db)) {
    // What waits is sent first, so every statement sees the unit's writes before it.
    await sendLater(db, false);
    if (!p.plainRead) await begin(db);
    return send(db.em, db.connection, p, params);
  }
  const trx = db.getTransactionContext<{ client: ConnectionSource }>();
  const source = trx ? trx.client : poolOf(db);
  for (;;) {
    const connection = await source.acquireConnection();
    try {
      return await send(db, connection, p, params);
    } catch (e) {
      // A plain read on a pooled connection whose session ended while it sat idle (a restart, a
      // failover) changed nothing: it is sent again on another connection. Each such connection
      // fails once and is dropped; one that never served failing means the database is out of
      // reach, and that is the answer (docs/architecture.md#robustness).
      if (trx || !p.plainRead || !lostWhilePooled(connection, e)) throw e;
      dropConnection(connection, e);
    } finally {
      await source.releaseConnection(connection);
    }
  }
}

/** Connections that completed a statement: one of them that is lost went stale while pooled. */
const served = new WeakSet<PgConnection>();

const lostWhilePooled = (connection: PgConnection, e: unknown): boolean =>
  served.has(connection) && e !== null && typeof e === 'object' && unavailableFault(e as DriverLike)?.reason === 'connection_lost';

/**
 * Keeps a lost connection from being handed out again: knex's pool refuses a connection marked
 * `__knex__disposed`, which its own listeners set when `pg` reports the connection's end, an
 * event that may not have been read yet.
 */
function dropConnection(connection: PgConnection, e: unknown): void {
  (connection as { __knex__disposed?: unknown }).__knex__disposed = e;
}

const poolOf = (em: EntityManager): ConnectionSource => em.getConnection().getKnex().client as ConnectionSource;

async function send(em: EntityManager, connection: PgConnection, p: Prepared, params: readonly unknown[]) {
  const started = Date.now();
  const config = { name: p.name, text: p.text, values: params as unknown[] };
  try {
    let result;
    try {
      result = await connection.query(config);
    } catch (e) {
      // Sent right behind the first use of its name on a pipelined connection, a statement goes
      // without its own Parse; when that first Parse failed (a lock that outlasted the statement
      // timeout), PostgreSQL never ran this one and knows no statement of that name. `pg` has
      // forgotten the name, so it is sent again, parsed this time
      // (docs/architecture.md#pipelined-writes).
      if (p.name === undefined || (e as { code?: unknown } | null)?.code !== UNKNOWN_STATEMENT) throw e;
      result = await connection.query(config);
    }
    served.add(connection);
    return result;
  } catch (e) {
    // As knex put it: the statement (without values) before PostgreSQL's message, so a log line can name it.
    if (e instanceof Error) e.message = `${p.text} - ${e.message}`;
    throw e;
  } finally {
    logStatement(em, p.text, started);
  }
}

/** Hands the statement to MikroORM's query logger, which records statements for tests when enabled; off, it costs a check. */
function logStatement(em: EntityManager, text: string, started: number): void {
  if (!em.config.getLogger().isEnabled('query')) return;
  (em.getConnection() as unknown as { logQuery(query: string, context: { took: number }): void }).logQuery(text, { took: Date.now() - started });
}

async function control(em: EntityManager, connection: PgConnection, command: 'begin' | 'commit' | 'rollback'): Promise<void> {
  const started = Date.now();
  try {
    await connection.query(command);
  } finally {
    logStatement(em, command, started);
  }
}

function begin(tx: Transaction): Promise<void> {
  return (tx.beginning ??= moveAndBegin(tx));
}

async function moveAndBegin(tx: Transaction): Promise<void> {
  // A transaction of several statements cannot share a connection: another unit's statement sent
  // behind one of them would run inside it. It moves to a connection of its own first, giving its
  // share back before it waits for the pool; what it sent before were plain reads, each of its own
  // snapshot wherever it ran, and all of them answered (see `transaction`).
  if (tx.pipeline) {
    const pipeline = tx.pipeline;
    tx.pipeline = null;
    tx.held = false;
    await pipeline.releaseConnection(tx.connection);
    tx.connection = await poolOf(tx.em).acquireConnection();
    tx.held = true;
  }
  tx.begun = true;
  await control(tx.em, tx.connection, 'begin');
}

/**
 * Sends the writes waiting in `tx.later` as one statement: each one a data-modifying CTE of it.
 * `last` says nothing follows in the unit: a unit that has not begun then needs no BEGIN, as one
 * statement is a transaction of its own.
 */
async function sendLater(tx: Transaction, last: boolean): Promise<void> {
  if (tx.later.length === 0) return;
  const statements = tx.later.splice(0);
  const { sql, params } = combined(statements);
  if (!last) await begin(tx);
  handOut(statements, await send(tx.em, tx.connection, prepare(sql), params));
}

/** Hands each statement that wants them the rows it returned (see `combined`). */
function handOut(statements: readonly Statement[], result: { rows: unknown[] }): void {
  const row = result.rows[0] as Record<string, unknown[]> | undefined;
  statements.forEach((st, i) => st.onRows?.(row?.[`r${i}`] ?? []));
}

/**
 * Statements as one: alone as they are, several as the CTEs of `with ... select 1`. A guarded
 * write makes the statement end in `roster_expect_row` on whether it found its row, which fails
 * the whole statement, every CTE of it, when it did not.
 */
function combined(statements: readonly Statement[]): Statement {
  const cte = (st: Statement, i: number) => st.name ?? `w${i}`;
  const guards = statements.flatMap((st, i) => [
    ...(st.expectRow ? [`exists (select 1 from ${cte(st, i)})`] : []),
    ...(st.expectRows !== undefined ? [`(select count(*) from ${cte(st, i)}) = ?::int`] : []),
  ]);
  const wanted = statements.flatMap((st, i) => (st.onRows ? [`(select coalesce(json_agg(r), '[]') from ${cte(st, i)} r) as r${i}`] : []));
  if (statements.length === 1 && guards.length === 0 && wanted.length === 0) return statements[0]!;
  return {
    sql: `with ${statements.map((st, i) => `${cte(st, i)} as (${st.sql})`).join(', ')} select ${guards.length ? `roster_expect_row(${guards.join(' and ')})` : '1'}${wanted.map((w) => `, ${w}`).join('')}`,
    params: [...statements.flatMap((st) => st.params), ...statements.flatMap((st) => (st.expectRows !== undefined ? [st.expectRows] : []))],
  };
}

/** The table an insert, update or delete writes; null for any other statement. */
const TARGET = /^\s*(?:insert\s+into|update|delete\s+from)\s+([a-z_]+)\b/i;

/**
 * A write whose result is not needed before the unit ends (`laterRows` hands it out after): in a
 * transaction it waits, to be sent with the unit's other waiting writes as one statement just
 * before the unit's next statement or at its end (docs/architecture.md#transactions); elsewhere it
 * runs now. Only a plain insert, update or delete
 * waits, and only while no waiting write changes the same table, as the CTEs of one statement see
 * the same snapshot and run in no set order: an update after an update of the same row would be lost.
 * Writes of one table that each write rows no other does (`disjoint`) wait together.
 */
export async function later(db: Db, statements: readonly Statement[]): Promise<void> {
  if (statements.length === 0) return;
  if (!isTransaction(db)) {
    await sendNow(db, statements);
    return;
  }
  for (const st of statements) {
    const table = TARGET.exec(st.sql)?.[1]?.toLowerCase();
    if (!table) {
      await sendNow(db, [st]);
      continue;
    }
    if (db.later.some((w) => w.table === table && !(w.disjoint && st.disjoint))) await sendLater(db, false);
    // What it reads must go out in the same statement: a flush in between would have sent it alone.
    if (st.uses !== undefined && !waiting(db, st.uses)) throw new Error(`a write reads "${st.uses}", which is not waiting to be sent with it`);
    db.later.push(extended(st, { table }));
  }
}

/** Sends statements at once, as one, and hands out what they return. */
async function sendNow(db: Db, statements: readonly Statement[]): Promise<void> {
  const one = combined(statements);
  handOut(statements, await run(db, one.sql, one.params));
}

/** Whether a write named `name` waits in this unit to be sent with its last writes (see `Statement.name`). */
export const waiting = (db: Db, name: string): boolean => isTransaction(db) && db.later.some((w) => w.name === name);

/**
 * A write (`later`) whose returned rows are wanted: they come back in the statement it is sent in,
 * which in a transaction is the unit's last (so they are read after the unit, never awaited in it).
 */
export async function laterRows<T, R>(db: Db, st: Statement, read: (rows: T[]) => R): Promise<Later<R>> {
  let value: { v: R } | null = null;
  await later(db, [{ ...st, onRows: (rows) => (value = { v: read(rows as T[]) }) }]);
  return {
    get sent() {
      return value !== null;
    },
    get() {
      if (!value) throw new Error('the write was not sent yet: its rows are known once the unit of work ended');
      return value.v;
    },
  };
}

/**
 * Runs `fn` as one transaction on one connection of `em`'s pool, or rolls it back when `fn` throws
 * (docs/architecture.md#transactions). BEGIN goes out with the first statement that is not a
 * plain read: under READ COMMITTED every statement reads its own snapshot, inside a transaction
 * or not, so reads before it see what they would see after it. The writes that wait (`later`)
 * go out as one statement at the end, followed by COMMIT; when nothing else wrote, that statement
 * is the whole transaction, and neither BEGIN nor COMMIT is sent. Straight on `pg`, like every
 * statement: a MikroORM transaction builds a unit of work and a knex transaction around it, which
 * cost a write more CPU than its statements (docs/architecture.md#prepared-statements).
 * `sent` hears that the unit's last statement has gone out (the waiting writes, or COMMIT when
 * none wait), before its answer is awaited. With `pipeline`, the unit runs on that pipeline's
 * connection, behind the statements of its other units (see `pipelines`), unless it needs BEGIN.
 */
export async function transaction<T>(em: EntityManager, fn: (db: Transaction) => Promise<T>, o: { sent?: () => void; pipeline?: ConnectionSource } = {}): Promise<T> {
  const pool = poolOf(em);
  const pipeline = o.pipeline ?? null;
  const connection = await (pipeline ?? pool).acquireConnection();
  const tx: Transaction = { em, connection, pipeline, held: true, begun: false, beginning: null, later: [] };
  try {
    let result: T;
    try {
      result = await fn(tx);
      // The statement goes out before sendLater first awaits (no BEGIN is sent for the last writes).
      const last = sendLater(tx, true);
      if (!tx.begun) o.sent?.();
      await last;
    } catch (e) {
      tx.later.length = 0;
      // A connection that broke cannot roll back; the pool drops it, and PostgreSQL ends the transaction.
      if (tx.begun) await control(em, tx.connection, 'rollback').catch(() => undefined);
      throw e;
    }
    if (tx.begun) {
      const commit = control(em, tx.connection, 'commit');
      o.sent?.();
      await commit.catch(async (e: unknown) => {
        await control(em, tx.connection, 'rollback').catch(() => undefined);
        throw e;
      });
    }
    return result;
  } finally {
    if (tx.held) await (tx.pipeline ?? pool).releaseConnection(tx.connection);
  }
}

/**
 * Pipelines of write units over `em`'s pool, by key (docs/architecture.md#pipelined-writes): the
 * units of a key in progress at once share one connection, held from the pool while any is in
 * progress, and each unit's statement is sent without waiting for the one before it to end
 * (`pg`'s pipeline mode, which every pooled connection is in, see orm.ts). PostgreSQL runs them
 * one after the other, in the order sent, each its own transaction; so the connection never sits
 * idle between them while the process reads one's result and sends the next. Once that connection
 * has ended (a restart, a failover, a backend terminated), the key's next unit takes another from
 * the pool, while the units still on the ended one fail and give it back.
 */
export function pipelines(em: EntityManager): (key: string) => ConnectionSource {
  interface Held {
    readonly connection: Promise<PgConnection>;
    /** The connection once the pool handed it out. */
    ready: PgConnection | null;
    units: number;
  }
  const held = new Map<string, Held>();
  /** The entry of each connection handed out, the key's current one or one that ended. */
  const byConnection = new Map<PgConnection, Held>();
  const pool = poolOf(em);
  const start = (key: string): Held => {
    const h: Held = { connection: pool.acquireConnection(), ready: null, units: 0 };
    held.set(key, h);
    h.connection.then(
      (c) => {
        h.ready = c;
        byConnection.set(c, h);
      },
      // A pool that gave none: the key starts afresh with the next unit.
      () => held.get(key) === h && held.delete(key),
    );
    return h;
  };
  return (key) => ({
    acquireConnection() {
      let h = held.get(key);
      if (!h || (h.ready !== null && ended(h.ready))) h = start(key);
      h.units++;
      return h.connection;
    },
    async releaseConnection(connection) {
      const h = byConnection.get(connection);
      if (!h || --h.units > 0) return;
      byConnection.delete(connection);
      if (held.get(key) === h) held.delete(key);
      await pool.releaseConnection(connection);
    },
  });
}

/**
 * Whether a connection can no longer carry a statement: `pg` read an error or the end of its
 * socket (knex then marks it disposed, and its pool destroys it once given back).
 */
function ended(connection: PgConnection): boolean {
  const c = connection as { __knex__disposed?: unknown; _queryable?: boolean; _ending?: boolean };
  return c.__knex__disposed !== undefined || c._queryable === false || c._ending === true;
}

/** Runs one parameterised statement (`?` placeholders) and returns its rows. */
export async function query<T>(db: Db, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  return (await run(db, sql, params)).rows as T[];
}

/** Runs one statement and returns the number of rows it changed. */
export async function exec(db: Db, sql: string, params: readonly unknown[] = []): Promise<number> {
  return (await run(db, sql, params)).rowCount ?? 0;
}

/**
 * A list as one bound parameter, a PostgreSQL array, so lists of any length stay one placeholder
 * and never become SQL text: `where id = any(${ID_ARRAY})`, `from unnest(${ID_ARRAY}) as t(id)`,
 * with the ids as they are. Not a JSON array unpacked by `jsonb_array_elements_text`: the planner
 * takes any such set for 100 rows, and would rather scan every membership of a tenant than probe
 * an index for one user's groups. An array is estimated by its length, or as a few elements in a
 * generic plan, so index probes win (docs/architecture.md#statements-per-request).
 */
export const ID_ARRAY = '?::uuid[]';

/**
 * `column` is one of `ids`, as SQL and its one parameter. One id is `= ?`: PostgreSQL estimates an
 * array parameter in a generic plan at ten elements, so for a single id (every SCIM read of one
 * user) the generic plan would look costlier than a custom one, and the statement would be
 * planned on every run. Two texts, each planned once.
 */
export function oneOf(column: string, ids: readonly string[]): { sql: string; param: unknown } {
  return ids.length === 1 ? { sql: `${column} = ?::uuid`, param: ids[0] } : { sql: `${column} = any(${ID_ARRAY})`, param: ids };
}
export const TEXT_ARRAY = '?::text[]';
export const jsonParam = (v: unknown): string => JSON.stringify(v);

/**
 * Ids of the rows of a tenant whose name column equals one of `names` case-insensitively, keyed by
 * the name as given. One probe of the table's (tenant_id, lower(name)) unique index per name, so
 * no plan depends on statistics, which a bulk import into a new tenant leaves behind
 * (docs/architecture.md#performance-budgets).
 */
export async function idsByLowerName(db: Db, of: 'users.user_name' | 'groups.display_name', tenantId: string, names: readonly string[]): Promise<Map<string, string>> {
  const [table, column] = of.split('.') as [string, string];
  const rows = await query<{ name: string; id: string }>(
    db,
    `select q.name, t.id from unnest(${TEXT_ARRAY}) as q(name) join ${table} t on t.tenant_id = ? and lower(t.${column}) = lower(q.name)`,
    [names, tenantId],
  );
  return new Map(rows.map((r) => [r.name, r.id]));
}

/** Escapes LIKE wildcards so `co "50%"` means the text "50%". Used with ESCAPE '\'. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Database constraint names → the domain error a caller can act on (one table, not scattered catches). */
const UNIQUE_CONSTRAINTS: Record<string, { message: string; field: string; rule: UniqueRule }> = {
  users_tenant_user_name_unique: { message: 'userName is already taken in this tenant', field: 'userName', rule: 'user.userName' },
  users_tenant_login_name_unique: { message: 'the login name derived from userName is already taken in this tenant', field: 'userName', rule: 'user.loginName' },
  groups_tenant_display_name_unique: { message: 'a group with this displayName already exists in this tenant', field: 'displayName', rule: 'group.displayName' },
  tenants_name_unique: { message: 'a tenant with this name already exists', field: 'name', rule: 'tenant.name' },
  scim_connections_tenant_name_unique: { message: 'a SCIM connection with this name already exists in this tenant', field: 'name', rule: 'connection.name' },
};

/**
 * Database faults a retry can cure (docs/architecture.md#robustness): each becomes an
 * UnavailableError, which both front doors answer with 503 and Retry-After.
 */
const UNAVAILABLE_STATES: Record<string, { reason: UnavailableReason; message: string }> = {};
const unavailable = (codes: string[], reason: UnavailableReason, message: string) => {
  for (const c of codes) UNAVAILABLE_STATES[c] = { reason, message };
};
unavailable(['57014', '55P03'], 'statement_timeout', 'the database did not answer in time; retry later');
unavailable(['40001', '40P01'], 'serialization_conflict', 'the change conflicted with a concurrent one; retry it');
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, connection_exception
// and its kind (class 08), and what Node.js reports when a socket to the database fails.
unavailable(
  ['57P01', '57P02', '57P03', '57P05', '53300', '08000', '08001', '08003', '08004', '08006', '08007', '08P01', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'],
  'connection_lost',
  'the database is not reachable; retry later',
);
const POOL_TIMEOUT = { reason: 'pool_timeout' as const, message: 'no database connection became free in time; retry later' };
/** knex's pool (tarn) when no connection becomes free within acquireTimeoutMillis. */
const ACQUIRE_TIMEOUT = /^(?:Knex: )?Timeout acquiring a connection/;
/** node-postgres when a connection breaks without a SQLSTATE; knex puts the statement before it. */
const CONNECTION_LOST = /(?:^| - )(?:Connection terminated(?: unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect)$/;

interface DriverLike {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
  name?: unknown;
  message?: unknown;
  severity?: unknown;
}

function unavailableFault(err: DriverLike): { reason: UnavailableReason; message: string } | null {
  if (typeof err.code === 'string' && UNAVAILABLE_STATES[err.code]) return UNAVAILABLE_STATES[err.code]!;
  const message = typeof err.message === 'string' ? err.message : '';
  if (err.name === 'KnexTimeoutError' || ACQUIRE_TIMEOUT.test(message)) return POOL_TIMEOUT;
  if (CONNECTION_LOST.test(message)) return UNAVAILABLE_STATES.ECONNRESET!;
  return null;
}

/** The SQLSTATE `roster_expect_row` raises (src/db/migrations/Migration20261206090000_expect_row.ts). */
const STALE_ROW = 'RS001';
/** invalid_sql_statement_name: a prepared statement the session does not have. */
const UNKNOWN_STATEMENT = '26000';

/** What a row of each table a foreign key points at is, as the API names it. */
const REFERENCED_RESOURCES: Record<string, string> = { tenants: 'Tenant', users: 'User', groups: 'Group', scim_connections: 'SCIM connection' };
/** The foreign keys of a membership's member (its group's own is a group not found). */
const MEMBER_KEYS = new Set(['memberships_member_user_id_foreign', 'memberships_member_group_id_foreign']);
/** PostgreSQL's detail of a foreign key that found no row: the key's columns and values, and the table it points at. */
const MISSING_KEY = /^Key \([a-z_, ]+\)=\((?:[^()]*, )?([0-9a-fA-F-]{36})\) is not present in table "([a-z_]+)"\.$/;

/**
 * A write that points at a row that is not there (a tenant, a user, a group): NOT_FOUND naming
 * the resource and its id, the last value of the key, which is always an id; never the
 * constraint's name, which means nothing to a caller.
 */
function referenceNotFound(err: DriverLike): NotFoundError | InvalidValueError {
  const m = typeof err.detail === 'string' ? MISSING_KEY.exec(err.detail) : null;
  // A member deleted while it was being added: the request named a member that is not there,
  // which is what the group's caller is told when it was gone before (not that the group is).
  if (m && typeof err.constraint === 'string' && MEMBER_KEYS.has(err.constraint)) {
    return new InvalidValueError(`no user or group with id ${m[1]!.toLowerCase()} in this tenant`, 'members');
  }
  const resource = m ? REFERENCED_RESOURCES[m[2]!] : undefined;
  return resource ? new NotFoundError(resource, m![1]!.toLowerCase()) : new NotFoundError('Referenced resource', 'unknown');
}

/** Translates driver errors into domain errors; anything else passes through untouched. */
export function translateDbError(e: unknown): unknown {
  if (!e || typeof e !== 'object') return e;
  const err = e as DriverLike;
  switch (err.code) {
    case STALE_ROW:
      return new StaleWriteError(e);
    case '23505': {
      const known = typeof err.constraint === 'string' ? UNIQUE_CONSTRAINTS[err.constraint] : undefined;
      return new ConflictError(known?.message ?? 'this value is already taken', known?.field, known?.rule);
    }
    case '23503':
      return referenceNotFound(err);
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return new InvalidValueError('a value has the wrong format for its attribute');
  }
  const fault = unavailableFault(err);
  return fault ? new UnavailableError(fault.message, fault.reason, e) : e;
}

// ---- statements in logs (docs/operations.md#logs) ------------------------------------------

/**
 * Every statement goes out with a comment naming its fingerprint: a hash of its text before
 * values are put in, so a failing statement can be named in a log line, and found in
 * PostgreSQL's own views, without the values (personal data) it carried.
 */
const TAG = /^\/\* roster:([0-9a-f]{12}) \*\/ /;
const fingerprints = new Map<string, string>();

export function tagStatement(sql: string): string {
  if (TAG.test(sql)) return sql;
  let fp = fingerprints.get(sql);
  if (!fp) {
    fp = createHash('sha256').update(sql).digest('hex').slice(0, 12);
    // Statement texts come from code, but filters shape them; keep the cache bounded.
    if (fingerprints.size >= 5000) fingerprints.clear();
    fingerprints.set(sql, fp);
  }
  return `/* roster:${fp} */ ${sql}`;
}

/** The condition names of the SQLSTATEs seen most; others are logged by code alone. */
const CONDITIONS: Record<string, string> = {
  '23505': 'unique_violation',
  '23503': 'foreign_key_violation',
  '23502': 'not_null_violation',
  '23514': 'check_violation',
  '22P02': 'invalid_text_representation',
  '22P05': 'untranslatable_character',
  '22021': 'character_not_in_repertoire',
  '22001': 'string_data_right_truncation',
  '54001': 'statement_too_complex',
  '57014': 'query_canceled',
  '55P03': 'lock_not_available',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '57P01': 'admin_shutdown',
  '42883': 'undefined_function',
  P0001: 'raise_exception',
  [STALE_ROW]: 'stale_row',
};

/** What a log line may say about a database error: codes and names, never SQL text or values. */
export interface DbErrorDescription {
  readonly type: string;
  readonly sqlState?: string;
  /** A Node.js socket error code (ECONNREFUSED, …) when there is no SQLSTATE. */
  readonly code?: string;
  readonly condition?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
  readonly routine?: string;
  /** PostgreSQL's message, for the few conditions whose message cannot hold a value. */
  readonly message?: string;
  /** The fingerprint of the failing statement (see tagStatement). */
  readonly statement?: string;
  readonly fault?: UnavailableReason;
}

/**
 * SQLSTATEs whose message names only things from code (tables, columns, types, operators),
 * never a value: their message is kept, after the statement knex puts before it.
 */
const MESSAGE_NAMES_ONLY = new Set(['42P01', '42703', '42883', '42804', '42702', '42725']);
const pgMessage = (message: string): string | undefined => {
  const first = message.split(/\n - (?:detail|hint): /)[0]!;
  const at = first.lastIndexOf(' - ');
  return at >= 0 ? first.slice(at + 3).slice(0, 200) : undefined;
};

const SQLSTATE = /^[0-9A-Z]{5}$/;
const identifier = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 128 ? v : undefined);

/**
 * The SQLSTATE of an error PostgreSQL itself reported (node-postgres's DatabaseError, also as
 * MikroORM wraps it), or null for any other error: a socket's or a file's error codes (EPIPE,
 * EPERM, …) look like SQLSTATEs but are not.
 */
export function postgresState(e: unknown): string | null {
  if (!(e instanceof pg.DatabaseError || e instanceof DriverException)) return null;
  const err = e as DriverLike;
  return typeof err.severity === 'string' && typeof err.code === 'string' && SQLSTATE.test(err.code) ? err.code : null;
}

/**
 * Describes an error from the driver, knex or MikroORM for a log line, or returns null when `e`
 * is not one. Their messages hold the statement with its values inlined and PostgreSQL's detail
 * with the offending row, so neither is kept.
 */
export function describeDbError(e: unknown): DbErrorDescription | null {
  if (!e || typeof e !== 'object') return null;
  const err = e as DriverLike & { table?: unknown; column?: unknown; routine?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const sqlState = code && SQLSTATE.test(code) ? code : undefined;
  const fault = unavailableFault(err);
  const isDb = e instanceof DriverException || (sqlState !== undefined && typeof err.severity === 'string') || fault !== null;
  if (!isDb) return null;
  const message = typeof err.message === 'string' ? err.message : '';
  const netCode = code && !sqlState && /^E[A-Z_]+$/.test(code) ? code : undefined;
  const condition = sqlState ? CONDITIONS[sqlState] : undefined;
  const statement = TAG.exec(message)?.[1];
  const safeMessage = sqlState && MESSAGE_NAMES_ONLY.has(sqlState) ? pgMessage(message) : undefined;
  const names = { constraint: identifier(err.constraint), table: identifier(err.table), column: identifier(err.column), routine: identifier(err.routine) };
  return {
    type: typeof err.name === 'string' ? err.name : 'DatabaseError',
    ...(sqlState ? { sqlState } : {}),
    ...(netCode ? { code: netCode } : {}),
    ...(condition ? { condition } : {}),
    ...Object.fromEntries(Object.entries(names).filter(([, v]) => v !== undefined)),
    ...(safeMessage ? { message: safeMessage } : {}),
    ...(statement ? { statement } : {}),
    ...(fault ? { fault: fault.reason } : {}),
  };
}

/**
 * MikroORM hands timestamps back as PostgreSQL text ("2024-01-31 12:00:00.123+00") so that it
 * controls time zones itself; raw statements convert them here.
 */
export function toDate(v: string | Date): Date {
  if (v instanceof Date) return v;
  // ISO 8601 once the space is a "T" and an offset of whole hours ("+00") has its minutes; sliced
  // rather than matched, as every timestamp of every row read passes here.
  const sign = v.charCodeAt(v.length - 3);
  return new Date(`${v.slice(0, 10)}T${v.slice(11)}${sign === 43 || sign === 45 ? ':00' : ''}`);
}
export const toDateOrNull = (v: string | Date | null): Date | null => (v === null ? null : toDate(v));
