import { readFile } from 'node:fs/promises';
import { printRosterSchema } from '../../../src/graphql/schema.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:emit` after changing src/graphql)', async () => {
    const committed = await readFile(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printRosterSchema());
  });

  it('declares the Relay Node interface on every refetchable type', () => {
    const sdl = printRosterSchema();
    for (const t of ['User', 'Group', 'Tenant', 'ScimConnection']) expect(sdl).toContain(`type ${t} implements Node {`);
  });

  it('never exposes a stored secret or hash', () => {
    expect(printRosterSchema()).not.toMatch(/tokenHash|keyHash|token_hash|key_hash/i);
  });
});
