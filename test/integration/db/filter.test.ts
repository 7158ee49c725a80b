import type { Ctx } from '../../../src/domain/context.js';
import { DomainError } from '../../../src/domain/errors.js';
import type { ListQuery } from '../../../src/domain/ports.js';
import { f, type Filter } from '../../../src/domain/shared/filter.js';
import type { User } from '../../../src/domain/user/user.js';
import { query } from '../../../src/db/sql.js';
import { email, profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * The filter compiler on real SQL: every operator, escaping, nesting, multi-valued sub-filters,
 * and the NULL semantics of `not`.
 */
let h: Harness;
let ctx: Ctx;
const ids: Record<string, string> = {};
let created: Date;

const all = (filter: Filter | null, extra: Partial<ListQuery> = {}): ListQuery => ({
  filter,
  sort: { field: 'userName', direction: 'asc' },
  page: { mode: 'offset', offset: 0, limit: 100 },
  withTotal: false,
  ...extra,
});
const names = async (filter: Filter): Promise<string[]> =>
  (await h.services.users.list(ctx, all(filter))).items.map((i) => i.node.userName);

beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
  const add = async (key: string, p: ReturnType<typeof profile>): Promise<User> => {
    const { user } = await h.services.users.create(ctx, p);
    ids[key] = user.id;
    return user;
  };
  await add('ada', profile('ada@example.com', {
    displayName: 'Ada Lovelace', title: 'Engineer', externalId: 'EXT-1',
    name: { ...profile('x').name, givenName: 'Ada', familyName: 'Lovelace' },
    emails: [email('ada@example.com', 'work', true), email('ada@home.example', 'home')],
    phoneNumbers: [{ value: '+1 555 0100', type: 'mobile', primary: false, display: null }],
    roles: [{ value: 'admin', type: null, primary: false, display: 'Administrator' }],
    addresses: [{ type: 'work', primary: true, formatted: null, streetAddress: '1 Main St', locality: 'London', region: null, postalCode: 'N1', country: 'GB' }],
    enterprise: { ...profile('x').enterprise, department: 'R&D', employeeNumber: '0042' },
  }));
  created = new Date();
  await add('grace', profile('grace@example.com', {
    displayName: 'Grace Hopper', title: '50% Engineer',
    emails: [email('grace@navy.example', 'work', true)],
    enterprise: { ...profile('x').enterprise, department: 'Navy' },
  }));
  await add('linus', profile('linus_t@example.com', { displayName: 'Linus', active: false, emails: [email('linus@kernel.example', 'home')] }));
  await add('nobody', profile('nobody@example.com'));
});
afterAll(async () => {
  await h.close();
});

describe('comparison operators', () => {
  it.each<[string, Filter, string[]]>([
    ['eq on a case-insensitive attribute', f.eq('userName', 'ADA@EXAMPLE.COM'), ['ada@example.com']],
    ['eq on a case-exact attribute', f.eq('externalId', 'ext-1'), []],
    ['eq on a case-exact attribute, same case', f.eq('externalId', 'EXT-1'), ['ada@example.com']],
    ['ne includes resources without the attribute', f.cmp('title', 'ne', 'Engineer'), ['grace@example.com', 'linus_t@example.com', 'nobody@example.com']],
    ['co', f.cmp('displayName', 'co', 'OPP'), ['grace@example.com']],
    ['sw', f.cmp('userName', 'sw', 'li'), ['linus_t@example.com']],
    ['ew', f.cmp('displayName', 'ew', 'lace'), ['ada@example.com']],
    ['gt on strings', f.cmp('userName', 'gt', 'linus'), ['linus_t@example.com', 'nobody@example.com']],
    ['ge', f.cmp('userName', 'ge', 'grace@example.com'), ['grace@example.com', 'linus_t@example.com', 'nobody@example.com']],
    ['lt', f.cmp('userName', 'lt', 'b'), ['ada@example.com']],
    ['le', f.cmp('userName', 'le', 'ada@example.com'), ['ada@example.com']],
    ['eq on a boolean', f.eq('active', false), ['linus_t@example.com']],
    ['pr on a string', f.pr('title'), ['ada@example.com', 'grace@example.com']],
    ['pr on a multi-valued attribute', f.pr('phoneNumbers'), ['ada@example.com']],
    ['eq null', f.eq('displayName', null), ['nobody@example.com']],
    ['dateTime gt', f.cmp('createdAt', 'gt', new Date(0)), ['ada@example.com', 'grace@example.com', 'linus_t@example.com', 'nobody@example.com']],
    ['enterprise attribute', f.eq('enterprise.department', 'r&d'), ['ada@example.com']],
    ['case-exact employeeNumber', f.cmp('enterprise.employeeNumber', 'sw', '00'), ['ada@example.com']],
  ])('%s', async (_label, filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });

  it('compares timestamps', async () => {
    expect(await names(f.cmp('createdAt', 'ge', created))).toEqual(['grace@example.com', 'linus_t@example.com', 'nobody@example.com']);
    expect(await names(f.cmp('createdAt', 'lt', created))).toEqual(['ada@example.com']);
  });

  it('matches ids exactly, and a malformed id matches nothing instead of failing', async () => {
    expect(await names(f.eq('id', ids.grace!.toUpperCase()))).toEqual(['grace@example.com']);
    expect(await names(f.eq('id', 'not-a-uuid'))).toEqual([]);
  });
});

