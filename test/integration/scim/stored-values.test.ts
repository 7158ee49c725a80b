import { MAX_KEY_BYTES } from '../../../src/domain/shared/validate.js';
import { gqlOk } from '../../support/graphql.js';
import { scimSuite } from '../../support/harness.js';
import { patchBody } from '../../support/scim.js';

/**
 * What a write accepts, every read renders (docs/architecture.md#robustness): the largest, deepest
 * and oddest values the limits allow are stored, then listed, filtered, projected and patched
 * through SCIM and read through GraphQL.
 */

const app = scimSuite();

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Text of exactly `n` UTF-8 bytes cycling through `units`, padded with ASCII. */
function fill(n: number, units: readonly string[]): string {
  let out = '';
  for (let i = 0; ; i++) {
    const u = units[i % units.length]!;
    if (bytes(out) + bytes(u) > n) break;
    out += u;
  }
  return out + 'x'.repeat(n - bytes(out));
}

/** Unicode that trips careless code: astral, right-to-left, combining marks, joiners, controls, separators. */
const ODD = ['😀', 'مرحبا', 'שלום', 'é', 'ﷺ', '👩‍👩‍👧‍👦', '🇬🇧', '\u200f', '\ufeff', '\uffff', '\u0001', '\u2028', '"\\</script>', 'ǅ', 'ß', 'İ', '𝔘𝔫𝔦'];
/** Characters that need four UTF-8 bytes and do not compress: the worst case for an index entry. */
const ASTRAL = [...Array(80)].map((_, i) => String.fromCodePoint(0x1f600 + i));

let userName = '';
let user: Record<string, unknown> = {};
let id = '';

/** An extension document nested exactly `depth` levels deep (the document itself is level 1). */
function nested(depth: number): Record<string, unknown> {
  let v: unknown = 'bottom 😀';
  for (let level = depth; level > 1; level--) v = level % 2 ? { [`k${level}`]: v } : [v];
  return { deep: v };
}

