import { readFileSync } from 'node:fs';
import { applyPatch } from '../../../../src/scim/patch/patch.apply.js';
import { normalisePatch } from '../../../../src/scim/patch/patch.normalise.js';
import { USER_TYPE } from '../../../../src/scim/registry/attribute.registry.js';
import { ScimError } from '../../../../src/scim/scim.errors.js';

interface Case {
  name: string;
  before?: Record<string, unknown>;
  operations: unknown[];
  after?: Record<string, unknown>;
  error?: { scimType: string; detail: string };
}
const cases = JSON.parse(readFileSync(new URL('./patch.fixtures.json', import.meta.url), 'utf8')) as Case[];
const run = (c: Case) => applyPatch(c.before ?? { userName: 'a@x' }, normalisePatch(USER_TYPE, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: c.operations }));

describe('user PATCH: normalised, then applied in memory (RFC 7644 §3.5.2, docs/entra.md#two-patch-dialects)', () => {
  it.each(cases.filter((c) => c.after))('$name', (c) => {
    expect(run(c)).toEqual(c.after);
  });

  it.each(cases.filter((c) => c.error))('refuses $name', (c) => {
    let err: unknown;
    try {
      run(c);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScimError);
    expect(err).toMatchObject({ status: 400, scimType: c.error!.scimType });
    expect((err as ScimError).detail).toContain(c.error!.detail);
  });

  it('leaves the input untouched', () => {
    const before = { userName: 'a@x', emails: [{ value: 'a@x' }] };
    run({ name: 'x', before, operations: [{ op: 'remove', path: 'emails' }] });
    expect(before).toEqual({ userName: 'a@x', emails: [{ value: 'a@x' }] });
  });

  it('leaves nested parts of the input untouched: elements, extensions, their sub-objects', () => {
    const ext = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
    const before = { userName: 'a@x', emails: [{ value: 'a@x', type: 'work' }], [ext]: { badge: { colour: 'red' }, floor: 3 } };
    const copy = JSON.parse(JSON.stringify(before)) as typeof before;
    const after = run({
      name: 'x',
      before,
      operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'b@x' },
        { op: 'replace', path: `${ext}:badge.colour`, value: 'blue' },
        { op: 'remove', path: `${ext}:floor` },
      ],
    });
    expect(after).toMatchObject({ emails: [{ value: 'b@x', type: 'work' }], [ext]: { badge: { colour: 'blue' } } });
    expect(before).toEqual(copy);
  });
});