describe('LIKE wildcards in values are literal', () => {
  it('treats % as a character', async () => {
    expect(await names(f.cmp('title', 'co', '50%'))).toEqual(['grace@example.com']);
    expect(await names(f.cmp('title', 'sw', '%'))).toEqual([]);
  });
  it('treats _ as a character', async () => {
    expect(await names(f.cmp('userName', 'co', 's_t'))).toEqual(['linus_t@example.com']);
    expect(await names(f.cmp('userName', 'co', '_'))).toEqual(['linus_t@example.com']);
  });
  it('treats a backslash as a character', async () => {
    expect(await names(f.cmp('userName', 'co', '\\'))).toEqual([]);
  });
  it('keeps quotes and SQL in values as data', async () => {
    expect(await names(f.eq('userName', "x' or '1'='1"))).toEqual([]);
  });
});

describe('logical nesting', () => {
  it.each<[string, Filter, string[]]>([
    ['and', f.and(f.cmp('displayName', 'co', 'a'), f.eq('active', true)), ['ada@example.com', 'grace@example.com']],
    ['or', f.or(f.eq('userName', 'ada@example.com'), f.eq('userName', 'nobody@example.com')), ['ada@example.com', 'nobody@example.com']],
    ['not includes missing attributes', f.not(f.eq('title', 'Engineer')), ['grace@example.com', 'linus_t@example.com', 'nobody@example.com']],
    ['not of pr', f.not(f.pr('displayName')), ['nobody@example.com']],
    ['and inside or inside not', f.not(f.or(f.and(f.eq('active', true), f.pr('title')), f.eq('userName', 'nobody@example.com'))), ['linus_t@example.com']],
  ])('%s', async (_label, filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });
});

describe('multi-valued sub-filters (EXISTS)', () => {
  it.each<[string, Filter, string[]]>([
    ['emails value, case-insensitive', f.some('emails', f.eq('value', 'ADA@HOME.EXAMPLE')), ['ada@example.com']],
    ['emails type and value in one element', f.some('emails', f.and(f.eq('type', 'work'), f.cmp('value', 'co', 'navy'))), ['grace@example.com']],
    ['type and value must hold in the same element', f.some('emails', f.and(f.eq('type', 'home'), f.cmp('value', 'co', '@example.com'))), []],
    ['primary', f.some('emails', f.eq('primary', true)), ['ada@example.com', 'grace@example.com']],
    ['not of some', f.not(f.some('emails', f.eq('type', 'work'))), ['linus_t@example.com', 'nobody@example.com']],
    ['phone numbers', f.some('phoneNumbers', f.eq('type', 'mobile')), ['ada@example.com']],
    ['roles display', f.some('roles', f.cmp('display', 'sw', 'admin')), ['ada@example.com']],
    ['addresses', f.some('addresses', f.and(f.eq('type', 'work'), f.eq('locality', 'london'))), ['ada@example.com']],
  ])('%s', async (_label, filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });

  it('filters users by group membership', async () => {
    const g = await h.services.groups.create(ctx, { displayName: 'Pioneers', externalId: null, extensions: {} }, [{ id: ids.ada! }, { id: ids.grace! }]);
    expect(await names(f.some('groups', f.eq('value', g.id)))).toEqual(['ada@example.com', 'grace@example.com']);
    expect(await names(f.some('groups', f.eq('display', 'pioneers')))).toEqual(['ada@example.com', 'grace@example.com']);
    const groups = await h.services.groups.list(ctx, { ...all(f.some('members', f.eq('value', ids.ada!))), sort: null });
    expect(groups.items.map((i) => i.node.displayName)).toEqual(['Pioneers']);
  });
});

describe('bad filters are refused with a message naming the problem', () => {
  it.each<[string, Filter, RegExp]>([
    ['unknown attribute', f.eq('shoeSize', '42'), /unknown attribute "shoeSize"/],
    ['unknown sub-attribute', f.some('emails', f.eq('colour', 'red')), /"emails" has no sub-attribute "colour"/],
    ['not multi-valued', f.some('userName', f.eq('value', 'x')), /not a multi-valued attribute/],
    ['ordering a boolean', f.cmp('active', 'gt', true), /not defined for the boolean/],
    ['string for a boolean', f.eq('active', 'yes'), /is a boolean/],
    ['co on a dateTime', f.cmp('createdAt', 'co', new Date()), /not defined for the dateTime/],
    ['empty and', { op: 'and', filters: [] }, /at least one operand/],
  ])('%s', async (_label, filter, message) => {
    const err = await h.services.users.list(ctx, all(filter)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('INVALID_FILTER');
    expect((err as DomainError).message).toMatch(message);
  });

  it('refuses filters nested too deeply', async () => {
    let deep: Filter = f.eq('userName', 'x');
    for (let i = 0; i < 70; i++) deep = f.not(deep);
    await expect(h.services.users.list(ctx, all(deep))).rejects.toThrow(/filter too complex: nested more than 64 levels deep, at most 64/);
  });
});

describe('indexes', () => {
  it('looks users up by userName and by email through the lower(...) indexes', async () => {
    const em = h.db.orm.em.fork();
    await query(em, 'analyze users');
    await query(em, 'analyze user_values');
    await query(em, 'set enable_seqscan = off');
    const plan = async (sql: string, params: unknown[]) =>
      (await query<{ 'QUERY PLAN': string }>(em, `explain ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');
    expect(await plan('select id from users where tenant_id = ? and lower(user_name) = lower(?)', [ctx.tenantId, 'Ada@example.com'])).toContain('users_tenant_user_name_unique');
    expect(
      await plan(`select id from user_values where tenant_id = ? and attribute = 'emails' and lower(value) = lower(?)`, [ctx.tenantId, 'x@y']),
    ).toContain('user_values_tenant_attribute_value_index');
  });
});
