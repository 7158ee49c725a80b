import type { Ctx } from '../../../src/domain/context.js';
import { isDomainError } from '../../../src/domain/errors.js';
import { COMPARE_OPS, f, validateFilter, type FieldCatalog, type Filter, type FilterValue } from '../../../src/domain/shared/filter.js';
import { parseFilter } from '../../../src/scim/filter/filter.parse.js';
import { translateFilter } from '../../../src/scim/filter/filter.translate.js';
import { allAttributes, GROUP_TYPE, USER_TYPE, type ResourceTypeSpec } from '../../../src/scim/registry/attribute.registry.js';
import { ScimError } from '../../../src/scim/scim.errors.js';
import { email, profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * Every filterable field of users and groups, with every operator and every kind of value, on
 * real PostgreSQL: each filter is refused by validation (a 400) or runs; none may fail in the
 * database (docs/architecture.md#filter-language). Filters the domain accepts run in batches of
 * `or`s, so the table costs a few hundred statements, not thousands.
 */

let h: Harness;
let ctx: Ctx;
let userId = '';
beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
  const { user } = await h.services.users.create(ctx, profile('ada@example.com', {
    displayName: 'Ada', title: 'Engineer', externalId: 'EXT-1',
    emails: [email('ada@example.com', 'work', true)],
    addresses: [{ type: 'work', primary: true, formatted: null, streetAddress: '1 Main St', locality: 'London', region: null, postalCode: 'N1', country: 'GB' }],
    enterprise: { ...profile('x').enterprise, department: 'R&D', managerValue: '0190a0a0-0000-7000-8000-000000000001' },
  }));
  userId = user.id;
  const g = await h.services.groups.create(ctx, { displayName: 'Eng', externalId: 'G-1', extensions: {} }, [{ id: userId, type: 'User' }]);
  await h.services.groups.create(ctx, { displayName: 'Parent', externalId: null, extensions: {} }, [{ id: g.id, type: 'Group' }]);
});
afterAll(async () => h.close());

const KINDS: readonly [string, FilterValue][] = [
  ['text', 'Ada'],
  ['empty text', ''],
  ['an id', '0190a0a0-0000-7000-8000-000000000001'],
  ['an upper-case id', '0190A0A0-0000-7000-8000-000000000001'],
  ['text like an id', '0190a0a0-zzzz'],
  ['a whole number', 42],
  ['a fraction', 1.5],
  ['true', true],
  ['false', false],
  ['null', null],
  ['a date', new Date('2024-01-31T12:00:00Z')],
  ['the first date', new Date('0001-01-01T00:00:00Z')],
  ['the year 10000', new Date('+010000-01-01T00:00:00Z')],
  ['a date as text', '2024-01-31T12:00:00Z'],
  ['LIKE wildcards', '%_\\'],
  ['a quote', "O'Brien ?"],
  ['an astral character', '😀'],
  ['5,000 characters', 'x'.repeat(5000)],
  ['a NUL', 'a\u0000b'],
  ['an unpaired surrogate', '\ud800'],
];

type Term = { label: string; filter: Filter };

/** One comparison of every operator with every kind of value, for every field of a catalog. */
function domainTerms(catalog: FieldCatalog): Term[] {
  const out: Term[] = [];
  const add = (label: string, field: string, wrap: (leaf: Filter) => Filter) => {
    out.push({ label: `${label} pr`, filter: wrap(f.pr(field)) });
    for (const op of COMPARE_OPS) for (const [kind, value] of KINDS) out.push({ label: `${label} ${op} ${kind}`, filter: wrap(f.cmp(field, op, value)) });
  };
  for (const field of Object.keys(catalog.simple)) add(field, field, (leaf) => leaf);
  for (const [multi, subs] of Object.entries(catalog.multi)) {
    out.push({ label: `${multi} pr`, filter: f.pr(multi) });
    for (const sub of Object.keys(subs)) add(`${multi}.${sub}`, sub, (leaf) => f.some(multi, leaf));
  }
  return out;
}

/** The SCIM literals of RFC 7644 §3.4.2.2 for each kind that has one. */
const LITERALS: readonly string[] = ['"Ada"', '""', '"0190a0a0-0000-7000-8000-000000000001"', '"0190a0a0-zzzz"', '42', '1.5', '-0', '1e400', 'true', 'false', 'null', '"True"', '"2024-01-31T12:00:00Z"', '"2024-13-45"', '"+275760-09-13T00:00:00Z"', '"%_\\\\"', '"\\u0000"', '"\\ud800"', '"😀"'];

