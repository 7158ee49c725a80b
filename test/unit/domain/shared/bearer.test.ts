import { bearerToken } from '../../../../src/domain/shared/bearer.js';

describe('bearerToken (RFC 6750 §2.1)', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER  abc  ', 'abc'],
    ['Bearer\tabc', 'abc'],
    ['Bearer rst_0123-._~+/=', 'rst_0123-._~+/='],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([[undefined], [''], ['Bearer'], ['Bearer '], ['Basic dXNlcjpwYXNz'], ['Bearer a b'], ['Bearerabc'], ['abc']])('finds no token in %j', (header) => {
    expect(bearerToken(header)).toBeNull();
  });
});
