import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, InvalidValueError, NotFoundError, UnavailableError, type UniqueRule } from '../domain/errors.js';

/** The EntityManager of the current unit of work; statements run in its transaction, if any. */
export type Db = EntityManager;

/** Runs one parameterised statement (`?` placeholders) and returns its rows. */
export async function query<T>(db: Db, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  return db.execute<T[]>(sql, params as unknown[], 'all');
}

/** Runs one statement and returns the number of rows it changed. */
export async function exec(db: Db, sql: string, params: readonly unknown[] = []): Promise<number> {
  const r = await db.execute<{ affectedRows: number }>(sql, params as unknown[], 'run');
  return r.affectedRows;
}

/**
 * A list of ids as one bound parameter (a JSON array), so lists of any length stay one
 * placeholder and never become SQL text: `where id in ${ID_LIST}` with `jsonParam(ids)`.
 */
export const ID_LIST = '(select value::uuid from jsonb_array_elements_text(?::jsonb))';
export const jsonParam = (v: unknown): string => JSON.stringify(v);

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

/** Translates driver errors into domain errors; anything else passes through untouched. */
export function translateDbError(e: unknown): unknown {
  if (!e || typeof e !== 'object') return e;
  const err = e as { code?: string; constraint?: string; name?: string };
  switch (err.code) {
    case '23505': {
      const known = err.constraint ? UNIQUE_CONSTRAINTS[err.constraint] : undefined;
      return new ConflictError(known?.message ?? 'this value is already taken', known?.field, known?.rule);
    }
    case '23503':
      return new NotFoundError('Referenced resource', err.constraint ?? 'unknown');
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return new InvalidValueError('a value has the wrong format for its attribute');
    case '40001':
    case '40P01':
      return new UnavailableError('the change conflicted with a concurrent one; retry it');
    case '57P01':
    case '57P03':
    case '08006':
    case '08001':
    case 'ECONNREFUSED':
      return new UnavailableError('the database is not reachable; retry later');
    default:
      return e;
  }
}

/**
 * MikroORM hands timestamps back as PostgreSQL text ("2024-01-31 12:00:00.123+00") so that it
 * controls time zones itself; raw statements convert them here.
 */
export function toDate(v: string | Date): Date {
  if (v instanceof Date) return v;
  const iso = v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(iso);
}
export const toDateOrNull = (v: string | Date | null): Date | null => (v === null ? null : toDate(v));