describe('the largest, deepest and oddest accepted values', () => {
  beforeAll(async () => {
    const limits = app.h.config.limits;
    userName = fill(MAX_KEY_BYTES, ASTRAL);
    const ext = 'urn:example:odd:1.0';
    const doc: Record<string, unknown> = { ...nested(limits.maxExtensionDepth), odd: ODD.join('|') };
    // Fill the extension up to its size limit with strings of at most the string limit.
    for (let i = 0; bytes(JSON.stringify({ [ext]: doc })) < limits.maxExtensionBytes - limits.maxStringBytes - 64; i++) doc[`f${i}`] = fill(limits.maxStringBytes, ODD);
    doc.last = '';
    doc.last = 'x'.repeat(limits.maxExtensionBytes - bytes(JSON.stringify({ [ext]: doc })));
    user = {
      userName,
      externalId: fill(MAX_KEY_BYTES, ['İ', 'Ⱥ']),
      displayName: fill(limits.maxStringBytes, ODD),
      title: fill(limits.maxStringBytes, ['é', 'ﷺ', '😀']),
      name: { givenName: 'Zoë\u0301', familyName: 'عبد الله', formatted: fill(limits.maxStringBytes, ['\u200f', 'a']) },
      emails: Array.from({ length: limits.maxValuesPerAttribute }, (_, i) => ({ value: `${i}.${ODD[i % ODD.length]}@例え.jp`, type: 'work', display: ODD[(i + 1) % ODD.length] })),
      addresses: Array.from({ length: limits.maxValuesPerAttribute }, (_, i) => ({ locality: `${ODD[i % ODD.length]} ${i}`, country: 'GB' })),
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: fill(limits.maxStringBytes, ASTRAL) },
      [ext]: doc,
    };
    expect(bytes(JSON.stringify({ [ext]: doc }))).toBe(limits.maxExtensionBytes);
    const r = await app.c.post('/Users', user);
    expect(r.status).toBe(201);
    id = r.body.id;
  });

  const same = (got: Record<string, unknown>) => {
    for (const k of ['userName', 'externalId', 'displayName', 'title', 'name', 'emails', 'addresses', 'urn:example:odd:1.0']) expect({ [k]: got[k] }).toEqual({ [k]: user[k] });
  };

  it('reads back exactly as sent', async () => {
    same((await app.c.get(`/Users/${id}`)).body);
  });

  it('lists, alone and among others', async () => {
    await app.c.post('/Users', { userName: 'plain@example.com' });
    const r = await app.c.get('/Users?count=1000');
    expect(r.status).toBe(200);
    same(r.body.Resources.find((u: { id: string }) => u.id === id));
    const s = await app.c.post('/.search', { count: 10 });
    expect(s.status).toBe(200);
  });

  it('filters on every kind of odd value', async () => {
    const found = async (filter: string) => {
      const r = await app.c.get(`/Users?filter=${encodeURIComponent(filter)}&attributes=id`);
      expect(r.status).toBe(200);
      return r.body.Resources.map((u: { id: string }) => u.id);
    };
    expect(await found(`userName eq ${JSON.stringify(userName)}`)).toEqual([id]);
    expect(await found(`externalId eq ${JSON.stringify(user.externalId)}`)).toEqual([id]);
    expect(await found(`title co "ﷺ😀é"`)).toEqual([id]);
    expect(await found(`emails[value eq ${JSON.stringify((user.emails as { value: string }[])[99]!.value)}]`)).toEqual([id]);
    expect(await found('name.familyName sw "عبد"')).toEqual([id]);
    expect(await found('displayName co "👩‍👩‍👧‍👦"')).toEqual([id]);
  });

  it('projects with attributes and excludedAttributes', async () => {
    const a = await app.c.get(`/Users/${id}?attributes=userName,emails.value,urn:example:odd:1.0`);
    expect(a.status).toBe(200);
    expect(a.body.userName).toBe(userName);
    expect(a.body.emails).toHaveLength(100);
    expect(a.body['urn:example:odd:1.0']).toEqual(user['urn:example:odd:1.0']);
    const e = await app.c.get(`/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(userName)}`)}&excludedAttributes=emails,addresses,urn:example:odd:1.0`);
    expect(e.status).toBe(200);
    expect(e.body.Resources[0]).not.toHaveProperty('emails');
    expect(e.body.Resources[0]).not.toHaveProperty('urn:example:odd:1.0');
  });

  it('patches them, and refuses a change past the limits without breaking the user', async () => {
    const more = await app.c.patch(`/Users/${id}`, patchBody({ op: 'add', path: 'emails', value: [{ value: 'one-too-many@example.com' }] }));
    expect(more.status).toBe(400);
    const r = await app.c.patch(`/Users/${id}`, patchBody(
      { op: 'replace', path: 'title', value: fill(app.h.config.limits.maxStringBytes, ASTRAL) },
      { op: 'remove', path: 'emails[value eq "0.😀@例え.jp"]' },
      { op: 'replace', path: 'urn:example:odd:1.0:odd', value: 'ǅ' },
    ));
    expect(r.status).toBe(200);
    expect(r.body.emails).toHaveLength(99);
    expect(r.body['urn:example:odd:1.0'].odd).toBe('ǅ');
    expect(r.body['urn:example:odd:1.0'].deep).toEqual((user['urn:example:odd:1.0'] as { deep: unknown }).deep);
    expect((await app.c.get('/Users')).status).toBe(200);
  });

  it('reads through GraphQL', async () => {
    const { node } = await gqlOk(app.h, 'query($id: ID!) { node(id: $id) { ... on User { userName externalId displayName name { familyName } emails { value display } extensions } } }', { id });
    expect(node.userName).toBe(userName);
    expect(node.externalId).toBe(user.externalId);
    expect(node.displayName).toBe(user.displayName);
    expect(node.emails).toHaveLength(99);
    expect(node.extensions['urn:example:odd:1.0'].deep).toEqual((user['urn:example:odd:1.0'] as { deep: unknown }).deep);
    const { tenant } = await gqlOk(app.h, 'query($t: ID, $u: String) { tenant(id: $t) { users(filter: { userName: { eq: $u } }) { nodes { id } } } }', { t: app.c.ctx.tenantId, u: userName });
    expect(tenant.users.nodes).toEqual([{ id }]);
  });

  it('groups hold them too: the widest displayName, an extension at the depth limit, odd members', async () => {
    // Lower-casing grows Ⱥ (2 bytes) to ⱥ (3 bytes): the largest index entry a displayName can make.
    const displayName = fill(MAX_KEY_BYTES, ['Ⱥ']);
    const g = await app.c.post('/Groups', { displayName, members: [{ value: id }], 'urn:example:odd:1.0': nested(app.h.config.limits.maxExtensionDepth) });
    expect(g.status).toBe(201);
    const list = await app.c.get(`/Groups?filter=${encodeURIComponent(`displayName eq ${JSON.stringify(displayName.toLowerCase())}`)}`);
    expect(list.body.Resources.map((x: { id: string }) => x.id)).toEqual([g.body.id]);
    expect(list.body.Resources[0].members).toEqual([expect.objectContaining({ value: id, display: user.displayName })]);
    const member = await app.c.get(`/Groups?filter=${encodeURIComponent(`members[display co "👩‍👩‍👧‍👦"]`)}&excludedAttributes=members`);
    expect(member.body.totalResults).toBe(1);
    const { node } = await gqlOk(app.h, 'query($id: ID!) { node(id: $id) { ... on Group { displayName extensions members(first: 5) { edges { node { ... on User { userName } } } } } } }', { id: g.body.id });
    expect(node.displayName).toBe(displayName);
    expect(node.members.edges).toEqual([{ node: { userName } }]);
  });
});
