import { toDate, toDateOrNull } from '../../../src/db/sql.js';

describe('timestamps as PostgreSQL writes them', () => {
  it.each([
    ['2024-01-31 12:00:00+00', '2024-01-31T12:00:00.000Z'],
    ['2024-01-31 12:00:00.123456+00', '2024-01-31T12:00:00.123Z'],
    ['2024-01-31 12:00:00.5-03', '2024-01-31T15:00:00.500Z'],
    ['2024-01-31 12:00:00+05:30', '2024-01-31T06:30:00.000Z'],
    ['2024-01-31 00:00:00.1-09:30', '2024-01-31T09:30:00.100Z'],
    ['0001-01-01 00:00:00+00', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31 23:59:59.999+00', '9999-12-31T23:59:59.999Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(toDate(text).toISOString()).toBe(iso);
  });

  it('passes Dates through and keeps null', () => {
    const d = new Date('2024-01-31T12:00:00.000Z');
    expect(toDate(d)).toBe(d);
    expect(toDateOrNull(null)).toBeNull();
  });
});
