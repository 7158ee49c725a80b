import type { Group } from '../../../../src/domain/group/group.js';
import { GROUPS } from '../../../../src/db/tables/groups.table.js';
import type { Table } from '../../../../src/db/tables/table.js';
import { USERS, type StoredUser } from '../../../../src/db/tables/users.table.js';

/** A stored value for every field, each different, so a column that reads or writes the wrong field shows. */
const user: StoredUser = {
  id: '0190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
  tenantId: '0190a8f2-7c3d-7e4f-8a9b-000000000001',
  userName: 'ada@example.com',
  loginName: 'ada',
  externalId: 'ext-1',
  name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada', middleName: 'King', honorificPrefix: 'Lady', honorificSuffix: 'II' },
  displayName: 'Ada',
  nickName: 'A',
  profileUrl: 'https://example.com/ada',
  title: 'Analyst',
  userType: 'Employee',
  preferredLanguage: 'en-GB',
  locale: 'en-GB',
  timezone: 'Europe/London',
  active: false,
  enterprise: { employeeNumber: '42', costCenter: 'cc', organization: 'org', division: 'div', department: 'dep', managerValue: '0190a8f2-7c3d-7e4f-8a9b-000000000002' },
  extensions: { 'urn:example:ext': { a: 1 } },
  managedBy: '0190a8f2-7c3d-7e4f-8a9b-000000000003',
  deprovisionedAt: new Date('2024-03-01T12:00:00.000Z'),
  emails: [{ value: 'ada@example.com', type: 'work', primary: true, display: null }],
  phoneNumbers: [
    { value: '+44 20 7946 0000', type: 'work', primary: null, display: null },
    { value: '+44 7700 900000', type: 'mobile', primary: false, display: 'mobile' },
  ],
  ims: [{ value: 'ada@im', type: null, primary: null, display: null }],
  photos: [{ value: 'https://example.com/ada.png', type: 'photo', primary: null, display: null }],
  roles: [{ value: 'admin', type: null, primary: true, display: 'Admin' }],
  entitlements: [{ value: 'e1', type: null, primary: null, display: null }],
  x509Certificates: [{ value: 'MIIB', type: null, primary: null, display: null }],
  addresses: [{ type: 'work', primary: true, formatted: null, streetAddress: '1 Analytical Row', locality: 'London', region: null, postalCode: 'N1 9GU', country: 'GB' }],
  version: 3,
  createdAt: new Date('2024-01-31T12:00:00.000Z'),
  updatedAt: new Date('2024-02-01T12:00:00.000Z'),
};

const group: Group = {
  id: '0190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5c',
  tenantId: '0190a8f2-7c3d-7e4f-8a9b-000000000001',
  displayName: 'Analysts',
  externalId: 'ext-2',
  extensions: { 'urn:example:ext': { b: 2 } },
  managedBy: null,
  version: 7,
  createdAt: new Date('2024-01-31T12:00:00.000Z'),
  updatedAt: new Date('2024-02-01T12:00:00.000Z'),
};

/** The row PostgreSQL would hand back after the insert: jsonb parsed, timestamps as text. */
function rowAfterInsert<T>(table: Table<T>, d: T): Record<string, unknown> {
  const { params } = table.insert(d);
  return Object.fromEntries(
    table.columns.map((c, i) => {
      const v = params[i];
      return [c.sql, c.type === 'jsonb' || c.type === 'json' ? JSON.parse(v as string) : v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '+00') : v];
    }),
  );
}

