import { validateFilter } from '../../../../src/domain/shared/filter.js';
import { parseFilter } from '../../../../src/scim/filter/filter.parse.js';
import { translateFilter } from '../../../../src/scim/filter/filter.translate.js';
import { USER_TYPE } from '../../../../src/scim/registry/attribute.registry.js';

/** Filters have a budget, and parsing one is bounded in depth and linear in its length (docs/architecture.md#limits). */
const budget = { maxTerms: 100, maxDepth: 64 };
const check = (text: string) => validateFilter(translateFilter(USER_TYPE, parseFilter(text)), USER_TYPE.catalog, budget);
const ors = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');

describe('the filter budget', () => {
  it('accepts 100 terms and refuses 101, saying how many', () => {
    expect(() => check(ors(100))).not.toThrow();
    expect(() => check(ors(101))).toThrow('filter too complex: 101 terms, at most 100');
  });

  it('counts the terms of every branch, inside value filters too', () => {
    const text = `${ors(60)} or emails[${Array.from({ length: 41 }, (_, i) => `value eq "e${i}"`).join(' or ')}]`;
    expect(() => check(text)).toThrow('filter too complex: 101 terms, at most 100');
  });

  it('accepts 64 levels of parentheses and refuses a 65th while parsing', () => {
    expect(() => check(`${'('.repeat(64)}title pr${')'.repeat(64)}`)).not.toThrow();
    expect(() => parseFilter(`${'('.repeat(65)}title pr${')'.repeat(65)}`)).toThrow('filter too complex: nested more than 64 levels deep, at most 64');
    expect(() => parseFilter(`${'not ('.repeat(600)}title pr${')'.repeat(600)}`)).toThrow(/filter too complex/);
  });

  it('applies a lower configured depth to the tree', () => {
    const text = `${'not ('.repeat(10)}title pr${')'.repeat(10)}`;
    expect(() => validateFilter(translateFilter(USER_TYPE, parseFilter(text)), USER_TYPE.catalog, { maxTerms: 100, maxDepth: 8 })).toThrow(
      'filter too complex: nested more than 8 levels deep, at most 8',
    );
  });
});
