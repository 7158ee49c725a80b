import { documentNesting } from '../../../src/graphql/limits.js';

describe('documentNesting', () => {
  it.each([
    ['{ a }', 1],
    ['{ a { b(x: [[1]]) } }', 5],
    ['{ a(x: "{{{[[[") }', 2],
    ['{ a(x: "\\"{{{") }', 2],
    ['{ a(x: """ {{{ \\""" [[[ """) }', 2],
    ['# {{{{\n{ a }', 1],
    ['}}}{ a }', 1],
  ])('%s nests %i deep', (text, depth) => {
    expect(documentNesting(text)).toBe(depth);
  });

  it('stops counting past the bound', () => {
    expect(documentNesting('['.repeat(100_000), 10)).toBe(11);
  });
});