describe.each([
  ['users', USERS as Table<unknown>, user as unknown],
  ['groups', GROUPS as Table<unknown>, group as unknown],
])('the %s table description', (_name, table, sample) => {
  it('reads back every field it writes', () => {
    expect(table.fromRow(rowAfterInsert(table, sample))).toEqual(sample);
  });

  it('reads back every field it writes from the row as one JSON array, timestamps as JSON writes them', () => {
    const { params } = table.insert(sample);
    const values = table.columns.map((c, i) => {
      const v = params[i];
      // PostgreSQL's json output of a timestamptz: ISO 8601, microseconds, the offset with its minutes.
      return c.type === 'jsonb' || c.type === 'json' ? JSON.parse(v as string) : v instanceof Date ? v.toISOString().replace('Z', '000+00:00') : v;
    });
    expect(table.fromArray(values)).toEqual(sample);
    expect(table.rowArray('x')).toBe(`json_build_array(${table.columns.map((c) => `x.${c.sql}`).join(', ')})`);
  });

  it('has a column for every field filters may name', () => {
    for (const field of Object.keys(table.catalog.simple)) expect(table.columnMap[field]).toBeDefined();
  });

  it('updates every column but the id, the tenant and the creation time, by tenant and id', () => {
    const { sql, params } = table.update(sample as never);
    const [, set, where] = /^update \w+ set (.*) where (.*)$/.exec(sql)!;
    expect(set!.split(', ').map((s) => s.split(' = ')[0])).toEqual(table.columns.map((c) => c.sql).filter((c) => !['id', 'tenant_id', 'created_at'].includes(c)));
    expect(where).toBe('tenant_id = ? and id = ?');
    expect(params.slice(-2)).toEqual([(sample as Group).tenantId, (sample as Group).id]);
    expect(params).toHaveLength(table.columns.length - 3 + 2);
  });
});

describe('sort keys', () => {
  // Case-insensitive text sorts by lower(); NULL sorts as ''; the unique indexes on lower(name) serve the not-null ones.
  it.each([
    [USERS as Table<unknown>, {
      id: { expr: 'u.id', cast: 'uuid' },
      userName: { expr: 'lower(u.user_name)', cast: 'text' },
      loginName: { expr: 'lower(u.login_name)', cast: 'text' },
      externalId: { expr: `coalesce(u.external_id, '')`, cast: 'text' },
      displayName: { expr: `coalesce(lower(u.display_name), '')`, cast: 'text' },
      title: { expr: `coalesce(lower(u.title), '')`, cast: 'text' },
      'name.familyName': { expr: `coalesce(lower(u.name_family_name), '')`, cast: 'text' },
      'name.givenName': { expr: `coalesce(lower(u.name_given_name), '')`, cast: 'text' },
      'enterprise.employeeNumber': { expr: `coalesce(u.employee_number, '')`, cast: 'text' },
      'enterprise.department': { expr: `coalesce(lower(u.department), '')`, cast: 'text' },
      createdAt: { expr: 'u.created_at', cast: 'timestamptz' },
      updatedAt: { expr: 'u.updated_at', cast: 'timestamptz' },
    }],
    [GROUPS as Table<unknown>, {
      id: { expr: 'g.id', cast: 'uuid' },
      displayName: { expr: 'lower(g.display_name)', cast: 'text' },
      externalId: { expr: `coalesce(g.external_id, '')`, cast: 'text' },
      createdAt: { expr: 'g.created_at', cast: 'timestamptz' },
      updatedAt: { expr: 'g.updated_at', cast: 'timestamptz' },
    }],
  ])('derive from the columns and the domain catalog (%#)', (table, expected) => {
    expect(table.sortKeys).toEqual(expected);
  });
});

describe('the users multi-valued columns', () => {
  it('store each value with exactly the fields a read gives back, null where not sent, in the order sent', () => {
    const loose = {
      ...user,
      emails: [{ value: 'b@example.com', type: 'home', extra: 'dropped' }, { value: 'a@example.com' }],
      addresses: [{ country: 'GB', streetAddress: '1 Analytical Row' }],
    } as unknown as StoredUser;
    const { params } = USERS.insert(loose);
    const stored = (sql: string) => JSON.parse(params[USERS.columns.findIndex((c) => c.sql === sql)] as string) as unknown;
    expect(stored('emails')).toEqual([
      { value: 'b@example.com', type: 'home', primary: null, display: null },
      { value: 'a@example.com', type: null, primary: null, display: null },
    ]);
    expect(stored('addresses')).toEqual([
      { type: null, primary: null, formatted: null, streetAddress: '1 Analytical Row', locality: null, region: null, postalCode: null, country: 'GB' },
    ]);
    expect(stored('x509_certificates')).toEqual(user.x509Certificates);
    expect(USERS.insert(user).sql).toContain('?::json');
  });
});
