import fc from 'fast-check';
import { address, changedAttributes, EMPTY_ENTERPRISE, multiValue, type User } from '../../../../src/domain/user/user.js';
import { applyPatch } from '../../../../src/scim/patch/patch.apply.js';
import { normalisePatch, type PatchOperation } from '../../../../src/scim/patch/patch.normalise.js';
import { SCHEMA, USER_TYPE } from '../../../../src/scim/registry/attribute.registry.js';
import { ScimError } from '../../../../src/scim/scim.errors.js';
import { userProfileFromScim, userToScim } from '../../../../src/scim/users/user.mapping.js';
import { keepsRoundTrip, patchedProfile } from '../../../../src/scim/users/user.patch.js';

const BASE = 'https://roster.example/scim/v2';
const ENT = SCHEMA.enterprise;

function user(over: Partial<User> = {}): User {
  return {
    id: '01a24e22-e685-77a3-b81a-dca17a0109b5',
    tenantId: '01a24e22-e26c-766f-a644-21d84aef38c8',
    managedBy: null,
    version: 3,
    createdAt: new Date('2026-12-01T10:00:00Z'),
    updatedAt: new Date('2026-12-02T10:00:00Z'),
    loginName: 'ada@example.com',
    deprovisionedAt: null,
    userName: 'ada@example.com',
    externalId: 'ext-1',
    name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada', middleName: null, honorificPrefix: null, honorificSuffix: null },
    displayName: 'Ada Lovelace',
    nickName: null,
    profileUrl: null,
    title: 'Analyst',
    userType: null,
    preferredLanguage: 'en-GB',
    locale: null,
    timezone: null,
    active: true,
    emails: [multiValue({ value: 'ada@example.com', type: 'work', primary: true })],
    phoneNumbers: [multiValue({ value: '+44 20 7946 0000', type: 'work' })],
    ims: [],
    photos: [],
    roles: [],
    entitlements: [],
    x509Certificates: [],
    addresses: [address({ type: 'work', streetAddress: '1 Analytical Row', locality: 'London', country: 'GB' })],
    enterprise: { ...EMPTY_ENTERPRISE, department: 'Analytics', managerValue: '01a24e22-e48d-72b9-9277-ff523afafe61' },
    extensions: {},
    ...over,
  };
}

const ops = (operations: unknown[]): PatchOperation[] => normalisePatch(USER_TYPE, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });

/** What the representation's round trip gives: the way every PATCH went before. */
const longWay = (u: User, o: readonly PatchOperation[]) => userProfileFromScim(applyPatch(userToScim(u, BASE), o));

/** A result or the error, comparable: the profile as JSON (key order included), or the SCIM error's status, type and detail. */
function outcome(f: () => unknown): string {
  try {
    return JSON.stringify(f());
  } catch (e) {
    if (e instanceof ScimError) return `error ${e.status} ${e.scimType} ${e.detail}`;
    throw e;
  }
}

