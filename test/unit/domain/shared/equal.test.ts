import { copyData, sameData } from '../../../../src/domain/shared/equal.js';

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

describe('copyData', () => {
  it('copies every array and plain object, in key order, and shares nothing that can change', () => {
    const created = new Date('2026-01-02T03:04:05Z');
    const source = { b: 1, a: [{ value: 'x', primary: true }, null, 'y'], c: { d: { e: [] as unknown[] } }, when: created, none: null };
    const copy = copyData(source);
    expect(copy).toEqual(source);
    expect(Object.keys(copy)).toEqual(['b', 'a', 'c', 'when', 'none']);
    expect(copy).not.toBe(source);
    expect(copy.a).not.toBe(source.a);
    expect(copy.a[0]).not.toBe(source.a[0]);
    expect(copy.c.d).not.toBe(source.c.d);
    expect(copy.c.d.e).not.toBe(source.c.d.e);
    expect(copy.when).toBe(created);
    (copy.a[0] as { value: string }).value = 'changed';
    copy.c.d.e.push(1);
    expect(source.a[0]).toEqual({ value: 'x', primary: true });
    expect(source.c.d.e).toEqual([]);
  });

  it('returns values that are not objects as they are', () => {
    for (const v of ['s', 1, true, null, undefined]) expect(copyData(v)).toBe(v);
  });

  it('copies an own __proto__ key as a key, not as the prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "a": 1}') as Record<string, unknown>;
    const copy = copyData(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(sameData(copy, parsed)).toBe(true);
  });

  it('copies documents nested deeper than the stack allows recursion', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = [{ k: deep }];
    const copy = copyData(deep);
    expect(sameData(copy, deep)).toBe(true);
    expect(copy).not.toBe(deep);
  });
});
