import { GROUP_TYPE, rememberedTexts, resolveAttribute, USER_TYPE } from '../../../../src/scim/registry/attribute.registry.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('resolveAttribute', () => {
  it.each([
    ['userName', 'userName'],
    ['USERNAME', 'userName'],
    ['name.givenName', 'name.givenName'],
    ['Name.GIVENNAME', 'name.givenName'],
    ['urn:ietf:params:scim:schemas:core:2.0:User:title', 'title'],
    [`${ENTERPRISE}:manager.value`, `${ENTERPRISE}:manager.value`],
    [`${ENTERPRISE.toUpperCase()}:Department`, `${ENTERPRISE}:department`],
    ['emails.value', 'emails.value'],
  ])('resolves %s to %s, the same the second time', (text, path) => {
    const first = resolveAttribute(USER_TYPE, text);
    expect(first).toMatchObject({ kind: 'known', path });
    expect(resolveAttribute(USER_TYPE, text)).toEqual(first);
  });

  it('answers null for what the type does not have, each time', () => {
    for (let i = 0; i < 2; i++) {
      expect(resolveAttribute(USER_TYPE, 'nosuch')).toBeNull();
      expect(resolveAttribute(USER_TYPE, 'name.nosuch')).toBeNull();
      expect(resolveAttribute(USER_TYPE, 'a.b.c')).toBeNull();
      expect(resolveAttribute(GROUP_TYPE, 'userName')).toBeNull();
    }
  });

  it('keeps an unknown extension attribute verbatim', () => {
    expect(resolveAttribute(USER_TYPE, 'urn:example:ext:1.0:User:badge')).toEqual({ kind: 'unknownExtension', urn: 'urn:example:ext:1.0:User', name: 'badge', sub: null, path: 'urn:example:ext:1.0:User:badge' });
  });

  it('remembers a bounded number of texts, however many distinct names a client sends, and still resolves the rest', () => {
    for (let i = 0; i < 3000; i++) expect(resolveAttribute(GROUP_TYPE, `invented${i}`)).toBeNull();
    expect(resolveAttribute(GROUP_TYPE, `urn:example:${'x'.repeat(5000)}:a`)).toMatchObject({ kind: 'unknownExtension' });
    expect(rememberedTexts(GROUP_TYPE)).toBeLessThanOrEqual(1000);
    expect(resolveAttribute(GROUP_TYPE, 'DisplayName')).toMatchObject({ kind: 'known', path: 'displayName' });
  });
});
