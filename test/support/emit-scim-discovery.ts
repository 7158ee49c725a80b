// Writes schema/scim/*.json from the attribute registry: `npm run scim:emit`.
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config.js';
import { discoveryFiles } from '../../src/scim/discovery/discovery.documents.js';

const files = discoveryFiles(loadConfig({}).maxPageSize);
for (const [name, doc] of Object.entries(files)) {
  writeFileSync(new URL(`../../schema/scim/${name}`, import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
}
