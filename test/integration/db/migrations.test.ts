import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { migrationsList } from '../../../src/db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('migrations and entities agree', () => {
  it('leaves nothing for the schema generator to change after all migrations ran', async () => {
    const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    expect(diff.trim()).toBe('');
  });

  it('lists every migration file in the migrations index', async () => {
    const dir = fileURLToPath(new URL('../../../src/db/migrations', import.meta.url));
    const files = (await readdir(dir)).filter((f) => /^Migration\d+.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ''));
    expect(migrationsList.map((m) => m.name).sort()).toEqual(files.sort());
  });

  it('has applied every listed migration', async () => {
    const executed = await db.orm.getMigrator().getExecutedMigrations();
    expect(executed.map((m) => m.name)).toEqual(migrationsList.map((m) => m.name));
  });
});
