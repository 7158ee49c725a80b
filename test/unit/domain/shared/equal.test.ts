import { sameData } from '../../../../src/domain/shared/equal.js';

describe('sameData', () => {
  it.each([
    ['objects with keys in another order', { a: 1, b: { c: [1, { d: 'x', e: null }] } }, { b: { c: [1, { e: null, d: 'x' }] }, a: 1 }, true],
    ['a key set to undefined and a missing key', { a: 1, b: undefined }, { a: 1 }, true],
    ['arrays in another order', [1, 2], [2, 1], false],
    ['null and an empty object', null, {}, false],
    ['an array and an object with index keys', [1], { 0: 1 }, false],
    ['a number and its text', 1, '1', false],
    ['objects with one more key', { a: 1 }, { a: 1, b: 2 }, false],
    ['null and undefined', null, undefined, false],
    ['objects with as many keys, not the same', { a: 1, b: 2 }, { a: 1, c: 2 }, false],
    ['a key set on one side, undefined on the other', { a: 1, b: 2 }, { a: 1, b: undefined }, false],
    ['empty objects', {}, {}, true],
  ])('%s', (_name, a, b, expected) => {
    expect(sameData(a, b)).toBe(expected);
    expect(sameData(b, a)).toBe(expected);
  });

  it('compares documents nested deeper than the stack allows recursion', () => {
    const deep = (n: number, leaf: unknown): unknown => {
      let v = leaf;
      for (let i = 0; i < n; i++) v = [{ k: v }];
      return v;
    };
    expect(sameData(deep(50_000, 'x'), deep(50_000, 'x'))).toBe(true);
    expect(sameData(deep(50_000, 'x'), deep(50_000, 'y'))).toBe(false);
  });
});
