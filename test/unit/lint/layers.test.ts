import { ESLint } from 'eslint';

/** The layer rule (docs/architecture.md#layers) is enforced by `npm run lint`, not left to convention. */
const eslint = new ESLint({ cwd: process.cwd() });
const lint = async (filePath: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

describe('layer rule', () => {
  it.each([
    ['src/domain/user/x.ts', "import Koa from 'koa';\nexport const k = Koa;\n"],
    ['src/domain/user/x.ts', "import { MikroORM } from '@mikro-orm/postgresql';\nexport const m = MikroORM;\n"],
    ['src/domain/user/x.ts', "import { query } from '../../db/sql.js';\nexport const q = query;\n"],
    ['src/scim/x.ts', "import { query } from '../db/sql.js';\nexport const q = query;\n"],
    ['src/scim/x.ts', "import { parse } from 'graphql';\nexport const p = parse;\n"],
    ['src/graphql/x.ts', "import { a } from '../scim/a.js';\nexport const b = a;\n"],
    ['src/graphql/x.ts', "import { createStore } from '../db/store.js';\nexport const s = createStore;\n"],
    ['src/db/x.ts', "import Router from '@koa/router';\nexport const r = Router;\n"],
    // Only composition/ (and main.ts) wire layers together.
    ['src/http/x.ts', "import { createStore } from '../db/store.js';\nexport const s = createStore;\n"],
    ['src/cli/x.ts', "import { openDatabase } from '../db/database.js';\nexport const o = openDatabase;\n"],
    ['src/cli/x.ts', "import { createApp } from '../http/app.js';\nexport const a = createApp;\n"],
    ['src/scim/x.ts', "import { buildServices } from '../composition/services.js';\nexport const b = buildServices;\n"],
    ['src/domain/x.ts', "import { buildServices } from '../composition/services.js';\nexport const b = buildServices;\n"],
  ])('forbids %s from importing what the layer rule forbids (%#)', async (file, code) => {
    expect((await lint(file, code)).length).toBe(1);
  });

  it.each([
    ['src/scim/x.ts', "import { f } from '../domain/shared/filter.js';\nexport const g = f;\n"],
    ['src/graphql/x.ts', "import { f } from '../domain/shared/filter.js';\nexport const g = f;\n"],
    ['src/http/x.ts', "import { createScimRouter } from '../scim/scim.router.js';\nexport const r = createScimRouter;\n"],
    ['src/composition/x.ts', "import { createStore } from '../db/store.js';\nexport const s = createStore;\n"],
    ['src/composition/x.ts', "import { createApp } from '../http/app.js';\nexport const a = createApp;\n"],
    ['src/cli/x.ts', "import { openServices } from '../composition/services.js';\nexport const o = openServices;\n"],
    ['src/main.ts', "import { createStore } from './db/store.js';\nexport const s = createStore;\n"],
  ])('allows %s to import the domain or wire layers (%#)', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
