import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Rows are read into objects of one fixed layout (src/db/tables/table.ts, docs/architecture.md#allocation-per-request).
 * A V8 object given more than about a dozen keys one by one under computed names becomes a hash
 * table: several times the memory of a row, and slower to read in everything that follows; objects
 * of layouts of their own make every function that reads them slow instead. Checked
 * in a plain Node.js process, where `%HasFastProperties` tells; the test runner's module sandbox
 * keeps such objects fast where the server would not.
 */
const tables = fileURLToPath(new URL('../../../../src/db/tables/', import.meta.url));

const SCRIPT = `
const { USERS } = await import(${JSON.stringify(`${tables}users.table.ts`)});
const { GROUPS } = await import(${JSON.stringify(`${tables}groups.table.ts`)});
const fast = new Function('o', 'return %HasFastProperties(o)');
const value = (c) => (c.type === 'json' ? [] : c.type === 'jsonb' ? {} : c.type === 'timestamptz' ? '2024-01-31T12:00:00.123+00:00' : c.type === 'boolean' ? true : c.type === 'integer' ? 1 : 'x');
const sameLayout = new Function('a', 'b', 'return %HaveSameMap(a, b)');
const out = {};
for (const [name, table] of [['users', USERS], ['groups', GROUPS]]) {
  const values = table.columns.map(value);
  // Another row: every column that may be null is.
  const sparse = table.columns.map((c, i) => (c.nullable ? null : values[i]));
  const row = Object.fromEntries(table.columns.map((c, i) => [c.sql, values[i]]));
  const read = [table.fromArray(values), table.fromArray(sparse), table.fromRow(row), table.fromArray(values)];
  out[name] = { fast: read.map(fast), sameLayout: read.slice(1).map((d) => sameLayout(read[0], d)) };
}
process.stdout.write(JSON.stringify(out));
`;

describe('rows read from a table description', () => {
  it('are objects of one fixed layout, the same for every row, never hash tables', () => {
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    const each = { fast: [true, true, true, true], sameLayout: [true, true, true] };
    expect(JSON.parse(r.stdout)).toEqual({ users: each, groups: each });
  });
});
