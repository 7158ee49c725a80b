import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every environment variable Roster reads is documented where operators look for it: the
 * configuration table of docs/operations.md#configuration and the README's.
 */
const root = process.cwd();
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');

/** Names config.ts reads: the first argument of its readers (`read('X')`, `int('X', …)`) or `env.X` / `env['X']`. */
function envNamesOf(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/\b\w+\(\s*'([A-Z][A-Z0-9_]*)'/g)) names.add(m[1]!);
  for (const m of source.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)|\[\s*'([A-Z][A-Z0-9_]*)'\s*\])/g)) names.add((m[1] ?? m[2])!);
  return [...names].sort();
}

/** The variables named in the first column of the table under a `## Configuration` heading. */
function documented(markdown: string): Set<string> {
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(`${markdown}\n## `)?.[1] ?? '';
  return new Set([...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!));
}

describe('configuration is documented', () => {
  const names = envNamesOf(read('src/config/config.ts'));

  it('finds the variables config.ts reads', () => {
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT', 'TRUST_PROXY']));
    expect(envNamesOf("const a = int('A_B', 1, 0, 2); read('C'); env.D_E; env['F'];")).toEqual(['A_B', 'C', 'D_E', 'F']);
  });

  it.each(['docs/operations.md', 'README.md'])('%s lists every variable in its configuration table', (file) => {
    const have = documented(read(file));
    expect(names.filter((n) => !have.has(n))).toEqual([]);
  });
});
