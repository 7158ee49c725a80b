import { emptyProfile } from '../../../src/domain/user/user.js';
import type { Ctx } from '../../../src/domain/context.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { gqlOk, type Json } from '../../support/graphql.js';

/**
 * docs/architecture.md#performance-budgets: a page of users with their groups and managers, and a page of groups with their
 * first members, each run a small constant number of SQL statements (DataLoaders batch them).
 * The test database records every statement the app runs (h.db.statements).
 */
let h: Harness;
let ctx: Ctx;

beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant('n-plus-one');
  const bosses: string[] = [];
  for (let i = 0; i < 10; i++) bosses.push((await h.services.users.create(ctx, emptyProfile(`boss${i}@example.com`))).user.id);
  const members: string[] = [];
  for (let i = 0; i < 100; i++) {
    const p = { ...emptyProfile(`member${String(i).padStart(3, '0')}@example.com`), enterprise: { ...emptyProfile('').enterprise, managerValue: bosses[i % 10]! } };
    members.push((await h.services.users.create(ctx, p)).user.id);
  }
  for (let g = 0; g < 50; g++) {
    // 20 users each, overlapping, so every user is in several groups.
    const ids = Array.from({ length: 20 }, (_, k) => members[(g * 7 + k) % 100]!);
    await h.services.groups.create(ctx, { displayName: `group-${String(g).padStart(2, '0')}`, externalId: null, extensions: {} }, ids.map((id) => ({ id })));
  }
});
afterAll(async () => {
  await h.close();
});

/**
 * Runs the operation and returns the reads it caused (their number, and their texts for a failure to
 * show). It first waits for the announcements of earlier writes, which follow their commits a few
 * milliseconds later on the same pool (docs/architecture.md#announcing-commits). Only the reads of
 * the page are counted: not a notification, nor BEGIN or COMMIT, which a page never sends, nor the
 * statements on the caller's key (its lookup, its last-used stamp), whose lookup the credential
 * cache serves or not depending on its listening connection, not on the page (the cache has tests
 * of its own).
 */
async function statementsFor(query: string, variables: Json): Promise<{ count: number; statements: string[]; data: Json }> {
  await gqlOk(h, '{ viewer { platform } }'); // lets the key's last-used stamp settle first
  await h.db.settled();
  h.db.statements.length = 0;
  const data = await gqlOk(h, query, variables);
  const statements = h.db.statements.filter((s) => !/^(?:begin|commit|rollback)$/i.test(s) && !/\bapi_keys\b|\bpg_notify\(/.test(s));
  return { count: statements.length, statements, data };
}

const USERS = `query($t: ID!, $n: Int!) { tenant(id: $t) { users(first: $n, filter: { userName: { sw: "member" } }) { totalCount edges { node {
  id userName groups { id displayName } enterprise { manager { id userName } } } } } } }`;
const GROUPS = `query($t: ID!, $n: Int!) { tenant(id: $t) { groups(first: $n) { edges { node {
  id displayName memberCount members(first: 20) { totalCount edges { type node { ... on User { id userName } ... on Group { id displayName } } } } } } } } }`;

describe('no N+1', () => {
  it('reads a page of 100 users with their groups and managers in a constant number of statements', async () => {
    const big = await statementsFor(USERS, { t: ctx.tenantId, n: 100 });
    const edges = big.data.tenant.users.edges;
    expect(edges).toHaveLength(100);
    expect(edges.every((e: Json) => e.node.groups.length > 0 && e.node.enterprise.manager.userName.startsWith('boss'))).toBe(true);
    const small = await statementsFor(USERS, { t: ctx.tenantId, n: 5 });
    // tenant, page, count, groups of all users, managers of all users
    expect(big.count).toBeGreaterThanOrEqual(3);
    expect(big.count).toBeLessThanOrEqual(5);
    // The page of 100 holds every match, so its total needs no count; the page of 5 does not.
    expect(small.statements).toHaveLength(big.count + 1);
  });

  it('reads for a page only what it selects, through fragments and variables, and answers as a read of one user does', async () => {
    const page = (sel: string, frags = '', vars = '') =>
      `query($t: ID!${vars}) { tenant(id: $t) { users(first: 100, filter: { userName: { sw: "member" } }) { nodes { id ${sel} } } } } ${frags}`;
    const bare = await statementsFor(page(''), { t: ctx.tenantId });
    const full = await statementsFor(
      page('...U', `fragment U on User { direct: groups { id } ... on User { all: groups(transitive: $all) { id } } enterprise { ...E } }
        fragment E on EnterpriseUser { manager { userName } }`, ', $all: Boolean!'),
      { t: ctx.tenantId, all: true },
    );
    // Direct groups, groups at any depth, and the managers (none of them on the page): one statement each.
    expect(full.statements).toHaveLength(bare.count + 3);
    const nodes = full.data.tenant.users.nodes as Json[];
    expect(nodes).toHaveLength(100);
    for (const node of nodes.filter((_, i) => i % 20 === 0)) {
      const one = await gqlOk(h, `query($t: ID!, $id: ID!) { tenant(id: $t) { user(id: $id) { id direct: groups { id } all: groups(transitive: true) { id } enterprise { manager { userName } } } } }`, {
        t: ctx.tenantId,
        id: node.id,
      });
      expect(node).toEqual(one.tenant.user);
      expect(node.direct.length).toBeGreaterThan(0);
    }
  });

  it('reads a page of 50 groups with their first 20 members in a constant number of statements', async () => {
    const big = await statementsFor(GROUPS, { t: ctx.tenantId, n: 50 });
    const groups = big.data.tenant.groups.edges.map((e: Json) => e.node);
    expect(groups).toHaveLength(50);
    expect(groups.every((g: Json) => g.memberCount === 20 && g.members.totalCount === 20 && g.members.edges.length === 20 && g.members.edges.every((m: Json) => m.node.userName))).toBe(true);
    const small = await statementsFor(GROUPS, { t: ctx.tenantId, n: 3 });
    // tenant, page, member counts, first members of all groups, member users
    expect(big.count).toBeGreaterThanOrEqual(3);
    expect(big.count).toBeLessThanOrEqual(5);
    expect(small.statements).toHaveLength(big.count);
  });
});
