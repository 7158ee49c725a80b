import { replicator, type CapturedStatement } from '../../bench/http/database-alone.js';

const TENANT = '01a246ca-6e67-71d9-826f-864ed0bd201f';
const USER = '01a246c7-da7d-7511-b518-3888f260f753';
const EVENT = '01A246C7-DA7F-72CB-8D42-EB9C160C131D';
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const captured: CapturedStatement[] = [
  { text: 'begin', name: undefined, values: [] },
  {
    text: 'insert into t (id, tenant_id, user_name, external_id, n, at, doc, ids) values ($1, $2, $3, $4, $5, $6, $7, $8)',
    name: 'roster_abc',
    values: [
      USER,
      TENANT,
      'ada@example.com',
      'ada',
      3,
      new Date(0),
      JSON.stringify({ id: EVENT, resourceId: USER, tenantId: TENANT, userName: 'ada@example.com', externalId: 'ada' }),
      [USER, TENANT, 'ada'],
    ],
  },
];

describe('database-alone replicator', () => {
  const copy = replicator(captured, new Set([TENANT]), { 'ada@example.com': (i) => `u${i}@example.com`, ada: (i) => `u${i}` });

  it('renews every id not kept, the same way wherever it stands, and keeps the rest as captured', () => {
    const [begin, insert] = copy(7);
    expect(begin).toEqual({ text: 'begin', name: undefined, values: [] });
    expect(insert!.text).toBe(captured[1]!.text);
    expect(insert!.name).toBe('roster_abc');
    const [id, tenant, userName, externalId, n, at, doc, ids] = insert!.values as [string, string, string, string, number, Date, string, string[]];
    expect(id).toMatch(UUIDV7);
    expect(id).not.toBe(USER);
    expect(tenant).toBe(TENANT);
    expect([userName, externalId, n, at]).toEqual(['u7@example.com', 'u7', 3, new Date(0)]);
    const parsed = JSON.parse(doc) as Record<string, string>;
    expect(parsed.resourceId).toBe(id);
    expect(parsed.tenantId).toBe(TENANT);
    // An id written in upper case is the same id: renewed, not kept.
    expect(parsed.id).toMatch(UUIDV7);
    expect(parsed.id).not.toBe(id);
    expect([parsed.userName, parsed.externalId]).toEqual(['u7@example.com', 'u7']);
    expect(ids).toEqual([id, TENANT, 'u7']);
  });

  it('gives each copy ids of its own', () => {
    const a = copy(1)[1]!.values[0];
    const b = copy(2)[1]!.values[0];
    expect(a).not.toBe(b);
    expect(copy(1)[1]!.values[2]).toBe('u1@example.com');
  });

  it('leaves the captured values as they were', () => {
    copy(3);
    expect(captured[1]!.values[0]).toBe(USER);
    expect(captured[1]!.values[7]).toEqual([USER, TENANT, 'ada']);
  });
});
