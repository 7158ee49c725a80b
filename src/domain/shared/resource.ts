import { InvalidValueError } from '../errors.js';
import { characterProblem } from './validate.js';

/** What Roster owns on every user and group: identity, tenant, owner, version and timestamps. */
export interface ResourceMeta {
  readonly id: string;
  readonly tenantId: string;
  /** The SCIM connection that owns the resource, or null when admins manage it. */
  readonly managedBy: string | null;
  /** Bumped by every change; the SCIM ETag and GraphQL `ifVersion`. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Most names one lookup by name may ask for. */
export const MAX_NAMES_PER_LOOKUP = 1000;

/**
 * The names a lookup by name (a user's userName, a group's displayName) asks the database for: at
 * most MAX_NAMES_PER_LOOKUP, and only those a stored name could equal (text PostgreSQL can store).
 */
export function lookupNames(names: readonly string[]): string[] {
  if (names.length > MAX_NAMES_PER_LOOKUP) throw new InvalidValueError(`at most ${MAX_NAMES_PER_LOOKUP} names may be looked up at once`, 'names');
  return names.filter((n) => typeof n === 'string' && characterProblem(n) === null);
}

/** Control characters: C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A required, trimmed name of at most `max` characters (tenants, connections, API keys). A name
 * is one line of text: it holds no control characters (line breaks, tabs, terminal escapes), so
 * it prints as what it is wherever it is shown.
 */
export function requireName(value: unknown, field = 'name', max = 200): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidValueError(`"${field}" is required and must not be empty`, field);
  if (value.length > max) throw new InvalidValueError(`"${field}" is longer than ${max} characters`, field);
  const problem = characterProblem(value);
  if (problem) throw new InvalidValueError(`"${field}" ${problem}`, field);
  const control = CONTROL_CHARACTER.exec(value);
  if (control) {
    const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InvalidValueError(`"${field}" contains the control character ${code}; a name is one line of printable text`, field);
  }
  return value.trim();
}
