import { scimTenant, startHarness, type Harness } from '../../support/harness.js';
import { GROUP_SCHEMA, patchBody, type ScimClient } from '../../support/scim.js';

let h: Harness;
let c: ScimClient;
let users: string[] = [];
beforeAll(async () => {
  h = await startHarness();
  c = await scimTenant(h);
  users = [];
  for (let i = 0; i < 120; i += 1) users.push((await c.post('/Users', { userName: `member${i}@example.com` })).body.id);
});
afterAll(async () => h.close());

const memberIds = async (id: string) => ((await c.get(`/Groups/${id}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();
const newGroup = async (displayName: string) => (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName })).body.id as string;

describe('Groups', () => {
  it('creates an empty group (201, Location) and finds it by displayName case-insensitively, without members', async () => {
    const r = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales', externalId: 'S-1' });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${c.base}/Groups/${r.body.id}`);
    expect(r.body).toMatchObject({ displayName: 'Sales', externalId: 'S-1', members: [], meta: { resourceType: 'Group', version: 'W/"1"' } });
    const found = await c.get('/Groups?excludedAttributes=members&filter=displayName eq "sales"');
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).not.toHaveProperty('members');
    const dup = await c.post('/Groups', { displayName: 'SALES' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
  });

  it('adds 100 members in one PATCH and answers 204', async () => {
    const id = await newGroup('Hundred');
    const r = await c.patch(`/Groups/${id}`, patchBody({ op: 'Add', path: 'members', value: users.slice(0, 100).map((value) => ({ value })) }));
    expect(r.status).toBe(204);
    expect(await memberIds(id)).toEqual(users.slice(0, 100).sort());
    const byMember = await c.get(`/Groups?filter=members[value eq "${users[5]}"]&excludedAttributes=members`);
    expect(byMember.body.Resources.map((g: { id: string }) => g.id)).toContain(id);
    const user = await c.get(`/Users/${users[5]}`);
    expect(user.body.groups).toEqual([{ value: id, $ref: `${c.base}/Groups/${id}`, display: 'Hundred', type: 'direct' }]);
  });

  it('removes members in both Entra shapes, applies add/remove in order, and treats re-adding as a no-op', async () => {
    const id = await newGroup('Removals');
    await c.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: users.slice(0, 4).map((value) => ({ value })) }));
    // Default dialect: the members to remove are in value.
    expect((await c.patch(`/Groups/${id}`, patchBody({ op: 'Remove', path: 'members', value: [{ value: users[0] }] }))).status).toBe(204);
    // aadOptscim062020: a filtered path.
    expect((await c.patch(`/Groups/${id}`, patchBody({ op: 'remove', path: `members[value eq "${users[1]}"]` }))).status).toBe(204);
    expect(await memberIds(id)).toEqual([users[2], users[3]].sort());
    await c.patch(`/Groups/${id}`, patchBody(
      { op: 'add', path: 'members', value: [{ value: users[2] }, { value: users[9] }] },
      { op: 'remove', path: 'members', value: [{ value: users[9] }] },
      { op: 'add', path: 'members', value: [{ value: users[10] }] },
    ));
    expect(await memberIds(id)).toEqual([users[2], users[3], users[10]].sort());
    // Removing an absent member succeeds (Entra retries).
    expect((await c.patch(`/Groups/${id}`, patchBody({ op: 'remove', path: `members[value eq "${users[50]}"]` }))).status).toBe(204);
  });

  it('replaces membership, removes all members, renames, and returns the group when attributes are asked for', async () => {
    const id = await newGroup('Replace');
    await c.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: users.slice(0, 3).map((value) => ({ value })) }));
    await c.patch(`/Groups/${id}`, patchBody({ op: 'replace', path: 'members', value: [{ value: users[7] }] }));
    expect(await memberIds(id)).toEqual([users[7]]);
    await c.patch(`/Groups/${id}`, patchBody({ op: 'Replace', path: 'displayName', value: 'Renamed' }));
    const rename = await c.patch(`/Groups/${id}?attributes=displayName`, patchBody({ op: 'replace', value: { displayName: 'Renamed Again', externalId: 'R-2' } }));
    expect(rename.status).toBe(200);
    expect(rename.body).toEqual({ schemas: [GROUP_SCHEMA], id, displayName: 'Renamed Again' });
    await c.patch(`/Groups/${id}`, patchBody({ op: 'remove', path: 'members' }));
    const g = (await c.get(`/Groups/${id}`)).body;
    expect(g).toMatchObject({ displayName: 'Renamed Again', externalId: 'R-2', members: [] });
  });

  it('refuses bad membership changes with the right scimType', async () => {
    const id = await newGroup('Bad');
    const cases: [unknown, number, string, RegExp][] = [
      [{ op: 'add', path: 'members', value: [{ value: '0190a0a0-0000-7000-8000-000000000000' }] }, 400, 'invalidValue', /no user or group with id/],
      [{ op: 'add', path: 'members', value: [{ value: 'not-an-id' }] }, 400, 'invalidValue', /not a valid id/],
      [{ op: 'add', path: 'members', value: [{ display: 'x' }] }, 400, 'invalidValue', /members\[0\]\.value/],
      [{ op: 'remove', path: 'members[display eq "x"]' }, 400, 'invalidPath', /selected by id only/],
      [{ op: 'replace', path: 'members[value eq "x"].display', value: 'y' }, 400, 'mutability', /read-only/],
      [{ op: 'replace', path: 'displayName', value: '' }, 400, 'invalidValue', /displayName/],
      [{ op: 'replace', path: 'nickName', value: 'x' }, 400, 'invalidPath', /no attribute "nickName"/],
    ];
    for (const [op, status, scimType, detail] of cases) {
      const r = await c.patch(`/Groups/${id}`, patchBody(op));
      expect({ op, status: r.status, scimType: r.body?.scimType }).toEqual({ op, status, scimType });
      expect(r.body.detail).toMatch(detail);
    }
  });

  it('applies a PATCH all or nothing: a failing operation leaves no earlier one written', async () => {
    const id = await newGroup('Atomic');
    const r = await c.patch(`/Groups/${id}`, patchBody(
      { op: 'add', path: 'members', value: [{ value: users[0] }] },
      { op: 'replace', path: 'displayName', value: 'Atomic 2' },
      { op: 'add', path: 'members', value: [{ value: '0190a0a0-0000-7000-8000-000000000000' }] },
    ));
    expect(r.status).toBe(400);
    const g = (await c.get(`/Groups/${id}`)).body;
    expect(g).toMatchObject({ displayName: 'Atomic', members: [], meta: { version: 'W/"1"' } });
  });

  it('changes membership with the same number of statements in a group of 10 and of 100 (O(k), membership never loaded)', async () => {
    const statementsFor = async (size: number) => {
      const id = await newGroup(`Size ${size}`);
      await c.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: users.slice(0, size).map((value) => ({ value })) }));
      await h.db.settled();
      h.db.statements.length = 0;
      await c.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[115] }] }, { op: 'remove', path: `members[value eq "${users[1]}"]` }));
      await h.db.settled();
      const n = h.db.statements.length;
      // No statement reads the whole membership.
      expect(h.db.statements.some((s) => /from memberships m left join users/.test(s))).toBe(false);
      return n;
    };
    expect(await statementsFor(100)).toBe(await statementsFor(10));
  });

  it('deletes a group: 204, then 404; members stay users', async () => {
    const id = await newGroup('Doomed');
    await c.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[0] }] }));
    expect((await c.del(`/Groups/${id}`)).status).toBe(204);
    expect((await c.get(`/Groups/${id}`)).status).toBe(404);
    expect((await c.del(`/Groups/${id}`)).status).toBe(404);
    expect((await c.get(`/Users/${users[0]}`)).status).toBe(200);
  });

  it('PUT replaces the group; members are set when sent and kept when left out', async () => {
    const id = await newGroup('Put');
    await c.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[0] }] }));
    const kept = await c.put(`/Groups/${id}`, { displayName: 'Put 2' });
    expect(kept.status).toBe(200);
    expect(kept.body.members.map((m: { value: string }) => m.value)).toEqual([users[0]]);
    const set = await c.put(`/Groups/${id}`, { displayName: 'Put 3', members: [{ value: users[1], type: 'User' }] });
    expect(set.body.members.map((m: { value: string }) => m.value)).toEqual([users[1]]);
  });
});
