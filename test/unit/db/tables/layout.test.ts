import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Rows are read into objects of one fixed layout (src/db/tables/table.ts, docs/architecture.md#allocation-per-request).
 * A V8 object given more than about a dozen keys one by one under computed names becomes a hash
 * table: several times the memory of a row, and slower to read in everything that follows. Checked
 * in a plain Node.js process, where `%HasFastProperties` tells; the test runner's module sandbox
 * keeps such objects fast where the server would not.
 */
const tables = fileURLToPath(new URL('../../../../src/db/tables/', import.meta.url));

const SCRIPT = `
const { USERS } = await import(${JSON.stringify(`${tables}users.table.ts`)});
const { GROUPS } = await import(${JSON.stringify(`${tables}groups.table.ts`)});
const fast = new Function('o', 'return %HasFastProperties(o)');
const value = (c) => (c.type === 'json' ? [] : c.type === 'jsonb' ? {} : c.type === 'timestamptz' ? '2024-01-31T12:00:00.123+00:00' : c.type === 'boolean' ? true : c.type === 'integer' ? 1 : 'x');
const out = {};
for (const [name, table] of [['users', USERS], ['groups', GROUPS]]) {
  const values = table.columns.map(value);
  const row = Object.fromEntries(table.columns.map((c, i) => [c.sql, values[i]]));
  out[name] = [table.fromArray(values), table.fromArray(values), table.fromRow(row)].map(fast);
}
process.stdout.write(JSON.stringify(out));
`;

describe('rows read from a table description', () => {
  it('are objects of one fixed layout, never hash tables', () => {
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ users: [true, true, true], groups: [true, true, true] });
  });
});