describe('a user PATCH applied to the profile directly (docs/architecture.md#patch-as-commands)', () => {
  it('takes the direct way for single-valued attributes, leaving the rest of the profile as stored', () => {
    const u = user();
    const o = ops([{ op: 'Replace', path: 'title', value: 'Lead' }, { op: 'replace', path: 'name.givenName', value: 'Augusta' }, { op: 'add', path: `${ENT}:department`, value: 'Research' }, { op: 'Replace', path: 'active', value: 'False' }, { op: 'Replace', path: `${ENT}:manager`, value: 'm-2' }]);
    const p = patchedProfile(u, o, BASE);
    expect(p).toMatchObject({ title: 'Lead', name: { givenName: 'Augusta', familyName: 'Lovelace' }, enterprise: { department: 'Research', managerValue: 'm-2' }, active: false });
    // The direct way shares what it does not change; the long way reads every attribute anew.
    expect(p.emails).toBe(u.emails);
    expect(p.addresses).toBe(u.addresses);
    expect(JSON.stringify(p)).toBe(JSON.stringify(longWay(u, o)));
  });

  it('merges a manager sent whole into the one held, as the long way does: one sent without a value keeps it', () => {
    const u = user();
    for (const [operations, manager] of [
      [[{ op: 'replace', path: `${ENT}:manager`, value: { $ref: `${BASE}/Users/x` } }], u.enterprise.managerValue],
      [[{ op: 'replace', path: `${ENT}:manager`, value: { value: 'm-2', $ref: `${BASE}/Users/m-2` } }], 'm-2'],
      [[{ op: 'replace', path: `${ENT}:manager`, value: '' }], null],
      [[{ op: 'remove', path: `${ENT}:manager` }, { op: 'add', path: `${ENT}:manager`, value: { $ref: 'r' } }], null],
      [[{ op: 'replace', path: `${ENT}:manager.value`, value: 'm-3' }], 'm-3'],
    ] as const) {
      const o = ops([...operations]);
      const p = patchedProfile(u, o, BASE);
      expect(p.enterprise.managerValue).toBe(manager);
      expect(p.emails).toBe(u.emails);
      expect(JSON.stringify(p)).toBe(JSON.stringify(longWay(u, o)));
    }
  });

  it('takes the long way for anything else: multi-valued attributes, filters, complex values but the manager, extensions', () => {
    const u = user();
    for (const operations of [
      [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'a@x' }],
      [{ op: 'replace', path: 'name', value: { givenName: 'A' } }],
      [{ op: 'replace', path: `${ENT}:manager[value eq "${u.enterprise.managerValue}"].value`, value: 'm-2' }],
      [{ op: 'replace', path: 'urn:example:ext:1.0:User:a', value: 'x' }],
      [{ op: 'replace', path: 'title', value: 'x' }, { op: 'remove', path: 'phoneNumbers' }],
    ]) {
      const p = patchedProfile(u, ops(operations), BASE);
      expect(p.emails).not.toBe(u.emails);
      expect(JSON.stringify(p)).toBe(JSON.stringify(longWay(u, ops(operations))));
    }
  });

  it.each([
    ['an empty manager id, which the representation leaves out', user({ enterprise: { ...EMPTY_ENTERPRISE, managerValue: '' } })],
    ['an element without all its sub-attributes', user({ emails: [{ value: 'a@x', type: 'work' } as never] })],
    ['an element with one more', user({ emails: [{ ...multiValue({ value: 'a@x' }), extra: 1 } as never] })],
    ['a primary that is not a boolean', user({ emails: [{ ...multiValue({ value: 'a@x' }), primary: 'true' } as never] })],
    ['an address with a number in it', user({ addresses: [{ ...address({}), postalCode: 1 } as never] })],
    ['an extension key that is not a URN', user({ extensions: { custom: { a: 1 } } })],
    ['an extension that is not a document', user({ extensions: { 'urn:example:ext:1.0:User': 'x' } })],
    ['the enterprise URN among the extensions', user({ extensions: { [ENT.toUpperCase()]: { a: 1 } } })],
  ])('takes the long way for a user stored with %s, which the round trip changes', (_, u) => {
    expect(keepsRoundTrip(u)).toBe(false);
    const o = ops([{ op: 'replace', path: 'title', value: 'Lead' }]);
    // The long way changes more than the title here, so setting the title alone would not be the same.
    expect(changedAttributes(u, longWay(u, o)).filter((a) => a !== 'title')).not.toEqual([]);
    expect(outcome(() => patchedProfile(u, o, BASE))).toBe(outcome(() => longWay(u, o)));
  });

  it('keeps the round trip for users as Roster writes them, extensions included', () => {
    expect(keepsRoundTrip(user())).toBe(true);
    expect(keepsRoundTrip(user({ extensions: { 'urn:example:ext:1.0:User': { costCode: '7' } }, enterprise: EMPTY_ENTERPRISE, emails: [], addresses: [] }))).toBe(true);
  });

  it('gives what the long way gives, for any user and any operations (property)', () => {
    const text = fc.oneof(fc.constant(null), fc.constant(''), fc.string({ maxLength: 6 }), fc.constantFrom('True', 'false', 'ada@example.com'));
    const value = fc.oneof(text, fc.boolean(), fc.integer(), fc.constant(undefined), fc.constantFrom({ value: 'x' }, { value: '' }, { $ref: 'r' }, { value: 'm-2', $ref: 'r' }, { displayName: 'd' }, {}, ['a'], [{ value: 'm-3' }], []));
    const element = fc.record({ value: fc.string({ maxLength: 4 }), type: text, primary: fc.option(fc.boolean()), display: text });
    const users = fc.record({
      title: text,
      displayName: text,
      externalId: text,
      nickName: text,
      givenName: text,
      active: fc.boolean(),
      department: text,
      managerValue: fc.oneof(fc.constant(null), fc.constant(''), fc.constant('m-1')),
      emails: fc.array(element, { maxLength: 2 }),
      extensions: fc.constantFrom({}, { 'urn:example:ext:1.0:User': { a: 'b' } }, { plain: { a: 1 } }, { 'urn:example:ext:1.0:User': 7 }),
    });
    const paths = fc.constantFrom('title', 'TITLE', 'displayName', 'externalId', 'userName', 'nickName', 'profileUrl', 'locale', 'active', 'name.givenName', 'name.familyName', `${ENT}:department`, `${ENT}:costCenter`, `${ENT}:manager`, `${ENT}:manager.value`, `${ENT}:manager.$ref`, `${ENT}:manager[value eq "m-1"]`, 'emails[type eq "work"].value', 'emails', 'name', 'urn:ietf:params:scim:schemas:core:2.0:User:title', 'urn:example:ext:1.0:User:a');
    const op = fc.record({ op: fc.constantFrom('add', 'replace', 'remove', 'Replace'), path: paths, value });
    fc.assert(
      fc.property(users, fc.array(op, { minLength: 1, maxLength: 4 }), (g, raw) => {
        const u = user({
          title: g.title,
          displayName: g.displayName,
          externalId: g.externalId,
          nickName: g.nickName,
          active: g.active,
          name: { ...user().name, givenName: g.givenName },
          enterprise: { ...EMPTY_ENTERPRISE, department: g.department, managerValue: g.managerValue },
          emails: g.emails.map((e) => multiValue(e)),
          extensions: g.extensions as Record<string, unknown>,
        });
        let o: PatchOperation[];
        try {
          o = ops(raw.map((r) => (r.value === undefined ? { op: r.op, path: r.path } : r)));
        } catch {
          return; // refused before it reaches a user: the same either way
        }
        expect(outcome(() => patchedProfile(u, o, BASE))).toBe(outcome(() => longWay(u, o)));
      }),
      { numRuns: 3000 },
    );
  });
});
