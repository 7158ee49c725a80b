import { InvalidValueError } from '../errors.js';
import { isUuid } from './id.js';

/**
 * Paging cursors (docs/architecture.md#paging-cursors): an opaque string that holds the position
 * of an item, as base64url of a JSON array. Callers hand back what they were given; a string this
 * API did not issue, or a position in another order, is a clear invalid-value error, never a
 * wrong page.
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

/**
 * The cursor of an item of a list sorted by `sortField` (then by id): the sort field it is a
 * position in, the item's value of it, and its id.
 */
export function keysetCursor(sortField: string, value: unknown, id: string): string {
  return encodeCursor([sortField, value, id]);
}

/**
 * The keyset position (sort value, id) that `cursor` holds in the order by `sortField`, whichever
 * direction that order is read in: a position is the same one read either way. A cursor of
 * another sort field is refused, since its value is no position in this one. A cursor made before
 * cursors named their field (`[value, id]`) is taken only in the order by id with its id as the
 * value, the one order where that names the item's own position; anywhere else it is refused.
 * `fits` says whether a value can be bound as this order's sort key.
 */
export function keysetPosition(cursor: string, sortField: string, fits: (v: unknown) => v is string): [string, string] {
  const p = decodeCursor(cursor, 'cursor', (q): q is [string, unknown, string] | [unknown, string] =>
    q.length === 3 ? typeof q[0] === 'string' && typeof q[2] === 'string' && isUuid(q[2]) : q.length === 2 && typeof q[1] === 'string' && isUuid(q[1]),
  );
  if (p.length === 2) {
    if (sortField === 'id' && p[0] === p[1]) return [p[0], p[1]];
    throw new InvalidValueError('the cursor is from before cursors named their order and is taken only in the order by id; page again from the start', 'cursor');
  }
  const [from, value, id] = p;
  if (from !== sortField) {
    throw new InvalidValueError('the cursor belongs to another order: page again from the start with this order, or keep the order the cursor came from', 'cursor');
  }
  if (!fits(value)) throw new InvalidValueError('the cursor is not one this API returned', 'cursor');
  return [value, id];
}
