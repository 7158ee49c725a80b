import { InvalidValueError } from '../../../../src/domain/errors.js';
import { decodeCursor, encodeCursor, keysetCursor, keysetPosition } from '../../../../src/domain/shared/cursor.js';
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

describe('keyset cursors', () => {
  const ID = '0190a0a0-0000-7000-8000-000000000001';
  const text = (v: unknown): v is string => typeof v === 'string';
  const uuid = (v: unknown): v is string => v === ID;
  const refusal = (f: () => unknown): string => {
    const error = thrown(f);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).field).toBe('cursor');
    return (error as Error).message;
  };

  it('give back the position in the sort field they came from', () => {
    expect(keysetPosition(keysetCursor('userName', 'ada@example.com', ID), 'userName', text)).toEqual(['ada@example.com', ID]);
    expect(keysetPosition(keysetCursor('id', ID, ID), 'id', uuid)).toEqual([ID, ID]);
  });

  it('are refused in another sort field, saying so', () => {
    expect(refusal(() => keysetPosition(keysetCursor('userName', 'ada@example.com', ID), 'title', text))).toMatch(/belongs to another order.*page again from the start/);
    expect(refusal(() => keysetPosition(keysetCursor('id', ID, ID), 'userName', text))).toMatch(/belongs to another order/);
  });

  it('are refused when the value does not fit the sort key', () => {
    expect(refusal(() => keysetPosition(keysetCursor('id', 'x', ID), 'id', uuid))).toBe('the cursor is not one this API returned');
    expect(refusal(() => keysetPosition(encodeCursor(['id', ID, 'x']), 'id', uuid))).toBe('the cursor is not one this API returned');
  });

  it('from before they named their field are taken only in the order by id, with the id as the value', () => {
    expect(keysetPosition(encodeCursor([ID, ID]), 'id', uuid)).toEqual([ID, ID]);
    expect(refusal(() => keysetPosition(encodeCursor(['ada@example.com', ID]), 'userName', text))).toMatch(/order by id; page again from the start/);
    expect(refusal(() => keysetPosition(encodeCursor([ID, ID]), 'userName', text))).toMatch(/order by id; page again from the start/);
    expect(refusal(() => keysetPosition(encodeCursor(['ada@example.com', ID]), 'id', uuid))).toMatch(/order by id; page again from the start/);
  });
});
