import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { printRosterSchema } from './schema.js';

/** `npm run schema:emit`: writes the SDL to schema/schema.graphql (or the path given). */
async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? 'schema/schema.graphql');
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, printRosterSchema(), 'utf8');
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`schema emit failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
