import { InvalidValueError } from '../errors.js';

/**
 * Paging cursors (docs/architecture.md#performance-budgets): an opaque string that holds the
 * position of an item, as base64url of a JSON array. Callers hand back what they were given; a
 * string this API did not issue is a clear invalid-value error, never a wrong page.
 */

export function encodeCursor(position: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position in `cursor`, if it has the shape `valid` expects; `field` names the argument. */
export function decodeCursor<P extends unknown[]>(cursor: string, field: string, valid: (p: unknown[]) => p is P): P {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(p) && valid(p)) return p;
  } catch {
    // not JSON: not a cursor of ours
  }
  throw new InvalidValueError('the cursor is not one this API returned', field);
}
