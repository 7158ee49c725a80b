import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../../src/config/config.js';
import { discoveryFiles } from '../../../../src/scim/discovery/discovery.documents.js';
import { USER_TYPE, GROUP_TYPE, allAttributes } from '../../../../src/scim/registry/attribute.registry.js';

const dir = new URL('../../../../schema/scim/', import.meta.url);

describe('committed SCIM discovery documents (schema/scim/*.json)', () => {
  const files = discoveryFiles(loadConfig({}).maxPageSize);
  it.each(Object.keys(files))('%s matches the attribute registry (run `npm run scim:emit` after changing it)', (name) => {
    expect(JSON.parse(readFileSync(new URL(name, dir), 'utf8'))).toEqual(files[name]);
  });
});

describe('the attribute registry agrees with the domain catalog', () => {
  it.each([USER_TYPE, GROUP_TYPE])('every mapped attribute of $name names a field the domain can filter', (rt) => {
    for (const { attr } of allAttributes(rt)) {
      if (attr.domain && attr.multiValued) expect(rt.catalog.multi[attr.domain]).toBeDefined();
      if (attr.domain && !attr.multiValued) expect(rt.catalog.simple[attr.domain]).toBeDefined();
      for (const s of attr.subAttributes ?? []) if (s.domain) expect(rt.catalog.simple[s.domain]).toBeDefined();
    }
  });
});
