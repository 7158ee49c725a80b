import { InvalidFilterError } from '../../../../src/domain/errors.js';
import { atMostOne, f, validateFilter, type FieldCatalog, type Filter } from '../../../../src/domain/shared/filter.js';
import { GROUP_FIELDS } from '../../../../src/domain/group/group.js';
import { USER_FIELDS } from '../../../../src/domain/user/user.js';
import { thrown } from '../../../support/thrown.js';

/** The domain's check of a filter against a catalog (docs/architecture.md#filter-language), whichever door built it. */

const CATALOG: FieldCatalog = {
  simple: {
    name: { type: 'string', caseExact: false },
    active: { type: 'boolean', caseExact: false },
    count: { type: 'integer', caseExact: false },
    at: { type: 'dateTime', caseExact: false },
    ref: { type: 'id', caseExact: true },
  },
  multi: { emails: { value: { type: 'string', caseExact: false }, primary: { type: 'boolean', caseExact: false } } },
};
const BUDGET = { maxTerms: 5, maxDepth: 4 };
const when = new Date('2024-01-31T12:00:00Z');

const check = (filter: Filter, catalog = CATALOG) => () => validateFilter(filter, catalog, BUDGET);

describe('validateFilter accepts', () => {
  it.each<[string, Filter]>([
    ['every comparison on a string', f.and(f.cmp('name', 'co', 'a'), f.cmp('name', 'sw', 'a'), f.cmp('name', 'ew', 'a'), f.cmp('name', 'gt', 'a'), f.cmp('name', 'ne', 'a'))],
    ['null with eq and ne', f.or(f.eq('name', null), f.cmp('count', 'ne', null))],
    ['a boolean with eq', f.eq('active', false)],
    ['an integer ordered', f.cmp('count', 'ge', 3)],
    ['a timestamp ordered', f.cmp('at', 'lt', when)],
    ['an id as a string', f.eq('ref', 'anything: ids are matched, never refused')],
    ['presence of a simple and of a multi-valued attribute', f.and(f.pr('name'), f.pr('emails'))],
    ['a sub-filter on a multi-valued attribute', f.some('emails', f.and(f.eq('value', 'a@example.com'), f.eq('primary', true)))],
    ['not', f.not(f.eq('name', 'a'))],
  ])('%s', (_what, filter) => {
    expect(check(filter)).not.toThrow();
  });

  it('the fields of the user catalog', () => {
    expect(check(f.and(f.eq('userName', 'ada'), f.eq('enterprise.department', 'R&D'), f.some('emails', f.eq('type', 'work'))), USER_FIELDS)).not.toThrow();
  });
});

describe('validateFilter refuses, naming the field', () => {
  it.each<[string, Filter, string, RegExp]>([
    ['an unknown attribute', f.eq('nope', 'a'), 'nope', /unknown attribute "nope"/],
    ['ordering against null', f.cmp('name', 'gt', null), 'name', /"gt" cannot compare "name" with null/],
    ['a boolean compared with a string', f.eq('active', 'true'), 'active', /is a boolean/],
    ['a boolean ordered', f.cmp('active', 'gt', true), 'active', /not defined for the boolean/],
    ['an integer compared with a fraction', f.cmp('count', 'eq', 1.5), 'count', /is an integer/],
    ['an integer matched as text', f.cmp('count', 'co', 1), 'count', /not defined for the integer/],
    ['a timestamp compared with text', f.cmp('at', 'gt', '2024-01-31'), 'at', /is a dateTime/],
    ['a timestamp beyond the year 9999', f.cmp('at', 'gt', new Date('+010000-01-01T00:00:00Z')), 'at', /between the years 1 and 9999/],
    ['a timestamp matched as text', f.cmp('at', 'sw', when), 'at', /not defined for the dateTime/],
    ['a string compared with a number', f.eq('name', 3), 'name', /is a string/],
    ['a string holding NUL', f.eq('name', 'a\u0000b'), 'name', /U\+0000/],
    ['a string holding a lone surrogate', f.eq('name', 'a\uD800'), 'name', /surrogate/],
    ['a sub-filter on a simple attribute', f.some('name', f.eq('value', 'a')), 'name', /not a multi-valued attribute/],
    ['a sub-filter inside a sub-filter', f.some('emails', f.some('emails', f.eq('value', 'a'))), 'emails', /cannot be filtered inside "emails"/],
    ['an unknown sub-attribute', f.some('emails', f.eq('display', 'a')), 'display', /"emails" has no sub-attribute "display"/],
    ['a filter with more terms than the budget', f.or(...Array.from({ length: 6 }, (_, i) => f.eq('name', String(i)))), 'filter', /6 terms, at most 5/],
    ['a filter nested deeper than the budget', f.not(f.not(f.not(f.not(f.eq('name', 'a'))))), 'filter', /nested more than 4 levels deep/],
  ])('%s', (_what, filter, field, message) => {
    const error = thrown(() => check(filter)());
    expect(error).toBeInstanceOf(InvalidFilterError);
    expect((error as InvalidFilterError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses an empty "and" or "or"', () => {
    expect(check({ op: 'and', filters: [] })).toThrow(/"and" needs at least one operand/);
    expect(check({ op: 'or', filters: [] })).toThrow(/"or" needs at least one operand/);
  });
});

describe('atMostOne: a filter no two resources can match', () => {
  it.each<[string, Filter, FieldCatalog]>([
    ['userName eq', f.eq('userName', 'ada@example.com'), USER_FIELDS],
    ['loginName eq', f.eq('loginName', 'ada'), USER_FIELDS],
    ['id eq', f.eq('id', '01a245ae-b332-724b-9546-9347e02a5ab8'), USER_FIELDS],
    ['userName eq and anything else', f.and(f.cmp('title', 'co', 'x'), f.eq('userName', 'ada@example.com')), USER_FIELDS],
    ["a group's displayName eq", f.eq('displayName', 'Admins'), GROUP_FIELDS],
  ])('%s', (_, filter, catalog) => expect(atMostOne(filter, catalog)).toBe(true));

  it.each<[string, Filter, FieldCatalog]>([
    ['externalId eq (two users may share one)', f.eq('externalId', 'e-1'), USER_FIELDS],
    ["a user's displayName eq", f.eq('displayName', 'Ada'), USER_FIELDS],
    ['userName eq null (every user without one)', f.eq('userName', null), USER_FIELDS],
    ['userName sw', f.cmp('userName', 'sw', 'ada'), USER_FIELDS],
    ['userName ne', f.cmp('userName', 'ne', 'ada'), USER_FIELDS],
    ['userName eq in an or', f.or(f.eq('userName', 'a'), f.eq('userName', 'b')), USER_FIELDS],
    ['userName eq under not', f.not(f.eq('userName', 'a')), USER_FIELDS],
    ['a value of a multi-valued attribute', f.some('emails', f.eq('value', 'ada@example.com')), USER_FIELDS],
  ])('not %s', (_, filter, catalog) => expect(atMostOne(filter, catalog)).toBe(false));
});
