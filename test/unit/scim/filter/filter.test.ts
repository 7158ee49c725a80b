import { readFileSync } from 'node:fs';
import { validateFilter, type Filter } from '../../../../src/domain/shared/filter.js';
import { parseFilter, parsePatchPath } from '../../../../src/scim/filter/filter.parse.js';
import { translateFilter } from '../../../../src/scim/filter/filter.translate.js';
import { GROUP_TYPE, USER_TYPE } from '../../../../src/scim/registry/attribute.registry.js';
import { ScimError } from '../../../../src/scim/scim.errors.js';

interface Case {
  scim: string;
  resource?: 'User' | 'Group';
  domain?: unknown;
  error?: string;
}
const fixtures = JSON.parse(readFileSync(new URL('./filter.fixtures.json', import.meta.url), 'utf8')) as { valid: Case[]; invalid: Case[] };

/** Dates in fixtures are written {"$date": iso}. */
const revive = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$date === 'string') return new Date(o.$date);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
  }
  return v;
};

const translate = (c: Case): Filter => {
  const rt = c.resource === 'Group' ? GROUP_TYPE : USER_TYPE;
  const f = translateFilter(rt, parseFilter(c.scim));
  validateFilter(f, rt.catalog, { maxTerms: 100, maxDepth: 64 });
  return f;
};

describe('SCIM filters (RFC 7644 §3.4.2.2) → domain filter', () => {
  it.each(fixtures.valid.filter((c) => c.domain !== undefined))('$scim', (c) => {
    expect(translate(c)).toEqual(revive(c.domain));
  });

  it.each([...fixtures.invalid, ...fixtures.valid.filter((c) => c.error !== undefined)])('refuses $scim', (c) => {
    let err: unknown;
    try {
      translate(c);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScimError);
    expect(err).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect((err as ScimError).detail).toContain(c.error);
  });
});

describe('PATCH paths (RFC 7644 §3.5.2)', () => {
  it('parses attrPath, valuePath and valuePath with a sub-attribute', () => {
    expect(parsePatchPath('name.givenName')).toEqual({ attr: { text: 'name.givenName', pos: 0 }, filter: null, sub: null });
    const p = parsePatchPath('emails[type eq "work"].value');
    expect(p.attr.text).toBe('emails');
    expect(p.filter).toEqual({ kind: 'cmp', attr: { text: 'type', pos: 7 }, op: 'eq', value: 'work' });
    expect(p.sub?.text).toBe('value');
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager').attr.text).toBe(
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    );
  });

  it('refuses trailing text and a bad sub-attribute', () => {
    expect(() => parsePatchPath('emails[type eq "work"] x')).toThrow(/unexpected text after the attribute path/);
    expect(() => parsePatchPath('emails[type eq "work"].a.b')).toThrow(/sub-attribute name/);
  });
});
