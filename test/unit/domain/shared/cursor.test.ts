import { InvalidValueError } from '../../../../src/domain/errors.js';
import { decodeCursor, encodeCursor } from '../../../../src/domain/shared/cursor.js';
import { thrown } from '../../../support/thrown.js';

const pair = (p: unknown[]): p is [string, number] => p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'number';

describe('cursors', () => {
  it('round-trips a position and hides it from the caller', () => {
    const c = encodeCursor(['2024-01-31T12:00:00.000Z', 7]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, 'after', pair)).toEqual(['2024-01-31T12:00:00.000Z', 7]);
  });

  it.each([
    ['not base64 JSON', 'garbage'],
    ['JSON that is not an array', Buffer.from('{"a":1}').toString('base64url')],
    ['an array of the wrong shape', encodeCursor([1, 'x'])],
    ['an empty string', ''],
  ])('refuses %s with an invalid-value error naming the argument', (_what, cursor) => {
    const error = thrown(() => decodeCursor(cursor, 'before', pair));
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).field).toBe('before');
  });
});
