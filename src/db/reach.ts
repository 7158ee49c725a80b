import pg from 'pg';

/**
 * Why Roster cannot use the database of its configuration, in words an operator can act on:
 * where it is (host and port, never the password), and what it answered.
 */
export class DatabaseUnreachableError extends Error {
  constructor(
    message: string,
    /** The SQLSTATE, or the operating system's code, of what went wrong. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'DatabaseUnreachableError';
  }
}

/** Where a client connects, as the messages name it. */
interface Target {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

const where = (t: Target): string => (t.host.startsWith('/') ? `${t.host} (port ${t.port})` : `${t.host}:${t.port}`);

/** A word as a shell takes it: quoted unless it is plain. */
const shellWord = (s: string): string => (/^[\w.@%+=:,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** node-postgres when the server asks for a password and the URL gives none. */
const NO_PASSWORD = /client password must be a string/;

/** node-postgres when the connection was not made and logged in within connectionTimeoutMillis. */
const CONNECT_TIMEOUT = /^(?:timeout expired|Connection terminated due to connection timeout)$/;

/** What PostgreSQL or the socket said, or that nothing was said within `timeoutMs`, as one line for the operator. */
export function unreachable(e: unknown, t: Target, timeoutMs: number): DatabaseUnreachableError {
  const err = (e ?? {}) as { code?: unknown; message?: unknown; severity?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : String(e);
  // PostgreSQL's messages at login name roles, databases and hosts, never a password or a value.
  if (e instanceof pg.DatabaseError && code) {
    switch (code) {
      case '3D000':
        return new DatabaseUnreachableError(
          `database ${t.database} does not exist on ${where(t)}; create it first, e.g. createdb -h ${shellWord(t.host)} -p ${t.port} -U ${shellWord(t.user)} ${shellWord(t.database)}`,
          code,
        );
      case '28P01':
        return new DatabaseUnreachableError(`the database at ${where(t)} refused the login for role ${t.user}: wrong password (SQLSTATE 28P01)`, code);
      case '28000':
        return new DatabaseUnreachableError(`the database at ${where(t)} refused the login for role ${t.user} (SQLSTATE 28000: ${message})`, code);
      default:
        return new DatabaseUnreachableError(`the database at ${where(t)} refused the connection (SQLSTATE ${code}: ${message})`, code);
    }
  }
  if (NO_PASSWORD.test(message)) {
    return new DatabaseUnreachableError(`the database at ${where(t)} asks for a password for role ${t.user}, and DATABASE_URL gives none`, '28P01');
  }
  if (CONNECT_TIMEOUT.test(message)) return new DatabaseUnreachableError(`the database at ${where(t)} did not answer within ${timeoutMs / 1000} s`, 'ETIMEDOUT');
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOENT': // a socket directory where no server listens
      return new DatabaseUnreachableError(`nothing answers for the database at ${where(t)} (${code}): is PostgreSQL running there, and DATABASE_URL right?`, code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseUnreachableError(`the database host ${t.host} was not found (${code}): is DATABASE_URL right?`, code);
    default:
      return new DatabaseUnreachableError(`cannot connect to the database at ${where(t)}: ${message}`, code);
  }
}

/**
 * Connects once to `url` and logs in, so that a database that is not there, or will not have
 * Roster, is reported as such before anything else is tried: nothing creates a database
 * (docs/operations.md#the-database).
 */
export async function checkReachable(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A connection that breaks after the check is of no interest here.
  client.on('error', () => undefined);
  const target: Target = { host: client.host, port: client.port, user: client.user ?? '', database: client.database ?? '' };
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw unreachable(e, target, timeoutMs);
  }
  await client.end();
}
