import { CREATE_ATTEMPTS, loginNameBase, loginNameCandidates, NUMBERED_TRIES, randomSuffixed } from '../../../../src/domain/user/login-name.js';

describe('loginNameBase', () => {
  it.each([
    ['asSent', 'alice@contoso.com', 'alice@contoso.com'],
    ['asSent', 'Alice', 'Alice'],
    ['localPart', 'alice@contoso.com', 'alice'],
    ['localPart', 'Alice.Smith@contoso.com', 'Alice.Smith'],
    // Only the first "@" splits; the rest of the local part is kept as sent.
    ['localPart', 'a@b@contoso.com', 'a'],
    // No local part to take: the userName is the login name.
    ['localPart', 'alice', 'alice'],
    ['localPart', '@contoso.com', '@contoso.com'],
  ] as const)('under %s, %j signs in as %j', (loginName, userName, expected) => {
    expect(loginNameBase(userName, { loginName })).toBe(expected);
  });
});

describe('loginNameCandidates', () => {
  it('tries the base, then the numbered variants in order', () => {
    expect(loginNameCandidates('alice')).toEqual(['alice', 'alice1', 'alice2', 'alice3', 'alice4']);
    expect(loginNameCandidates('alice')).toHaveLength(NUMBERED_TRIES + 1);
  });

  it('gives a create enough attempts for every numbered name, a random one and a spare', () => {
    expect(CREATE_ATTEMPTS).toBe(NUMBERED_TRIES + 3);
  });
});

describe('randomSuffixed', () => {
  it('adds six hex digits after a dash, different each time', () => {
    const names = new Set(Array.from({ length: 20 }, () => randomSuffixed('alice')));
    for (const n of names) expect(n).toMatch(/^alice-[0-9a-f]{6}$/);
    expect(names.size).toBeGreaterThan(1);
  });
});