/** Every filterable SCIM attribute path of a resource type, with every operator and literal. */
function scimTerms(rt: ResourceTypeSpec): Term[] {
  const paths: string[] = [];
  for (const { schema, attr } of allAttributes(rt)) {
    const prefix = schema && schema !== rt.schema ? `${schema.id}:` : '';
    paths.push(prefix + attr.name);
    for (const sub of attr.subAttributes ?? []) paths.push(`${prefix}${attr.name}.${sub.name}`);
  }
  const out: Term[] = [];
  for (const path of paths) {
    const texts = [`${path} pr`, ...['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'].flatMap((op) => LITERALS.map((l) => `${path} ${op} ${l}`))];
    for (const text of texts) {
      try {
        out.push({ label: text, filter: translateFilter(rt, parseFilter(text)) });
      } catch (e) {
        // Refused while parsing or translating: a 400 invalidFilter, which is what we want to see.
        if (!(e instanceof ScimError) || e.status !== 400) throw new Error(`${text}: ${String(e)}`);
      }
    }
  }
  return out;
}

/** Runs the terms validation accepts, 100 to a statement; a failing batch is retried term by term to name the culprit. */
async function runAll(kind: 'users' | 'groups', catalog: FieldCatalog, terms: readonly Term[]): Promise<{ failures: string[]; ran: number; refused: number }> {
  const budget = h.config.limits.filter;
  const accepted: Term[] = [];
  let refused = 0;
  for (const t of terms) {
    try {
      validateFilter(t.filter, catalog, budget);
      accepted.push(t);
    } catch (e) {
      if (!isDomainError(e) || e.code !== 'INVALID_FILTER') throw new Error(`${t.label}: ${String(e)}`);
      refused += 1;
    }
  }
  const list = (filter: Filter) =>
    (kind === 'users' ? h.services.users : h.services.groups).list(ctx, { filter, sort: null, page: { mode: 'offset', offset: 0, limit: 1 }, withTotal: true });
  const failures: string[] = [];
  for (let i = 0; i < accepted.length; i += budget.maxTerms) {
    const batch = accepted.slice(i, i + budget.maxTerms);
    try {
      await list(f.or(...batch.map((t) => t.filter)));
    } catch {
      for (const t of batch) {
        try {
          await list(t.filter);
        } catch (e) {
          failures.push(`${t.label}: ${isDomainError(e) ? e.code : ''} ${String(e)}`);
        }
      }
    }
  }
  return { failures, ran: accepted.length, refused };
}

describe.each([
  ['users', USER_TYPE] as const,
  ['groups', GROUP_TYPE] as const,
])('%s: every field × operator × kind of value', (kind, rt) => {
  it('domain filters: refused by validation or run by PostgreSQL, never a database error', async () => {
    const r = await runAll(kind, rt.catalog, domainTerms(rt.catalog));
    expect(r.failures).toEqual([]);
    expect(r.ran).toBeGreaterThan(100);
    expect(r.refused).toBeGreaterThan(100);
  });

  it('SCIM filters: refused as invalidFilter or run by PostgreSQL, never a database error', async () => {
    const r = await runAll(kind, rt.catalog, scimTerms(rt));
    expect(r.failures).toEqual([]);
    expect(r.ran).toBeGreaterThan(100);
  });
});

describe('values of the wrong kind match nothing or are refused', () => {
  const list = (filter: Filter) => h.services.users.list(ctx, { filter, sort: null, page: { mode: 'offset', offset: 0, limit: 10 }, withTotal: true });

  it.each<[string, Filter]>([
    ['an id equal to text that is no id', f.eq('id', 'abc')],
    ['a manager equal to text that is no id', f.eq('enterprise.managerValue', '0190a0a0-zzzz')],
    ['a group member equal to text that is no id', f.some('groups', f.eq('value', 'abc'))],
  ])('%s: no match', async (_label, filter) => {
    expect((await list(filter)).total).toBe(0);
  });

  it.each<[string, Filter]>([
    ['a date compared with text', f.cmp('createdAt', 'gt', 'yesterday')],
    ['a date past the year 9999', f.cmp('updatedAt', 'lt', new Date('+010000-01-01T00:00:00Z'))],
    ['a boolean compared with text', f.eq('active', 'yes')],
    ['a boolean ordered', f.cmp('active', 'gt', true)],
    ['a string compared with a number', f.eq('userName', 42)],
  ])('%s: 400 invalidFilter', async (_label, filter) => {
    await expect(list(filter)).rejects.toMatchObject({ code: 'INVALID_FILTER' });
  });
});
